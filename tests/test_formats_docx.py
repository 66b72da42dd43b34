"""Word readers: .docx built here with python-docx (values chosen first), merges, bad containers, .doc."""

from __future__ import annotations

import io
import shutil
import time
import zipfile

import docx
import pytest

from pipeline.core import IngestError
from pipeline.extract import extract_document
from pipeline.formats import office
from pipeline.formats.docx import read_docx
from pipeline.ingest import ingest_bytes

TABLE2 = [  # 2021 shape of table 二, with the values chosen for this test
    ("第二十条第（一）项", None),
    ("信息内容", ["本年制发件数", "本年废止件数", "现行有效件数"]),
    ("规章", ["2", "0", "31"]),
    ("行政规范性文件", ["7", "5", "140"]),
    ("第二十条第（五）项", None),
    ("信息内容", ["本年处理决定数量", "", ""]),
    ("行政许可", ["550", "", ""]),
    ("第二十条第（六）项", None),
    ("信息内容", ["本年处理决定数量", "", ""]),
    ("行政处罚", ["4119", "", ""]),
    ("行政强制", ["195", "", ""]),
    ("第二十条第（八）项", None),
    ("信息内容", ["本年收费金额（单位：万元）", "", ""]),
    ("行政事业性收费", ["7730.28", "", ""]),
]
REVIEW = ["3", "1", "0", "0", "4", "0", "0", "0", "1", "1", "2", "0", "0", "0", "2"]


def _report() -> bytes:
    d = docx.Document()
    for line in ("洪泽区人民政府2023年政府信息公开工作年度报告", "一、总体情况", "本年主动公开政府信息1136条。",
                 "二、主动公开政府信息情况"):
        d.add_paragraph(line)
    t = d.add_table(rows=len(TABLE2), cols=4)
    for r, (label, values) in enumerate(TABLE2):
        if values is None:  # a band row: one cell over the four columns
            t.cell(r, 0).merge(t.cell(r, 3)).text = label
            continue
        t.cell(r, 0).text = label
        nonblank = [v for v in values if v]
        if len(nonblank) == 1 and r and TABLE2[r][0] != "信息内容":
            t.cell(r, 1).merge(t.cell(r, 3)).text = nonblank[0]
        elif TABLE2[r][0] == "信息内容" and values[1] == "":
            t.cell(r, 1).merge(t.cell(r, 3)).text = values[0]
        else:
            for c, v in enumerate(values, start=1):
                t.cell(r, c).text = v
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    _review_table(d)
    d.add_paragraph("五、存在的主要问题及改进情况")
    d.add_paragraph("六、其他需要报告的事项")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _review_table(d) -> None:  # type: ignore[no-untyped-def]
    """Table 四 with its three-level header: 行政复议 over five columns, 行政诉讼 over ten, two groups."""
    t = d.add_table(rows=4, cols=15)
    t.cell(0, 0).merge(t.cell(1, 4)).text = "行政复议"
    t.cell(0, 5).merge(t.cell(0, 14)).text = "行政诉讼"
    t.cell(1, 5).merge(t.cell(1, 9)).text = "未经复议直接起诉"
    t.cell(1, 10).merge(t.cell(1, 14)).text = "复议后起诉"
    for c, name in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3):
        t.cell(2, c).text = name
    for c, v in enumerate(REVIEW):
        t.cell(3, c).text = v


@pytest.fixture(scope="module")
def report():
    return ingest_bytes("report.docx", _report())


def test_docx_tables_are_grids_with_merges_resolved(report):
    assert report.kind == "docx" and len(report.grids) == 2
    band = report.grids[0].rows[0]
    assert [c.text for c in band] == ["第二十条第(一)项"] * 4 and [c.spanned for c in band] == [False, True, True, True]
    review = report.grids[1].rows
    assert review[0][0].text == "行政复议" and review[1][0].spanned  # a vertical (vMerge) and horizontal merge
    assert [c.text for c in review[3]] == REVIEW
    assert report.view.splitlines()[:2] == ["洪泽区人民政府2023年政府信息公开工作年度报告", "一、总体情况"]


