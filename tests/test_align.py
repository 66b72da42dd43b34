"""Template alignment: value rows with no recognisable label take the template row they stand in."""

from __future__ import annotations

import pytest

from pipeline.sections import find_sections
from pipeline.tables import parse_tables

HEAD = "一、总体情况\n本机关坚持公开。\n三、收到和处理政府信息公开申请情况\n"
TAIL = "四、政府信息公开行政复议、行政诉讼情况\n"
ROWS = [
    ("一、本年新收政府信息公开申请数量", "5 1 0 0 0 0 6"),
    ("二、上年结转政府信息公开申请数量", "0 0 0 0 0 0 0"),
    ("（一）予以公开", "3 1 0 0 0 0 4"),
    ("（二）部分公开", "1 0 0 0 0 0 1"),
    ("（七）总计", "5 1 0 0 0 0 6"),
    ("四、结转下年度继续办理", "0 0 0 0 0 0 0"),
]


def _table(rows: list[tuple[str, str]]) -> str:
    return "\n".join(f"| {label} | " + " | ".join(values.split()) + " |" for label, values in rows) + "\n"


def _read(text: str):
    from pipeline.ingest import ingest_bytes

    doc = ingest_bytes("r.md", text.encode("utf-8"))
    return parse_tables(doc, find_sections(doc))["applications"]


@pytest.mark.parametrize("blanked,expected", [
    pytest.param(1, {"carried_over": [0, 0, 0, 0, 0, 0, 0]}, id="numbers-only-row-in-its-position"),
    pytest.param(2, {"granted": [3, 1, 0, 0, 0, 0, 4]}, id="first-outcome-row-unlabelled"),
])
def test_unlabelled_row_takes_the_only_missing_position(blanked, expected):
    rows = [(("" if i == blanked else label), values) for i, (label, values) in enumerate(ROWS)]
    table = _read(HEAD + _table(rows) + TAIL)
    for key, values in expected.items():
        got = [table.value(f"applications.{key}.{c}") for c in
               ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
                "legal_service_org", "other_org", "total")]
        assert got == values
    assert any(f.rule == "tables.aligned" for f in table.findings)


def test_two_unlabelled_rows_for_one_gap_are_not_placed():
    rows = [*ROWS[:3], ("", "1 0 0 0 0 0 1"), ("", "2 0 0 0 0 0 2"), *ROWS[4:]]
    table = _read(HEAD + _table(rows) + TAIL)
    assert table.value("applications.partially_granted.total") is None


def test_a_fragment_of_another_rows_label_is_not_placed():
    rows = [*ROWS[:3], ("结转下年度", "1 0 0 0 0 0 1"), *ROWS[4:]]  # names carried_forward, not 部分公开
    table = _read(HEAD + _table(rows) + TAIL)
    assert table.value("applications.partially_granted.total") is None


@pytest.mark.parametrize("notes,expected", [
    pytest.param(("22（其中修订16件）", "55（含自然失效29件）"), {"regulations": [22, 22, 235], "normative_documents": [34, 55, 189]},
                 id="notes-name-the-column"),
    pytest.param(("4", "（其中失效 3 件）", "0"), {"regulations": [22, 4, 235], "normative_documents": [34, 0, 189]},
                 id="one-note-names-the-column-of-the-block"),
    pytest.param(("22（其中修订16件）", "55（含自然失效29件）", "7"), {"regulations": [None, None, None]},
                 id="more-loose-values-than-short-rows"),
    pytest.param(("22（说明）", "55（说明）"), {"regulations": [None, None, None], "normative_documents": [None, None, None]},
                 id="notes-name-no-column"),
])
def test_table_two_cells_printed_outside_with_a_note(notes, expected):
    text = ("一、总体情况\n坚持公开。\n二、主动公开政府信息情况\n第二十条第（一）项\n" + "\n".join(notes) + "\n"
            "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n| 规章 | 22 | 235 |\n| 行政规范性文件 | 34 | 189 |\n"
            "第二十条第（五）项\n| 行政许可 | 0 |\n三、收到和处理政府信息公开申请情况\n")
    from pipeline.ingest import ingest_bytes

    doc = ingest_bytes("r.md", text.encode("utf-8"))
    table = parse_tables(doc, find_sections(doc))["active_disclosure"]
    for key, values in expected.items():
        assert [table.value(f"active_disclosure.{key}.{f}") for f in ("issued", "repealed", "in_force")] == values


