"""PDF reader: the real published example end to end, and bad PDFs each with one clear error."""

from __future__ import annotations

import ctypes
import io
import json
import sys
import time

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest

from pipeline.core import IngestError
from pipeline.extract import extract_document
from pipeline.formats.pdf import MAX_PAGES, read_pdf
from pipeline.ingest import ingest, ingest_bytes
from tests.conftest import ROOT

REAL = ROOT / "evals" / "real"
BAD = ROOT / "tests" / "data" / "pdf_bad"


def _cells(table: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_cells(value, f"{prefix}{key}."))
        elif key != "template":
            out[prefix + key] = value
    return out


@pytest.fixture(scope="module")
def hzq():
    doc = ingest(REAL / "hzq_2023.pdf")
    return doc, extract_document(doc).model_dump(mode="json")


@pytest.mark.parametrize("table", ["active_disclosure", "applications", "review_litigation"])
def test_real_pdf_every_gold_cell(hzq, table):
    gold = json.loads((REAL / "hzq_2023.json").read_text(encoding="utf-8"))
    _, record = hzq
    assert _cells(record[table]) == _cells(gold[table])
    if "template" in gold[table]:
        assert record[table]["template"] == gold[table]["template"]


def test_real_pdf_meta_findings_and_sections(hzq):
    gold = json.loads((REAL / "hzq_2023.json").read_text(encoding="utf-8"))
    doc, record = hzq
    assert {k: record["meta"][k] for k in ("agency", "year", "template")} == \
        {k: gold["meta"][k] for k in ("agency", "year", "template")}
    errors = {f["rule"] for f in record["findings"] if f["severity"] == "error"}
    assert errors == {f if isinstance(f, str) else f["rule"] for f in gold["expected_findings"]}  # 三 keeps the 2019 （六）其他处理; 四 breaks its totals
    assert [s["key"] for s in record["sections"]] == ["overview", "active_disclosure", "applications",
                                                      "review_litigation", "problems", "other"]
    assert record["source"]["format"] == "pdf" and doc.kind == "pdf"


def test_real_pdf_grids_and_furniture(hzq):
    doc, _ = hzq
    assert len(doc.grids) == 3  # 二 joined over pages 2-3, 三 joined over pages 3-4, 四
    assert all(len(g.rows[0]) >= 2 for g in doc.grids)  # no one-column "table" of shaded prose lines
    assert "- 3 -" not in doc.text and "-3-" not in doc.text
    assert "始终将政务公开工作摆在重要位置" in doc.text  # prose lines joined into paragraphs
    vertical = [row[0].text for row in doc.grids[1].rows if row[0].text and not row[0].spanned]
    assert "三、本年度办理结果" in vertical


@pytest.mark.parametrize("path,page,text", [
    pytest.param("active_disclosure.fees.amount_wan", 3, "7730.28", id="fees-page-3"),
    pytest.param("applications.new_received.total", 3, "21", id="applications-page-3"),
    pytest.param("applications.other_handling.total", 4, "0", id="continued-on-page-4"),
    pytest.param("review_litigation.litigation_after_review.upheld", 4, "5", id="review-page-4"),
])
def test_real_pdf_provenance_has_page_and_box(hzq, path, page, text):
    doc, record = hzq
    span = record["provenance"][path]
    assert doc.text[span["start"]:span["end"]] == text
    assert span["page"] == page
    x0, y0, x1, y1 = span["box"]
    assert 0 <= x0 < x1 <= 595 and 0 <= y0 < y1 <= 842


def _blank_pdf(pages: int) -> bytes:
    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _image_only_pdf() -> bytes:
    """Page 1 of the real example rendered to pixels and put in a new PDF as its only content."""
    src = pdfium.PdfDocument(REAL / "hzq_2023.pdf")
    bitmap = src[0].render(scale=0.5)
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    image = pdfium.PdfImage.new(pdf)
    image.set_bitmap(bitmap)
    image.set_matrix(pdfium.PdfMatrix().scale(595, 842))
    page.insert_obj(image)
    page.gen_content()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _real() -> bytes:
    return (REAL / "hzq_2023.pdf").read_bytes()


