"""Word and PDF reports made the way agencies make them, read end to end (tests/data/formats/).

The fixtures are written by `tests/data/formats/make_fixtures.py` from values chosen first
(`values.py`): Word documents with the forms' merged cells (python-docx), their PDFs from
LibreOffice headless, and image-only PDFs rendered from `word_2021.pdf`, from `word_2019.pdf`
turned by 0.7°, and from the real `evals/real/hzq_2023.pdf` (whose gold is the hand-made
`evals/real/hzq_2023.json`). Each input has `<file name>.expected.json`, the values it was
written from (never extractor output). A .docx and a text-layer PDF must match every cell; a
scan must have no wrong cell (a cell is right or null) and at least 95% right. The scans' OCR
results are replayed from `tests/data/formats/cache/ocr/` (recorded by `make_fixtures.py
--ocr-cache`), so this test costs no OCR time; `test_formats_ocr.py` runs the real OCR on a page.
"""

from __future__ import annotations

import json
import shutil
import sys
from functools import cache
from pathlib import Path

import pytest

from pipeline.extract import extract

DATA = Path(__file__).resolve().parent / "data" / "formats"
sys.path.insert(0, str(DATA))
from values import FIXTURES, REAL_SCANS, SCANNED  # noqa: E402

INPUTS = sorted(p for p in DATA.iterdir() if p.suffix in (".pdf", ".docx"))
REAL = DATA.parents[2] / "evals" / "real"
SCANS = sorted([*SCANNED, *REAL_SCANS])
TABLES = ("active_disclosure", "applications", "review_litigation")


def _expected(path: Path) -> dict:
    return json.loads((DATA / f"{path.name}.expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def records(tmp_path_factory, request) -> dict[str, dict]:
    """One extraction per input; the OCR cache is a copy of the committed one (a rerun costs nothing)."""
    cache_dir = tmp_path_factory.mktemp("cache")
    shutil.copytree(DATA / "cache" / "ocr", cache_dir / "ocr")
    patch = pytest.MonkeyPatch()
    patch.setenv("NIANBAO_CACHE_DIR", str(cache_dir))
    request.addfinalizer(patch.undo)

    @cache
    def run(name: str) -> dict:
        return extract(DATA / name).model_dump(mode="json")

    return run  # type: ignore[return-value]


def _cells(record_or_gold: dict) -> dict[str, object]:
    out: dict[str, object] = {}
    for table in TABLES:
        for row, cells in (record_or_gold.get(table) or {}).items():
            if isinstance(cells, dict):
                out.update({f"{table}.{row}.{name}": value for name, value in cells.items()})
            else:
                out[f"{table}.{row}"] = cells  # the table's template
    return out


def _same(want: object, got: object) -> bool:
    if want is None or got is None or isinstance(want, str):
        return want == got
    return isinstance(got, int | float) and not isinstance(got, bool) and abs(want - got) < 1e-9  # type: ignore[operator]


# ---- the fixtures themselves ---------------------------------------------------------------------

def test_every_fixture_has_its_gold_and_the_gold_its_values():
    assert {p.name for p in INPUTS} == (
        {f"{name}{ext}" for name in FIXTURES for ext in (".docx", ".pdf")} | {f"{name}.pdf" for name in SCANS})
    for name, real in REAL_SCANS.items():  # a scan of a real report: the hand-made gold of the original
        gold = json.loads((REAL / f"{real}.json").read_text(encoding="utf-8"))
        assert _expected(DATA / f"{name}.pdf") == {**gold, "source": {"name": f"{name}.pdf"}}
    for path in (p for p in INPUTS if p.stem not in REAL_SCANS):
        gold = _expected(path)
        source = FIXTURES[SCANNED.get(path.stem, path.stem)]
        assert gold["source"]["name"] == path.name
        assert {t: gold[t] for t in ("active_disclosure", "review_litigation")} == \
            {t: source[t] for t in ("active_disclosure", "review_litigation")}
        assert {k: v for k, v in gold["applications"].items() if k != "template"} == source["applications"]


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_gold_obeys_the_arithmetic(name: str):
    """Totals are sums of the chosen parts, so the SPEC rules hold (null read as 0)."""
    apps = FIXTURES[name]["applications"]
    z = lambda v: v or 0  # noqa: E731
    outcomes = [k for k in apps if k not in ("new_received", "carried_over", "total_processed", "carried_forward")]
    assert len(outcomes) == (19 if FIXTURES[name]["table3"] == "2019" else 21)
    for col in apps["new_received"]:
        assert z(apps["new_received"][col]) + z(apps["carried_over"][col]) == \
            z(apps["total_processed"][col]) + z(apps["carried_forward"][col])
        assert sum(z(apps[k][col]) for k in outcomes) == z(apps["total_processed"][col])
    for row in apps.values():
        assert sum(z(v) for c, v in row.items() if c != "total") == z(row["total"])
    for group in FIXTURES[name]["review_litigation"].values():
        assert z(group["total"]) == sum(z(v) for k, v in group.items() if k != "total")


def test_the_scan_has_no_text_layer():
    import pypdfium2 as pdfium

    for name in SCANS:
        pdf = pdfium.PdfDocument(DATA / f"{name}.pdf")
        for i in range(len(pdf)):
            assert pdf[i].get_textpage().count_chars() == 0


# ---- extraction against the gold ------------------------------------------------------------------

TEXT_INPUTS = [p for p in INPUTS if p.stem not in SCANS]


@pytest.mark.parametrize("path", TEXT_INPUTS, ids=[p.name for p in TEXT_INPUTS])
def test_every_cell_of_a_word_or_pdf_report(records, path: Path):
    gold = _expected(path)
    record = records(path.name)
    wrong = [f"meta.{k}: expected {v!r}, got {record['meta'].get(k)!r}"
             for k, v in gold["meta"].items() if k != "title" and record["meta"].get(k) != v]
    got = _cells(record)
    wrong += [f"{cell}: expected {want!r}, got {got.get(cell, '<absent>')!r}"
              for cell, want in _cells(gold).items() if not _same(want, got.get(cell, "<absent>"))]
    assert not wrong, f"{len(wrong)} wrong in {path.name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", TEXT_INPUTS, ids=[p.name for p in TEXT_INPUTS])
def test_findings_of_a_word_or_pdf_report(records, path: Path):
    """The expected findings (the mixed report's template.consistent) and no other error."""
    expected = {f if isinstance(f, str) else f["rule"] for f in _expected(path)["expected_findings"]}
    findings = records(path.name)["findings"]
    assert expected <= {f["rule"] for f in findings}
    errors = [f"{f['rule']}: {f['message'][:200]}" for f in findings
              if f["severity"] == "error" and f["rule"] not in expected]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", SCANS)
def test_the_scan_has_no_wrong_cell(records, name: str):
    gold = _cells(_expected(DATA / f"{name}.pdf"))
    got = _cells(records(f"{name}.pdf"))
    wrong = [f"{cell}: expected {want!r}, got {got.get(cell, '<absent>')!r}" for cell, want in gold.items()
             if not _same(want, got.get(cell)) and got.get(cell) is not None]
    right = sum(_same(want, got.get(cell, "<absent>")) for cell, want in gold.items())
    assert not wrong, f"{len(wrong)} wrong cells in the scan:\n" + "\n".join(wrong)
    assert right >= 0.95 * len(gold), f"only {right}/{len(gold)} cells read from the scan"