@pytest.mark.parametrize("rows,expected", [
    pytest.param("<tr><td>规章</td><td></td><td>1</td><td>3</td><td>0</td></tr>", [1, 3, 0], id="empty-cell-under-a-two-column-header"),
    pytest.param("<tr><td>规章</td><td>1</td><td>3</td><td>0</td><td>9</td></tr>", [3, 0, 9],
                 id="four-numbers-read-under-the-header-columns"),
    pytest.param("<tr><td>规章</td><td></td><td>6</td><td>0</td><td></td></tr>", [6, 0, None],
                 id="blank-first-and-last-cells-stay-in-their-columns"),
])
def test_cms_row_with_more_cells_than_columns(rows, expected):
    html = ("<html><body><p>一、总体情况</p><p>坚持公开。</p><p>二、主动公开政府信息情况</p><table>"
            "<tr><td colspan=2>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
            f"{rows}<tr><td>行政许可</td><td></td><td colspan=3>1643</td></tr></table>"
            "<p>三、收到和处理政府信息公开申请情况</p></body></html>")
    from pipeline.ingest import ingest_bytes

    doc = ingest_bytes("r.html", html.encode("utf-8"))
    table = parse_tables(doc, find_sections(doc))["active_disclosure"]
    assert [table.value(f"active_disclosure.regulations.{f}") for f in ("issued", "repealed", "in_force")] == expected
    assert table.value("active_disclosure.licensing.decisions") == 1643


def test_an_all_blank_grid_row_borrows_nothing_from_the_row_above():
    html = ("<html><body><p>一、总体情况</p><p>坚持公开。</p><p>二、主动公开政府信息情况</p><table>"
            "<tr><td colspan=2>信息内容</td><td colspan=3>本年处理决定数量</td></tr>"
            "<tr><td>行政处罚</td><td></td><td colspan=3>922</td></tr>"
            "<tr><td>行政强制</td><td></td><td></td><td></td><td></td></tr></table>"
            "<p>三、收到和处理政府信息公开申请情况</p></body></html>")
    from pipeline.ingest import ingest_bytes

    doc = ingest_bytes("r.html", html.encode("utf-8"))
    table = parse_tables(doc, find_sections(doc))["active_disclosure"]
    assert table.value("active_disclosure.punishment.decisions") == 922
    assert table.value("active_disclosure.enforcement.decisions") is None


def _apps(lines: str):
    from pipeline.ingest import ingest_bytes

    doc = ingest_bytes("r.md", (HEAD + lines + TAIL).encode("utf-8"))
    return parse_tables(doc, find_sections(doc))["applications"]


def _row(table, key):
    return [table.value(f"applications.{key}.{c}") for c in
            ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
             "legal_service_org", "other_org", "total")]


