"""Reflow: a report with its line breaks lost (a crawled page on one line) reads as lines again."""

from __future__ import annotations

import pytest

from pipeline.core import normalise
from pipeline.ingest import ingest_bytes
from pipeline.sections import find_sections

PROSE = "根据《条例》要求，编制本报告。" * 12  # long enough that the line is longer than any heading


@pytest.mark.parametrize("text,lines", [
    pytest.param(PROSE + "一、总体情况2021年，我区坚持公开。二、主动公开政府信息情况 第二十条第（一）项信息内容",
                 ["一、总体情况", "2021年，我区坚持公开。", "二、主动公开政府信息情况"], id="headings-mid-line"),
    pytest.param(PROSE + "（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开0000000"
                 "3.危及“三安全一稳定”0000000",
                 ["1.属于国家秘密0000000", "2.其他法律行政法规禁止公开0000000"], id="numbering-glued-to-digits"),
    pytest.param(PROSE + "规章 000行政规范性文件693665第二十条第（五）项信息内容本年处理决定数量行政许可2293",
                 ["规章 000", "行政规范性文件693665", "行政许可2293"], id="table-two-rows"),
    pytest.param(PROSE + "四、政府信息公开行政复议、行政诉讼情况 行政复议行政诉讼结果维持总计10203120001200000"
                 "五、存在的主要问题及改进情况（一）问题",
                 ["10203120001200000", "五、存在的主要问题及改进情况"], id="table-four-row-after-header"),
])
def test_breaks_before_anchors(text, lines):
    doc = ingest_bytes("page.txt", text.encode("utf-8"))
    view_lines = [ln.strip() for ln in doc.view.split("\n")]
    for line in map(normalise, lines):
        assert any(v.endswith(line) or v == line for v in view_lines), (line, view_lines)


def test_offsets_still_point_into_the_source():
    text = PROSE + "一、总体情况2021年，我区坚持公开。二、主动公开政府信息情况内容。三、收到和处理政府信息公开申请情况"
    doc = ingest_bytes("page.txt", text.encode("utf-8"))
    sections = find_sections(doc)
    assert [s.key for s in sections] == ["overview", "active_disclosure", "applications"]
    for s in sections:
        start, _ = doc.to_source(s.start, s.end)
        assert text[start:].startswith(s.title)


@pytest.mark.parametrize("text", [
    pytest.param("一、总体情况\n本局坚持公开。\n二、主动公开政府信息情况\n规章 0 0 0\n", id="ordinary-lines"),
    pytest.param(PROSE * 3, id="long-prose-without-anchors"),
])
def test_text_with_lines_is_left_alone(text):
    doc = ingest_bytes("r.txt", text.encode("utf-8"))
    assert doc.view_map is None and doc.view.count("\n") == text.count("\n")


def test_prose_before_the_tables_keeps_its_sentences():
    text = (PROSE + "一、总体情况全年办理行政许可2293件，行政处罚1282件，行政强制42件，行政事业性收费12万元。"
            "二、主动公开政府信息情况 第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章 000行政规范性文件693665"
            "三、收到和处理政府信息公开申请情况")
    doc = ingest_bytes("page.txt", text.encode("utf-8"))
    overview = doc.view[doc.view.index("一、总体情况"):doc.view.index("二、主动公开")]
    assert "行政许可2293件,行政处罚1282件,行政强制42件" in overview.replace("\n", "|")
    assert "\n规章 000" in doc.view and "\n行政规范性文件693665" in doc.view
