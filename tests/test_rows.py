"""Row assembly: values paired with the label they belong to, in the orders real layouts print them."""

from __future__ import annotations

import pytest

from pipeline.sections import find_sections
from pipeline.tables import parse_tables

HEAD = "三、收到和处理政府信息公开申请情况\n"
TAIL = "\n四、政府信息公开行政复议、行政诉讼情况\n"
COLS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total")


def _rows(make_doc, lines: list[str]) -> dict[str, list]:
    doc = make_doc(HEAD + "\n".join(lines) + TAIL)
    table = parse_tables(doc, find_sections(doc))["applications"]
    keys = {p.split(".")[1] for p in table.cells}
    return {k: [table.value(f"applications.{k}.{c}") for c in COLS] for k in keys}


def test_values_printed_before_their_label(make_doc):
    rows = _rows(make_doc, ["二、上年结转政府信息公开申请数量", *"0000000", *"1000001", "（一）予以公开",
                            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", *"0000000"])
    assert rows["carried_over"] == [0] * 7
    assert rows["granted"] == [1, 0, 0, 0, 0, 0, 1]
    assert rows["partially_granted"] == [0] * 7


def test_label_wrapped_after_the_line_with_its_values(make_doc):
    rows = _rows(make_doc, ["|（三）不予|1.属于国家秘密  |0|0|0|0|0|0|0|",
                            "|公开      |2.其他法律行政  |0|1|0|0|0|0|1|",
                            "|          |法规禁止公开    | | | | | | | |",
                            "|          |3.危及“三安全一稳定”|0|0|0|0|0|0|0|",
                            "|（五）不予|5.要求行政机关  |2|0|0|0|0|0|2|",
                            "|处理      |确认或重新出    | | | | | | | |",
                            "|          |具已获取信息    | | | | | | | |"])
    assert rows["denied_prohibited_by_law"] == [0, 1, 0, 0, 0, 0, 1]
    assert rows["denied_three_safeties"] == [0] * 7
    assert rows["declined_confirmation"] == [2, 0, 0, 0, 0, 0, 2]


@pytest.mark.parametrize("lines,key,expected", [
    pytest.param(["（三）不予公开", "1.属于国家秘密", *"3000003"], "denied_state_secret", [3, 0, 0, 0, 0, 0, 3],
                 id="group-heading-is-not-a-row"),
    pytest.param(["一、本年新收政府信息公开申请数量 5 1 0", "某某局政府信息公开工作年度报告", "0 0 0 6"], "new_received",
                 [5, 1, 0, 0, 0, 0, 6], id="running-header-inside-a-row"),
])
def test_headings_and_stray_words(make_doc, lines, key, expected):
    assert _rows(make_doc, lines)[key] == expected


@pytest.mark.parametrize("label,key", [
    pytest.param("1.属于国家秘蜜", "denied_state_secret", id="one-wrong-char"),
    pytest.param("2.重复申靖", "declined_duplicate", id="short-label"),
    pytest.param("本机关不掌捤相关政府信息", "unavailable_not_held", id="ocr-radical"),
    pytest.param("第 3 页 共 8 页", None, id="furniture-is-no-row"),
    pytest.param("扃亍彳亍政亘氵旬聿顶", None, id="too-damaged"),
])
def test_near_label(label, key):
    from pipeline.tables import specs as S
    from pipeline.tables.rows import near_label

    assert near_label(label, S.APP_CANON, S.APP_ORDER) == key


def test_noisy_labels_read_when_values_follow(make_doc):
    rows = _rows(make_doc, ["（一）予以公开 2 0 0 0 0 0 2", "1.属于国家秘蜜 1 0 0 0 0 0 1", "2.重复申靖 1 0 0 0 0 0 1"])
    assert rows["denied_state_secret"] == [1, 0, 0, 0, 0, 0, 1] and rows["declined_duplicate"] == [1, 0, 0, 0, 0, 0, 1]