@pytest.mark.parametrize("make,message", [
    pytest.param(lambda: b"%PDF-1.7\n" + b"\x00garbage" * 100, "not a readable PDF", id="corrupt"),
    pytest.param(lambda: _real()[: len(_real()) // 2], "not a readable PDF", id="truncated"),
    pytest.param(lambda: (BAD / "encrypted.pdf").read_bytes(), "encrypted", id="encrypted"),
    pytest.param(lambda: _blank_pdf(300), f"300 pages is over the {MAX_PAGES}-page limit", id="300-pages"),
    pytest.param(lambda: _blank_pdf(0), "not a readable PDF|without pages", id="no-pages"),
])
def test_bad_pdf_one_clear_error_quickly(make, message):
    data = make()
    began = time.perf_counter()
    with pytest.raises(IngestError, match=message):
        ingest_bytes("bad.pdf", data)
    assert time.perf_counter() - began < 5


def test_image_only_pdf_without_ocr_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pipeline.formats.ocr", None)  # as if OCR were not installed
    with pytest.raises(IngestError, match="rapidocr-onnxruntime") as err:
        read_pdf("scan.pdf", _image_only_pdf())
    assert err.value.data["page"] == 1


def test_a_text_layer_without_chinese_goes_to_ocr_or_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "pipeline.formats.ocr", None)
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    for i in range(30):  # 30 lines of Latin text: what a font without a Unicode map often extracts as
        obj = raw.FPDFPageObj_NewTextObj(pdf.raw, b"Helvetica", ctypes.c_float(10))
        buf = ctypes.create_string_buffer("Ghfk3 Tpq8r Lmz0w\0".encode("utf-16-le"))
        raw.FPDFText_SetText(obj, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
        raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 50, 800 - 15 * i)
        raw.FPDFPage_InsertObject(page.raw, obj)
    raw.FPDFPage_GenerateContent(page.raw)
    out = io.BytesIO()
    pdf.save(out)
    with pytest.raises(IngestError, match="no Chinese characters.*rapidocr-onnxruntime"):
        read_pdf("garbled.pdf", out.getvalue())


def test_blank_pages_are_not_scans():
    doc = read_pdf("blank.pdf", _blank_pdf(2))
    assert doc.text == "" and doc.grids == []


XS, YS = [50, 150, 250, 350], [100, 120, 140]  # a 2 x 3 grid, top-left origin


def _drawn_pdf(style: str, size: tuple[float, float] = (595, 842)) -> bytes:
    """One page: a shaded prose line, then a grid of digits drawn in `style`:
    `one-path` (every rule a subpath of one stroked path), `cell-rects` (a stroked rectangle per
    cell), `thin-fills` (each rule a thin filled rectangle, as Word draws borders)."""
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(*size)
    page_h = size[1]

    def add(obj, fill: bool, stroke: bool) -> None:  # type: ignore[no-untyped-def]
        raw.FPDFPath_SetDrawMode(obj, int(fill), int(stroke))
        raw.FPDFPage_InsertObject(page.raw, obj)

    def text(s: str, x: float, y: float) -> None:
        obj = raw.FPDFPageObj_NewTextObj(pdf.raw, b"Helvetica", ctypes.c_float(10))
        buf = ctypes.create_string_buffer((s + "\0").encode("utf-16-le"))
        raw.FPDFText_SetText(obj, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
        raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, page_h - y - 10)
        raw.FPDFPage_InsertObject(page.raw, obj)

    add(raw.FPDFPageObj_CreateNewRect(50, page_h - 80, 450, 20), fill=True, stroke=False)  # shading
    text("Report 2023", 55, 65)
    if style == "one-path":
        path = raw.FPDFPageObj_CreateNewPath(XS[0], page_h - YS[0])
        for y in YS:
            raw.FPDFPath_MoveTo(path, XS[0], page_h - y)
            raw.FPDFPath_LineTo(path, XS[-1], page_h - y)
        for x in XS:
            raw.FPDFPath_MoveTo(path, x, page_h - YS[0])
            raw.FPDFPath_LineTo(path, x, page_h - YS[-1])
        add(path, fill=False, stroke=True)
    elif style == "cell-rects":
        for y0, y1 in zip(YS, YS[1:], strict=False):
            for x0, x1 in zip(XS, XS[1:], strict=False):
                add(raw.FPDFPageObj_CreateNewRect(x0, page_h - y1, x1 - x0, y1 - y0), fill=False, stroke=True)
    else:
        for y in YS:
            add(raw.FPDFPageObj_CreateNewRect(XS[0], page_h - y - 0.5, XS[-1] - XS[0], 1), fill=True, stroke=False)
        for x in XS:
            add(raw.FPDFPageObj_CreateNewRect(x - 0.5, page_h - YS[-1], 1, YS[-1] - YS[0]), fill=True, stroke=False)
    for r, row in enumerate([["A", "12", "3"], ["B", "0", "45"]]):
        for c, value in enumerate(row):
            text(value, XS[c] + 5, YS[r] + 5)
    raw.FPDFPage_GenerateContent(page.raw)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _landscape_stored_rotated() -> bytes:
    """The `one-path` page drawn on an 842 x 595 landscape page, then stored as Word does: a portrait
    page whose content is turned a quarter and whose /Rotate 90 turns it back upright."""
    pdf = pdfium.PdfDocument(_drawn_pdf("one-path", size=(842, 595)))
    page = pdf[0]
    for obj in list(page.get_objects()):
        obj.transform(pdfium.PdfMatrix(0, 1, -1, 0, 595, 0))  # displayed (X, Y) -> stored (595 - Y, X)
    page.set_mediabox(0, 0, 595, 842)
    page.set_rotation(90)
    page.gen_content()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_rotated_landscape_page_reads_upright():
    doc = read_pdf("landscape.pdf", _landscape_stored_rotated())
    assert [[c.text for c in row] for g in doc.grids for row in g.rows] == [["A", "12", "3"], ["B", "0", "45"]]
    assert doc.text.splitlines()[0] == "Report 2023"
    assert doc.location(doc.grids[0].rows[1][2].start)["box"] == pytest.approx([250.0, 120.0, 350.0, 140.0], abs=0.1)


@pytest.mark.parametrize("style", ["one-path", "cell-rects", "thin-fills"])
def test_grids_however_drawn_and_shading_is_no_rule(style):
    doc = read_pdf("drawn.pdf", _drawn_pdf(style))
    assert [[c.text for c in row] for g in doc.grids for row in g.rows] == [["A", "12", "3"], ["B", "0", "45"]]
    assert doc.text.splitlines()[0] == "Report 2023"
    cell = doc.grids[0].rows[1][2]
    assert doc.location(cell.start) == {"page": 1, "box": [250.0, 120.0, 350.0, 140.0]}


def test_the_command_reads_a_folder_of_originals_and_goes_on_after_a_bad_one(tmp_path):
    import shutil

    from typer.testing import CliRunner

    from pipeline.cli import app

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REAL / "hzq_2023.pdf", folder)
    (folder / "locked.pdf").write_bytes((BAD / "encrypted.pdf").read_bytes())
    result = CliRunner().invoke(app, ["extract", str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "locked.pdf: ERROR (ingest)" in result.output and "encrypted" in result.output
    assert "hzq_2023.pdf: template 2021" in result.output
    record = json.loads((tmp_path / "out" / "hzq_2023.json").read_text(encoding="utf-8"))
    assert record["source"]["format"] == "pdf" and record["review_litigation"]["review"]["upheld"] == 10


def test_a_drawing_heavy_page_is_read_in_bounded_time():
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    for i in range(4000):  # a chart or a map: thousands of short strokes, no form
        path = raw.FPDFPageObj_CreateNewPath(50 + (i % 100) * 5, 100 + (i // 100) * 15)
        raw.FPDFPath_LineTo(path, 52 + (i % 100) * 5, 100 + (i // 100) * 15)
        raw.FPDFPath_SetDrawMode(path, 0, 1)
        raw.FPDFPage_InsertObject(page.raw, path)
    raw.FPDFPage_GenerateContent(page.raw)
    out = io.BytesIO()
    pdf.save(out)
    began = time.perf_counter()
    doc = read_pdf("chart.pdf", out.getvalue())
    assert time.perf_counter() - began < 5 and doc.grids == []


def test_damaged_pdf_bytes_give_a_record_or_a_clear_error():
    import random

    from pipeline.core import NianbaoError

    rng = random.Random(7)
    data = _real()
    began = time.perf_counter()
    for _ in range(20):  # 800 such runs by hand: no crash, at most 1.2 s each
        damaged = bytearray(data)
        for _ in range(rng.choice([1, 5, 50, 500])):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        try:
            extract_document(ingest_bytes("damaged.pdf", bytes(damaged)))
        except NianbaoError:
            pass
    assert time.perf_counter() - began < 30
