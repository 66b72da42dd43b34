"""Ingest: encodings, bad input, normalisation that keeps offsets, HTML grids."""

from __future__ import annotations

import pytest

from pipeline.core import IngestError, normalise, squash
from pipeline.ingest import ingest, ingest_bytes

TEXT = "一、总体情况\n本年收到申请８件。\n"


@pytest.mark.parametrize("data", [
    pytest.param(TEXT.encode("utf-8"), id="utf-8"),
    pytest.param(b"\xef\xbb\xbf" + TEXT.encode("utf-8"), id="utf-8-bom"),
    pytest.param(TEXT.encode("gb18030"), id="gb18030"),
    pytest.param(TEXT.encode("gbk"), id="gbk"),
])
def test_decodes_utf8_and_gb18030(data):
    assert ingest_bytes("r.txt", data).text == TEXT


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
