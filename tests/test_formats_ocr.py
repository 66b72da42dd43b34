"""OCR of scanned pages (pipeline/formats/ocr.py, scan_rules.py).

The real OCR runs on one small page: table 四 of the scanned fixture (tests/data/formats/scan_2021.pdf)
cut out and saved as a one-page image PDF, so CI spends a few seconds on it, not minutes. Its
expected values are the ones the fixture was written from (tests/data/formats/values.py).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.core import IngestError
from pipeline.formats import ocr
from pipeline.formats.page import Page
from pipeline.formats.scan_rules import find_rules

DATA = Path(__file__).resolve().parent / "data" / "formats"
sys.path.insert(0, str(DATA))
from values import FIXTURES  # noqa: E402

TABLE4_CROP_PT = (60.0, 345.0, 540.0, 458.0)  # table 四 on page 3 of scan_2021.pdf (x0, top, x1, bottom)
has_ocr = pytest.mark.skipif(not ocr.ocr_installed(), reason="rapidocr-onnxruntime not installed (the ocr extra)")


def _image_pdf(image, dpi: float) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=dpi)
    return out.getvalue()


def _table4_pdf() -> bytes:
    import pypdfium2 as pdfium

    dpi = 150
    page = pdfium.PdfDocument(DATA / "scan_2021.pdf")[2]
    image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    x0, top, x1, bottom = (round(v * dpi / 72) for v in TABLE4_CROP_PT)
    return _image_pdf(image.crop((x0, top, x1, bottom)), dpi)


def _cluster(values: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


@pytest.fixture(scope="module")
def table4(tmp_path_factory) -> tuple[Page, Path]:
    cache = tmp_path_factory.mktemp("ocr")
    return ocr.ocr_page(_table4_pdf(), 0, cache, progress=lambda line: None), cache


# ---- the real OCR, on one small page -----------------------------------------------------------------

@has_ocr
def test_words_and_boxes_of_a_scanned_table(table4):
    page, _ = table4
    assert page.ocr and page.number == 1
    width, height = TABLE4_CROP_PT[2] - TABLE4_CROP_PT[0], TABLE4_CROP_PT[3] - TABLE4_CROP_PT[1]
    assert page.width == pytest.approx(width, abs=1) and page.height == pytest.approx(height, abs=1)
    for word in page.words:
        assert 0 <= word.x0 < word.x1 <= page.width + 1 and 0 <= word.y0 < word.y1 <= page.height + 1, word
    texts = [w.text for w in page.words]
    assert "行政复议" in texts and "行政诉讼" in texts and "复议后起诉" in texts
    review = next(w for w in page.words if w.text == "行政复议")
    litigation = next(w for w in page.words if w.text == "行政诉讼")
    assert review.x1 < litigation.x0 and abs(review.y0 - litigation.y0) < 3  # one header row, left to right
    # the value row: every printed value, in column order, below the headers; blank cells print nothing
    values_row = [w for w in page.words if w.y0 > review.y1 + 20 and w.text.isdigit()]
    values_row.sort(key=lambda w: w.x0)
    expected = [v for group in FIXTURES["word_2021"]["review_litigation"].values() for v in group.values()]
    assert [int(w.text) for w in values_row] == [v for v in expected if v is not None]


@has_ocr
def test_grid_lines_of_a_scanned_table(table4):
    page, _ = table4
    horizontal = [r for r in page.rules if r.horizontal]
    vertical = [r for r in page.rules if not r.horizontal]
    # table 四: 5 horizontal rules (top, under 行政复议/行政诉讼, under the group row, under the labels, bottom)
    assert len(_cluster([r.y0 for r in horizontal])) == 5
    # 16 vertical rules bound the 15 columns
    assert len(_cluster([r.x0 for r in vertical])) == 16
    heading = next(w for w in page.words if "四、" in w.text)
    assert all(r.y0 > heading.y1 for r in horizontal), "the heading above the table drew no rule"


@has_ocr
def test_a_rerun_reads_the_cache_not_the_page(table4, monkeypatch):
    page, cache = table4
    files = list(cache.glob("*.json"))
    assert len(files) == 1 and len(files[0].stem) == 64  # sha256 of the page image
    monkeypatch.setattr(ocr, "_engine", lambda: pytest.fail("OCR ran although the page is cached"))
    lines: list[str] = []
    again = ocr.ocr_page(_table4_pdf(), 0, cache, progress=lines.append)
    assert again == page
    assert lines == [f"OCR page 1/1: {len(page.words)} text boxes, {len(page.rules)} rules (cached)"]


# ---- bitmap rules without OCR ------------------------------------------------------------------------

def test_find_rules_keeps_the_grid_and_drops_strokes_of_text():
    image = np.full((400, 600), 255, np.uint8)
    for y in (50, 100, 150, 300):  # four horizontal rules of a 3-column grid
        image[y:y + 2, 40:561] = 0
    for x in (40, 200, 380, 560):
        image[50:302, x:x + 2] = 0
    image[110:135, 100:103] = 0  # the stroke of a `1` inside a cell, not reaching a rule
    image[360:362, 60:100] = 0  # a `——` below the table, meeting nothing
    image[200:250, 250:330] = 0  # a filled block: too thick to be a rule
    rules = find_rules(image, scale=2.0)
    horizontal = sorted(round(r.y0) for r in rules if r.horizontal)
    vertical = sorted(round(r.x0) for r in rules if not r.horizontal)
    assert horizontal == [51, 101, 151, 301]
    assert vertical == [41, 201, 381, 561]


def test_find_rules_on_a_blank_page():
    assert find_rules(np.full((300, 200), 255, np.uint8), scale=1.0) == []


def test_a_ruled_cell_with_ink_but_no_detected_word_is_read_on_its_own():
    """Lone digits are what the detector misses; such a cell is recognised alone, empty cells are not."""
    image = np.full((200, 400), 255, np.uint8)
    for y in (20, 100, 180):
        image[y:y + 2, 20:381] = 0
    for x in (20, 200, 380):
        image[20:182, x:x + 2] = 0
    image[50:70, 100:110] = 0  # ink in the top-left cell: a digit the detector missed
    image[130:150, 280:290] = 0  # ink in the bottom-right cell, already read as a word
    calls: list[tuple[int, ...]] = []

    def engine(crop, **kwargs):
        assert kwargs == {"use_det": False, "use_cls": False}
        calls.append(crop.shape)
        return [["O", 0.9]], None  # read as the letter O: a lone number cell, so 0

    word = ["5", 278.0, 128.0, 292.0, 152.0, 0.99]
    rules = find_rules(image, scale=1.0)
    found = ocr._reread_cells(engine, image, [word], rules, scale=1.0)
    assert len(calls) == 1  # not the empty cells, not the cell that has its word
    assert found == [["0", 100.0, 50.0, 110.0, 70.0, 0.9]]


def test_a_word_read_across_ruled_cells_is_cut_at_the_rules():
    """The detector may run one header line over several cells (总计结果结果其他尚未 in a real scan):
    the word is cut at the vertical rules crossing it and each piece is read alone."""
    image = np.full((100, 400), 255, np.uint8)
    image[10:12, 10:391] = 0
    image[88:90, 10:391] = 0
    for x in (10, 130, 250, 390):
        image[10:90, x:x + 2] = 0
    for x in (60, 180, 300):  # one glyph in each of the three cells
        image[40:60, x:x + 20] = 0
    pieces = iter([[["总计", 0.98]], [["结果", 0.97]], [["其他", 0.2]]])  # the last one is not sure enough
    engine = lambda crop, **kwargs: (next(pieces), None)  # noqa: E731
    word = ["总计结果其他", 50.0, 35.0, 330.0, 65.0, 0.99]
    short = ["7", 140.0, 38.0, 160.0, 62.0, 0.95]  # inside one cell: kept as it is
    rules = find_rules(image, scale=1.0)
    assert ocr._split_at_rules(engine, image, [word, short], rules) == [
        ["总计", 60.0, 40.0, 80.0, 60.0, 0.98], ["结果", 180.0, 40.0, 200.0, 60.0, 0.97], short]


def test_a_long_rule_through_a_word_is_kept_a_short_stroke_is_not():
    word = ["总计结果", 100.0, 50.0, 300.0, 70.0, 0.99]
    assert ocr._in_text(ocr.Rule(200, 55, 200, 75), [word])  # 20 px: a stroke of the text
    assert not ocr._in_text(ocr.Rule(200, 0, 200, 200), [word])  # crosses the whole row: a rule


@pytest.mark.parametrize("raw, clean", [
    pytest.param("O", "0", id="letter-O-alone"),
    pytest.param("1O0", "100", id="letter-O-in-a-number"),
    pytest.param("l2", "12", id="letter-l-in-a-number"),
    pytest.param("Ol", "Ol", id="letters-only-kept"),
    pytest.param("其他", "其他", id="text-kept"),
    pytest.param(" 7730.28 ", "7730.28", id="decimal-trimmed"),
])
def test_letters_read_for_digits_are_fixed_only_inside_numbers(raw, clean):
    assert ocr._clean(raw) == clean


# ---- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data, index, message", [
    pytest.param(b"not a pdf at all", 0, "not a readable PDF", id="not-a-pdf"),
    pytest.param(b"%PDF-1.7\n1 0 obj <<", 0, "not a readable PDF", id="truncated"),
    pytest.param(None, 3, "page 4 asked for OCR, the PDF has 1", id="page-out-of-range"),
])
def test_bad_input_is_one_clear_error(tmp_path, data, index, message):
    data = data if data is not None else _blank_pdf(100, 100)
    with pytest.raises(IngestError, match=message):
        ocr.ocr_page(data, index, tmp_path, progress=lambda line: None)


def test_ocr_not_installed_is_one_clear_error(tmp_path, monkeypatch):
    ocr._engine.cache_clear()
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails as if not installed
    try:
        with pytest.raises(IngestError, match=r"pip install 'nianbao\[ocr\]'"):
            ocr.ocr_page(_blank_pdf(200, 200), 0, tmp_path, progress=lambda line: None)
        assert not ocr.ocr_installed()
    finally:
        ocr._engine.cache_clear()


def test_a_huge_page_is_rendered_within_the_size_cap(tmp_path, monkeypatch):
    seen: list[tuple[int, ...]] = []

    def engine(image, **kwargs):
        seen.append(image.shape)
        return None, None  # RapidOCR's answer for a page without text

    monkeypatch.setattr(ocr, "_engine", lambda: engine)
    page = ocr.ocr_page(_blank_pdf(14400, 7200), 0, tmp_path, progress=lambda line: None)
    assert seen == [(1000, 2000)]
    assert page.words == [] and page.rules == [] and (page.width, page.height) == (14400, 7200)
    cached = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert cached["version"] == ocr.OCR_VERSION


def _blank_pdf(width: float, height: float) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(width, height)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
