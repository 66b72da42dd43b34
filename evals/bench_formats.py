"""Throughput of the PDF path: text-layer PDFs end to end, the page reader alone, and OCR per page.

    python -m evals.bench_formats [--rounds 5] [PDF ...]

Default inputs: the text-layer PDFs in `evals/real/` and `tests/data/formats/` (files whose name
says `scan` are scans and are timed for OCR instead). Times are CPU time of this one process,
best of `rounds`:

- `text_pdf_reports_per_second`: bytes to checked record (`ingest_bytes` + `extract_document`);
- `pdfium_ms_per_page`: the page reader alone (characters, boxes, path objects; pypdfium2);
- `pdfplumber_ms_per_page`: the same facts through pdfplumber, when it is installed (the
  comparison behind the choice of library; pdfplumber is not a dependency);
- `ocr_s_per_page`: `pipeline.formats.ocr.ocr_page` without cache, when OCR is installed and a
  scan is among the inputs (wall time: the OCR runtime uses its own threads).
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

from pipeline.config import Config
from pipeline.extract import extract_document
from pipeline.ingest import ingest_bytes

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = (ROOT / "evals" / "real", ROOT / "tests" / "data" / "formats")


def _best(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(rounds):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def _pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def run(paths: list[Path], rounds: int = 5) -> dict[str, float | str]:
    texts = {p.name: p.read_bytes() for p in paths if "scan" not in p.name}
    scans = {p.name: p.read_bytes() for p in paths if "scan" in p.name}
    out: dict[str, float | str] = {"text_pdfs": len(texts)}
    if texts:
        config = Config()
        every = lambda: [extract_document(ingest_bytes(n, d), config) for n, d in texts.items()]  # noqa: E731
        every()  # warm-up: imports, regex compilation
        out["text_pdf_reports_per_second"] = len(texts) / _best(every, rounds)
        pages = sum(_pages(d) for d in texts.values())
        out["pages"] = pages
        out["pdfium_ms_per_page"] = 1000 * _best(lambda: [_pdfium(d) for d in texts.values()], rounds) / pages
        if importlib.util.find_spec("pdfplumber") is not None:
            out["pdfplumber_ms_per_page"] = 1000 * _best(lambda: [_plumber(d) for d in texts.values()], 1) / pages
    out["ocr_s_per_page"] = _ocr(scans)
    return out


def _pdfium(data: bytes) -> None:
    from pipeline.formats.pdf import read_pages

    read_pages("bench.pdf", data)


def _plumber(data: bytes) -> None:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.chars, page.lines, page.rects  # noqa: B018 - the same facts the pdfium reader takes


def _ocr(scans: dict[str, bytes]) -> float | str:
    try:
        ocr = importlib.import_module("pipeline.formats.ocr")
    except ImportError:
        return "n/a (pipeline.formats.ocr not installed)"
    if not scans:
        return "n/a (no scan among the inputs)"
    pages, began = 0, time.perf_counter()
    for data in scans.values():
        for i in range(_pages(data)):
            ocr.ocr_page(data, i, None)
            pages += 1
    return (time.perf_counter() - began) / pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    paths = args.paths or sorted(p for f in FOLDERS if f.is_dir() for p in f.glob("*.pdf"))
    for key, value in run(paths, args.rounds).items():
        print(f"{key:32s} {value:10.3f}" if isinstance(value, float) else f"{key:32s} {value}")


if __name__ == "__main__":
    main()