def test_docx_report_extracts_the_chosen_values_with_table_cell_provenance(report):
    record = extract_document(report).model_dump(mode="json")
    ad = record["active_disclosure"]
    assert ad["template"] == "2021"
    assert ad["regulations"] == {"issued": 2, "repealed": 0, "in_force": 31}
    assert ad["normative_documents"] == {"issued": 7, "repealed": 5, "in_force": 140}
    assert (ad["licensing"]["decisions"], ad["punishment"]["decisions"], ad["enforcement"]["decisions"]) == (550, 4119, 195)
    assert ad["fees"]["amount_wan"] == pytest.approx(7730.28)
    rl = record["review_litigation"]
    assert rl["review"] == {"upheld": 3, "corrected": 1, "other": 0, "pending": 0, "total": 4}
    assert rl["litigation_after_review"] == {"upheld": 2, "corrected": 0, "other": 0, "pending": 0, "total": 2}
    span = record["provenance"]["active_disclosure.normative_documents.in_force"]
    assert report.text[span["start"]:span["end"]] == "140"
    assert {k: span[k] for k in ("table", "row", "col")} == {"table": 1, "row": 4, "col": 4}
    assert "page" not in span and record["source"]["format"] == "docx"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _zip_version(version: int) -> bytes:
    """A zip whose central directory says it needs a zip version `zipfile` does not know."""
    data = bytearray(_zip({"word/document.xml": b"<w:document/>"}))
    at = data.find(b"PK\x01\x02")
    data[at + 6:at + 8] = version.to_bytes(2, "little")
    return bytes(data)


@pytest.mark.parametrize("make,message", [
    pytest.param(lambda: b"PK\x03\x04" + b"\x00" * 200, "bad zip container", id="corrupt"),
    pytest.param(lambda: _report()[:3000], "bad zip container", id="truncated"),
    pytest.param(lambda: _zip({"word/document.xml": b"\x00" * 5_000_000}), "zip bomb", id="zip-bomb"),
    pytest.param(lambda: _zip({"xl/workbook.xml": b"<workbook/>"}), "not a Word .docx", id="xlsx"),
    pytest.param(lambda: _zip({"word/document.xml": b"<not xml"}), "Word .docx", id="broken-xml"),
    pytest.param(lambda: _zip_version(119), "bad zip container", id="unknown-zip-version"),
])
def test_bad_docx_one_clear_error_quickly(make, message):
    data = make()
    began = time.perf_counter()
    with pytest.raises(IngestError, match=message):
        ingest_bytes("bad.docx", data)
    assert time.perf_counter() - began < 5


