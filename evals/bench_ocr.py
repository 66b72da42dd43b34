"""OCR seconds per page of scanned PDFs, and what a cached rerun costs.

    python -m evals.bench_ocr [SCAN.pdf ...]     # default: tests/data/formats/scan_2021.pdf

Each page is OCR'd once into an empty temporary cache, then read again from that cache. Wall
time is what a user waits; CPU time (all threads of this process) is the figure that does not
depend on what else the machine runs. Needs the `ocr` extra.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "data" / "formats" / "scan_2021.pdf"


def bench_ocr(paths: list[Path]) -> dict[str, float]:
    import pypdfium2 as pdfium

    from pipeline.formats.ocr import ocr_page

    first: list[float] = []
    cpu: list[float] = []
    again: list[float] = []
    with tempfile.TemporaryDirectory() as cache:
        for path in paths:
            data = path.read_bytes()
            for index in range(len(pdfium.PdfDocument(data))):
                for times in (first, again):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    ocr_page(data, index, Path(cache), progress=lambda line: None)
                    times.append(time.perf_counter() - start)
                    if times is first:
                        cpu.append(time.process_time() - start_cpu)
    return {"pages": len(first), "s_per_page": statistics.mean(first), "max_s_page": max(first),
            "cpu_s_per_page": statistics.mean(cpu), "cached_ms_per_page": 1000 * statistics.mean(again)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[DEFAULT])
    result = bench_ocr(parser.parse_args().paths)
    print(f"OCR: {result['pages']:.0f} pages, {result['s_per_page']:.1f} s/page wall "
          f"(slowest {result['max_s_page']:.1f} s), {result['cpu_s_per_page']:.1f} s/page CPU; "
          f"cached rerun {result['cached_ms_per_page']:.0f} ms/page")


if __name__ == "__main__":
    main()
