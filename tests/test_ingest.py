"""Ingest: encodings, bad input, normalisation that keeps offsets, HTML grids."""

from __future__ import annotations

import codecs

import pytest

from pipeline.core import IngestError, normalise, squash
from pipeline.ingest import ingest, ingest_bytes
from pipeline.sections import find_sections

TEXT = "一、总体情况\n本年收到申请８件。\n"


@pytest.mark.parametrize("data", [
    pytest.param(TEXT.encode("utf-8"), id="utf-8"),
    pytest.param(b"\xef\xbb\xbf" + TEXT.encode("utf-8"), id="utf-8-bom"),
    pytest.param(TEXT.encode("gb18030"), id="gb18030"),
    pytest.param(TEXT.encode("gbk"), id="gbk"),
])
def test_decodes_utf8_and_gb18030(data):
    assert ingest_bytes("r.txt", data).text == TEXT


TRADITIONAL = ("一、總體情況\n本機關本年度共收到政府資訊公開申請８件，其中予以公開５件，部分公開２件，不予公開１件。"
               "本年度主動公開各類政府資訊1234條，較上年增長百分之十。\n二、主動公開政府資訊情況\n")

RARE_NAMES = "一、总体情况\n本机关本年度共收到政府信息公开申请8件，经办人喆，均已按时答复。" * 3


@pytest.mark.parametrize(("data", "text"), [
    pytest.param(TEXT.encode("utf-16"), TEXT, id="utf-16-bom-native"),
    pytest.param(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), TEXT, id="utf-16-le-bom"),
    pytest.param(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), TEXT, id="utf-16-be-bom"),
    pytest.param(codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), TEXT, id="utf-32-le-bom"),
    pytest.param(TRADITIONAL.encode("big5"), TRADITIONAL, id="big5"),
    pytest.param(TRADITIONAL.encode("cp950"), TRADITIONAL, id="cp950"),
    pytest.param(RARE_NAMES.encode("gb18030"), RARE_NAMES, id="gb18030-with-rare-names"),
])
def test_decodes_wide_unicode_and_big5(data, text):
    assert ingest_bytes("r.txt", data).text == text


def test_big5_is_not_read_as_gb18030_garbage():
    data = TRADITIONAL.encode("big5")
    assert data.decode("gb18030")  # GB18030 takes these bytes without complaint: the garbage the check stops
    assert "資訊公開" in ingest_bytes("r.txt", data).text


@pytest.mark.parametrize(("data", "message"), [
    pytest.param(TEXT.encode("utf-16-le"), "UTF-16 text without a byte-order mark", id="utf-16-no-bom"),
    pytest.param(codecs.BOM_UTF16_LE + b"\x00\xd8a\x00", "utf-16-le byte-order mark", id="bad-utf-16"),
    pytest.param(TRADITIONAL.encode("gbk") * 2, "GB18030 and Big5 both give rare characters", id="neither-clearly"),
])
def test_undecidable_encodings_get_a_clear_error(data, message):
    with pytest.raises(IngestError, match=message):
        ingest_bytes("r.txt", data)


def test_cr_only_line_ends_give_sections_with_offsets_into_the_source():
    text = "一、总体情况\r本年收到申请8件。\r二、主动公开政府信息情况\r略。\r三、收到和处理政府信息公开申请情况\r略。\r"
    doc = ingest_bytes("mac.txt", text.encode("utf-8"))
    assert doc.text == text and len(doc.view) == len(text) and "\r" not in doc.view
    sections = find_sections(doc)
    assert [s.key for s in sections][:3] == ["overview", "active_disclosure", "applications"]
    assert doc.text[sections[1].start:].startswith("二、主动公开")
    crlf = ingest_bytes("dos.txt", text.replace("\r", "\r\n").encode("utf-8"))
    assert crlf.view.count("\n") == text.count("\r")  # CRLF stays one line end


@pytest.mark.parametrize("data,message", [
    pytest.param(b"", "empty", id="empty"),
    pytest.param(b"   \n\n", "empty", id="whitespace"),
    pytest.param(b"%PDF-1.7\n...", "PDF", id="pdf"),
    pytest.param(b"PK\x03\x04rest", "zip", id="docx"),
    pytest.param(b"\x00\x01\x02binary" * 50, "binary", id="nul-bytes"),
    pytest.param(b"\x81\x30\x81", "not decodable", id="truncated-gb18030"),
])
def test_bad_input_gets_a_clear_error(data, message):
    with pytest.raises(IngestError, match=message):
        ingest_bytes("bad.txt", data)


def test_size_limit_and_missing_file(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2048)
    with pytest.raises(IngestError, match="over the"):
        ingest(big, max_bytes=1024)
    with pytest.raises(IngestError, match="cannot read"):
        ingest(tmp_path / "nope.txt")


def test_normalisation_keeps_offsets():
    raw = "商 业\xa0企 业（一）１２３，４５％"
    assert len(normalise(raw)) == len(raw)
    assert normalise(raw).endswith("(一)123,45%")
    assert squash(raw) == "商业企业(一)123,45%"


def test_html_tables_become_grids_with_source_offsets():
    html = ("<html><body><p>二、主动公开政府信息情况</p><table><tr><td rowspan='2'>行政许可</td><td>1&nbsp;234</td>"
            "</tr><tr><td>5</td></tr></table></body></html>")
    doc = ingest_bytes("page.html", html.encode("utf-8"))
    assert doc.kind == "html" and len(doc.grids) == 1
    rows = doc.grids[0].rows
    assert [c.text for c in rows[0]] == ["行政许可", "1 234"]
    assert rows[1][0].spanned and rows[1][1].text == "5"
    start, end = doc.to_source(rows[1][1].start, rows[1][1].end)
    assert doc.text[start:end] == "5"


def test_layout_tables_are_page_structure_not_grids():
    from pipeline.ingest import ingest
    from tests.conftest import ROOT

    doc = ingest(ROOT / "tests" / "data" / "layout_table_page.html")
    assert len(doc.grids) == 1  # only the data table inside the page's layout table
    lines = doc.view.splitlines()
    assert lines.index("一、总体情况") < lines.index("二、主动公开政府信息情况") < lines.index("规章\t1\t0\t5")


def test_empty_paragraphs_are_empty_cells():
    from pipeline.html_render import render_html

    view = render_html("<p>8</p><p>2</p><p></p><p>&nbsp;</p><p>1</p>")[0]
    assert view.split("\n")[:5] == ["8", "2", "\t", "\t", "1"]