@pytest.mark.parametrize("name,data", [
    pytest.param("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, id="doc"),
    pytest.param("old.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, id="wps"),
])
def test_old_word_without_libreoffice_says_how_to_convert(monkeypatch, name, data):
    monkeypatch.setattr(office.shutil, "which", lambda _: None)
    with pytest.raises(IngestError, match="needs LibreOffice.*save the file as .docx"):
        ingest_bytes(name, data)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_old_word_damaged_with_libreoffice_is_a_clear_error():
    with pytest.raises(IngestError, match="LibreOffice could not convert"):
        ingest_bytes("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)


def test_read_docx_directly_keeps_empty_cells_as_cells():
    d = docx.Document()
    t = d.add_table(rows=1, cols=3)
    t.cell(0, 0).text, t.cell(0, 2).text = "规章", "5"
    out = io.BytesIO()
    d.save(out)
    doc = read_docx("t.docx", out.getvalue())
    assert doc.view == "规章\t\t5\n" and [c.text for c in doc.grids[0].rows[0]] == ["规章", "", "5"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_old_word_doc_through_libreoffice(tmp_path):
    (tmp_path / "report.docx").write_bytes(_report())
    import subprocess

    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "doc", "--outdir", str(tmp_path), str(tmp_path / "report.docx")], capture_output=True, timeout=120)
    data = (tmp_path / "report.doc").read_bytes()
    doc = ingest_bytes("report.doc", data)
    assert doc.kind == "docx" and len(doc.grids) == 2
    assert [c.text for c in doc.grids[1].rows[3] if not c.spanned] == REVIEW  # the conversion may add grid columns
    record = extract_document(doc).model_dump(mode="json")
    assert record["active_disclosure"]["fees"]["amount_wan"] == pytest.approx(7730.28)
    assert record["review_litigation"]["litigation_direct"]["total"] == 1


def test_paragraphs_inside_content_controls_are_read():
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    d.add_paragraph("一、总体情况")
    sdt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>二、主动公开政府信息情况</w:t></w:r></w:p>"
                    "</w:sdtContent></w:sdt>")
    d.element.body.insert(1, sdt)
    out = io.BytesIO()
    d.save(out)
    assert read_docx("t.docx", out.getvalue()).text == "一、总体情况\n二、主动公开政府信息情况\n"


def test_a_layout_table_holding_the_report_is_read_as_blocks():
    d = docx.Document()
    frame = d.add_table(rows=1, cols=1).cell(0, 0)
    frame.paragraphs[0].text = "四、政府信息公开行政复议、行政诉讼情况"
    inner = frame.add_table(rows=1, cols=3)
    for c, v in enumerate(["行政复议", "3", "1"]):
        inner.cell(0, c).text = v
    frame.add_paragraph("五、存在的主要问题及改进情况")
    out = io.BytesIO()
    d.save(out)
    doc = read_docx("framed.docx", out.getvalue())
    # python-docx, like Word, keeps an empty paragraph after a table inside a cell
    assert doc.text == "四、政府信息公开行政复议、行政诉讼情况\n行政复议\t3\t1\n\n五、存在的主要问题及改进情况\n"
    assert len(doc.grids) == 1 and doc.location(doc.grids[0].rows[0][1].start) == {"table": 1, "row": 1, "col": 2}


def _numbered(paragraphs: list[tuple[str, int | None]]) -> bytes:
    """A .docx whose headings are Word list numbers: level 0 `一、`, level 1 `（一）` (chineseCounting)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f"<w:abstractNum {nsdecls('w')} w:abstractNumId='90'>"
        "<w:lvl w:ilvl='0'><w:start w:val='1'/><w:numFmt w:val='chineseCounting'/><w:lvlText w:val='%1、'/></w:lvl>"
        "<w:lvl w:ilvl='1'><w:start w:val='1'/><w:numFmt w:val='chineseCounting'/><w:lvlText w:val='（%2）'/></w:lvl>"
        "</w:abstractNum>"))
    numbering.append(parse_xml(f"<w:num {nsdecls('w')} w:numId='90'><w:abstractNumId w:val='90'/></w:num>"))
    for text, level in paragraphs:
        p = d.add_paragraph(text)
        if level is not None:
            p._p.get_or_add_pPr().append(parse_xml(
                f"<w:numPr {nsdecls('w')}><w:ilvl w:val='{level}'/><w:numId w:val='90'/></w:numPr>"))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_automatic_list_numbers_are_written_out():
    data = _numbered([("总体情况", 0), ("主动公开情况", 1), ("依申请公开情况", 1), ("本年收到申请21件。", None),
                      ("主动公开政府信息情况", 0), ("规章", 1)])
    assert read_docx("numbered.docx", data).text.splitlines() == [
        "一、总体情况", "（一）主动公开情况", "（二）依申请公开情况", "本年收到申请21件。", "二、主动公开政府信息情况",
        "（一）规章"]


def test_damaged_docx_bytes_give_a_record_or_a_clear_error():
    import random

    from pipeline.core import NianbaoError

    rng = random.Random(7)
    data = _report()
    for _ in range(60):
        damaged = bytearray(data)
        for _ in range(rng.choice([1, 5, 50])):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        try:
            extract_document(ingest_bytes("damaged.docx", bytes(damaged[: rng.randrange(len(damaged) // 2, len(damaged) + 1)])))
        except NianbaoError:
            pass