FULL_2019 = [  # a consistent 2019 table 三: label, values
    ("一、本年新收政府信息公开申请数量", "5 1 0 0 0 0 6"), ("二、上年结转政府信息公开申请数量", "0 0 0 0 0 0 0"),
    ("（一）予以公开", "3 1 0 0 0 0 4"), ("（二）部分公开", "1 0 0 0 0 0 1"), ("1.属于国家秘密", "0 0 0 0 0 0 0"),
    ("2.其他法律行政法规禁止公开", "0 0 0 0 0 0 0"), ("3.危及“三安全一稳定”", "0 0 0 0 0 0 0"),
    ("4.保护第三方合法权益", "0 0 0 0 0 0 0"), ("5.属于三类内部事务信息", "0 0 0 0 0 0 0"),
    ("6.属于四类过程性信息", "0 0 0 0 0 0 0"), ("7.属于行政执法案卷", "0 0 0 0 0 0 0"),
    ("8.属于行政查询事项", "0 0 0 0 0 0 0"), ("1.本机关不掌握相关政府信息", "1 0 0 0 0 0 1"),
    ("2.没有现成信息需要另行制作", "0 0 0 0 0 0 0"), ("3.补正后申请内容仍不明确", "0 0 0 0 0 0 0"),
    ("1.信访举报投诉类申请", "0 0 0 0 0 0 0"), ("2.重复申请", "0 0 0 0 0 0 0"), ("3.要求提供公开出版物", "0 0 0 0 0 0 0"),
    ("4.无正当理由大量反复申请", "0 0 0 0 0 0 0"), ("5.要求行政机关确认或重新出具已获取信息", "0 0 0 0 0 0 0"),
    ("（六）其他处理", "0 0 0 0 0 0 0"), ("（七）总计", "5 1 0 0 0 0 6"), ("四、结转下年度继续办理", "0 0 0 0 0 0 0"),
]


def _pipe(values: str) -> str:
    return "| " + " | ".join(values.split()) + " |\n|---|---|---|---|---|---|---|\n"


def test_labels_printed_after_their_values_are_settled_by_the_equations():
    rows = FULL_2019[:]
    text = _pipe(rows[0][1]).replace("|---", "", 0)
    text = f"| {rows[0][0]} | " + " | ".join(rows[0][1].split()) + " |\n"
    for label, values in rows[1:4]:  # carried_over … partially_granted: values first, then the label alone
        text += _pipe(values) + label + "\n"
    text += "".join(f"| {label} | " + " | ".join(values.split()) + " |\n" for label, values in rows[4:])
    table = _apps(text)
    assert _row(table, "granted") == [3, 1, 0, 0, 0, 0, 4]
    assert _row(table, "carried_over") == [0] * 7
    assert any(f.rule == "tables.aligned" and "apart" in f.message for f in table.findings)


def test_a_wrapped_label_after_an_early_label_takes_its_values():
    rows = FULL_2019[:]
    text = "".join(f"| {label} | " + " | ".join(values.split()) + " |\n" for label, values in rows[:3])
    text += "1.属于国家秘密\n（二）部分\n| 公开（区分处理的，只计这一 | 情形，不计其他情形） | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n"
    text += _pipe(rows[4][1])
    text += "".join(f"| {label} | " + " | ".join(values.split()) + " |\n" for label, values in rows[5:])
    table = _apps(text)
    assert _row(table, "partially_granted") == [1, 0, 0, 0, 0, 0, 1]
    assert _row(table, "denied_state_secret") == [0] * 7


@pytest.mark.parametrize("row,expected", [
    pytest.param("其他对外管理服务事项14 +40", [14, 4, 0], id="sign-starts-the-change-column"),
    pytest.param("其他对外管理服务事项1 4 +40", [1, 4, 40], id="three-printed-values-read-as-printed"),
    pytest.param("其他对外管理服务事项14+40", [14, 4, 0], id="glued-signed-pair"),
])
def test_signed_numbers_belong_to_the_change_column(row, expected):
    from pipeline.ingest import ingest_bytes

    text = ("一、总体情况\n坚持公开。\n二、主动公开政府信息情况\n信息内容 上一年项目数量 本年增/减 处理决定数量\n"
            f"行政许可 1 0 3\n{row}\n三、收到和处理政府信息公开申请情况\n")
    doc = ingest_bytes("r.txt", text.encode("utf-8"))
    table = parse_tables(doc, find_sections(doc))["active_disclosure"]
    assert [table.value(f"active_disclosure.other_services.{f}") for f in ("previous_count", "change", "decisions")] == expected
