"""Table parsers on every layout: hand-made rows whose true values are known by construction."""

from __future__ import annotations

import pytest

from pipeline.sections import find_sections
from pipeline.tables import parse_tables

LABELS_2019 = [
    ("new_received", "一、本年新收政府信息公开申请数量"), ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("granted", "（一）予以公开"), ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("denied_state_secret", "1.属于国家秘密"), ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("denied_three_safeties", "3.危及“三安全一稳定”"), ("denied_third_party_rights", "4.保护第三方合法权益"),
    ("denied_internal_affairs", "5.属于三类内部事务信息"), ("denied_process_information", "6.属于四类过程性信息"),
    ("denied_enforcement_files", "7.属于行政执法案卷"), ("denied_inquiry_matters", "8.属于行政查询事项"),
    ("unavailable_not_held", "1.本机关不掌握相关政府信息"), ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable_unclear", "3.补正后申请内容仍不明确"), ("declined_petition", "1.信访举报投诉类申请"),
    ("declined_duplicate", "2.重复申请"), ("declined_publication", "3.要求提供公开出版物"),
    ("declined_excessive", "4.无正当理由大量反复申请"), ("declined_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
    ("other_handling", "（六）其他处理"), ("total_processed", "（七）总计"), ("carried_forward", "四、结转下年度继续办理"),
]
ZERO = [0] * 7
# A consistent table: 71 + 3 new, 2 carried over; 60 granted, 10 not held, 4 duplicate; 2 carried forward.
VALUES = {key: ZERO for key, _ in LABELS_2019} | {
    "new_received": [71, 3, 0, 0, 0, 0, 74],
    "carried_over": [2, 0, 0, 0, 0, 0, 2],
    "granted": [58, 2, 0, 0, 0, 0, 60],
    "unavailable_not_held": [9, 1, 0, 0, 0, 0, 10],
    "declined_duplicate": [4, 0, 0, 0, 0, 0, 4],
    "total_processed": [71, 3, 0, 0, 0, 0, 74],
    "carried_forward": [2, 0, 0, 0, 0, 0, 2],
}
HEAD = "一、总体情况\n本年度共收到申请74件。\n三、收到和处理政府信息公开申请情况\n"
TAIL = "\n四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n六、其他需要报告的事项\n"
HEADER_CELLS = ["申请人情况", "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]


def _cells(values: list[int | None]) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def render(style: str, values: dict[str, list[int | None]] = VALUES) -> str:
    lines: list[str] = []
    if style == "paragraphs":  # .docx dump: a cell per paragraph, an empty cell as one extra empty line
        for cell in HEADER_CELLS:
            lines += [cell, ""]
        for key, label in LABELS_2019:
            lines += [label, ""]
            for v in values[key]:
                lines += [str(v), ""] if v is not None else [""]
    elif style == "pipes":
        lines += [f"{c} |" for c in HEADER_CELLS]
        for key, label in LABELS_2019:
            lines += [f"{label} |", *[f"{c} |" for c in _cells(values[key])], "||"]
    elif style == "tab_cells":
        lines += [f"\t{c}" for c in HEADER_CELLS]
        for key, label in LABELS_2019:
            lines += ["", f"\t{label}", *[f"\t{c}" for c in _cells(values[key])]]
    elif style == "tab_rows":
        lines.append("\t".join(HEADER_CELLS))
        for key, label in LABELS_2019:
            lines.append("\t".join([label, *_cells(values[key])]) + "\t")
    elif style == "ocr_split":  # rows broken across lines, page furniture in between
        lines.append(" ".join(HEADER_CELLS))
        for i, (key, label) in enumerate(LABELS_2019):
            cells = _cells(values[key])
            lines += [f"{label} {' '.join(cells[:3])}", "- 17 -" if i % 5 == 0 else "", " ".join(cells[3:])]
    elif style == "spaced_fullwidth":
        lines.append("申 请 人 情 况 自 然 人 商 业 企 业 科 研 机 构")
        for key, label in LABELS_2019:
            full = [c.translate(str.maketrans("0123456789", "０１２３４５６７８９")) for c in _cells(values[key])]
            lines.append(" ".join(label) + "\t" + "\t".join(full))
    return HEAD + "\n".join(lines) + TAIL


def _app_values(doc) -> dict[str, list]:
    table = parse_tables(doc, find_sections(doc))["applications"]
    cols = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
            "legal_service_org", "other_org", "total"]
    return {key: [table.value(f"applications.{key}.{c}") for c in cols] for key, _ in LABELS_2019}, table


@pytest.mark.parametrize("style", ["paragraphs", "pipes", "tab_cells", "tab_rows", "ocr_split", "spaced_fullwidth"])
def test_every_layout_reads_the_whole_table(make_doc, style):
    values, table = _app_values(make_doc(render(style)))
    assert table.template == "2019"
    assert values == VALUES


@pytest.mark.parametrize("style", ["paragraphs", "pipes", "tab_cells", "tab_rows"])
def test_blank_cells_stay_null_not_zero(make_doc, style):
    blanks = dict(VALUES, declined_petition=[None] * 7, partially_granted=[0, None, None, None, None, None, 0])
    values, _ = _app_values(make_doc(render(style, blanks)))
    assert values["declined_petition"] == [None] * 7
    assert values["partially_granted"] == [0, None, None, None, None, None, 0]


def test_provenance_points_at_the_digits(make_doc):
    doc = make_doc(render("tab_rows"))
    table = parse_tables(doc, find_sections(doc))["applications"]
    cell = table.cells["applications.new_received.total"]
    assert doc.text[cell.start:cell.end] == "74"


def _run_together(rows: dict[str, str]) -> str:
    lines = []
    for key, label in LABELS_2019:
        lines.append(f"{label} {rows.get(key, ''.join(str(v) for v in VALUES[key]))}")
    return HEAD + "\n".join(lines) + TAIL


def test_run_together_rows_split_by_the_arithmetic(make_doc):
    # every row jammed: 713000074 is 71,3,0,0,0,0,74 (the only split whose row total holds)
    values, table = _app_values(make_doc(_run_together({})))
    assert values == VALUES
    assert any(f.rule == "tables.inferred" for f in table.findings)
    cell = table.cells["applications.new_received.natural_person"]
    assert (cell.start, cell.end) != (None, None)


def _jammed(rows: list[tuple[str, str]]) -> str:
    labels = dict(LABELS_2019)
    return HEAD + "\n".join(f"{labels[key]} {digits}" for key, digits in rows) + TAIL


def test_run_together_row_the_arithmetic_cannot_settle_stays_null(make_doc):
    # 110100012 splits three ways that all keep the row total (1+1+0+10=12, 1+10+1=12, 11+0+1=12)
    values, table = _app_values(make_doc(_jammed([("new_received", "110100012")])))
    assert values["new_received"][0] is None and values["new_received"][1] is None
    assert values["new_received"][6] == 12  # every candidate agrees on the total
    amb = [f for f in table.findings if f.rule == "tables.ambiguous"]
    assert amb and "Candidates" in amb[0].message and "[11, 0, 1, 0, 0, 0, 12]" in amb[0].message


def test_run_together_row_settled_by_the_balance(make_doc):
    rows = [("new_received", "110100012"), ("carried_over", "0000000"), ("total_processed", "11 0 1 0 0 0 12"),
            ("carried_forward", "0000000")]
    values, _ = _app_values(make_doc(_jammed(rows)))
    assert values["new_received"] == [11, 0, 1, 0, 0, 0, 12]


def test_dropped_cells_are_never_placed(make_doc):
    # docx dump where the carried-over row lost five cells: "2", "2" could be any two columns, and even
    # where the balance would fit one placement, the source does not say it: null with a warning
    text = render("paragraphs").replace("二、上年结转政府信息公开申请数量\n\n2\n\n0\n\n0\n\n0\n\n0\n\n0\n\n2\n\n",
                                        "二、上年结转政府信息公开申请数量\n\n2\n\n2\n\n")
    values, table = _app_values(make_doc(text))
    assert values["carried_over"] == [None] * 7
    assert values["granted"] == VALUES["granted"]
    amb = [f for f in table.findings if f.rule == "tables.ambiguous" and "carried_over" in f.message]
    assert amb and "does not say which columns" in amb[0].message


def test_separate_cells_are_never_split_into_digits(make_doc):
    text = render("paragraphs").replace("一、本年新收政府信息公开申请数量\n\n71\n\n3\n\n0\n\n0\n\n0\n\n0\n\n74\n\n",
                                        "一、本年新收政府信息公开申请数量\n\n286\n\n3\n\n289\n\n")
    values, _ = _app_values(make_doc(text))
    assert values["new_received"] == [None] * 7


def test_zero_and_dropped_blank_are_not_told_apart(make_doc):
    text = render("paragraphs").replace("1.本机关不掌握相关政府信息\n\n9\n\n1\n\n0\n\n0\n\n0\n\n0\n\n10\n\n",
                                        "1.本机关不掌握相关政府信息\n\n10\n\n0\n\n0\n\n0\n\n0\n\n10\n\n")
    values, _ = _app_values(make_doc(text))
    assert values["unavailable_not_held"] == [None] * 7


@pytest.mark.parametrize("text,key,expected", [
    pytest.param("（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 1 0 0 0 0 0 1\n"
                 "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0\n"
                 "3.其他 2 0 0 0 0 0 2\n（七）总计 3 0 0 0 0 0 3", "other_misc", [2, 0, 0, 0, 0, 0, 2], id="2021-six-merged"),
    pytest.param("4 . 保 护 第 三 方 合 法 权 益 1 0 0 0 0 0 1\n5 . 属 于 三 类 内 部 事 务 信 息 0 0 0 0 0 0 0",
                 "denied_third_party_rights", [1, 0, 0, 0, 0, 0, 1], id="spaced-numbered-label"),
])
def test_label_variants(make_doc, text, key, expected):
    table = parse_tables(*(lambda d: (d, find_sections(d)))(make_doc(HEAD + text + TAIL)))["applications"]
    cols = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
            "legal_service_org", "other_org", "total"]
    assert [table.value(f"applications.{key}.{c}") for c in cols] == expected


def test_html_row_with_merged_label_and_trailing_blank(make_doc):
    cells = "".join("<td>0</td>" for _ in range(6))
    html = ("<p>三、收到和处理政府信息公开申请情况</p><table><tr><td colspan='3'>二、上年结转政府信息公开申请数量</td>"
            f"{cells}<td></td></tr></table><p>四、政府信息公开行政复议、行政诉讼情况</p>")
    doc = make_doc(html, name="t.html")
    table = parse_tables(doc, find_sections(doc))["applications"]
    assert table.value("applications.carried_over.natural_person") == 0
    assert table.value("applications.carried_over.total") is None


def test_table_internal_heading_is_not_a_section(make_doc):
    doc = make_doc(render("tab_rows"))
    keys = [s.key for s in find_sections(doc)]
    assert keys.count("review_litigation") == 1
    assert [s.title for s in find_sections(doc) if s.key == "review_litigation"] == ["四、政府信息公开行政复议、行政诉讼情况"]


AD_2019 = """二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t0\t0\t0
规范性文件\t2\t2\t15
第二十条第（五）项
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政许可\t185\t+43\t67556
其他对外管理服务事项\t877\t-8\t36300
第二十条第（六）项
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政处罚\t2110\t+30\t1620
行政强制\t51\t－13\t10
第二十条第（八）项
信息内容\t上一年项目数量\t本年增/减\t
行政事业性收费\t11\t/\t0
第二十条第（九）项
信息内容\t采购项目数量\t采购总金额\t
政府集中采购\t3\t161330元\t
三、收到和处理政府信息公开申请情况
"""


def test_active_disclosure_2019_signed_numbers_units_and_blanks(make_doc):
    doc = make_doc("一、总体情况\n略。\n" + AD_2019)
    table = parse_tables(doc, find_sections(doc))["active_disclosure"]
    assert table.template == "2019"
    assert table.value("active_disclosure.licensing.change") == 43
    assert table.value("active_disclosure.other_services.change") == -8
    assert table.value("active_disclosure.enforcement.change") == -13
    assert table.value("active_disclosure.fees.change") is None  # "/" is blank, not 0
    assert table.value("active_disclosure.procurement.amount_wan") == pytest.approx(16.133)
    assert table.value("active_disclosure.normative_documents.total_published") == 15


def test_active_disclosure_2021_amount_in_wan(make_doc):
    text = ("二、主动公开政府信息情况\n第二十条第（一）项\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n"
            "规章 | 1 | 0 | 3\n行政规范性文件 | 4 | 1 | 20\n第二十条第（五）项\n信息内容 | 本年处理决定数量\n"
            "行政许可 | 1,234\n行政处罚 | 5\n行政强制 | 0\n第二十条第（八）项\n信息内容 | 本年收费金额（单位：万元）\n"
            "行政事业性收费 | 40.35\n三、收到和处理政府信息公开申请情况\n")
    doc = make_doc(text)
    table = parse_tables(doc, find_sections(doc))["active_disclosure"]
    assert table.template == "2021"
    assert table.value("active_disclosure.licensing.decisions") == 1234
    assert table.value("active_disclosure.fees.amount_wan") == pytest.approx(40.35)
    assert table.value("active_disclosure.normative_documents.in_force") == 20


REVIEW = "四、政府信息公开行政复议、行政诉讼情况\n行政复议\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n{row}\n五、存在的主要问题及改进情况\n"


@pytest.mark.parametrize("row,expected", [
    pytest.param("4\t1\t0\t0\t5\t1\t1\t0\t1\t3\t0\t0\t0\t0\t0", [4, 1, 0, 0, 5, 1, 1, 0, 1, 3, 0, 0, 0, 0, 0], id="tabs"),
    pytest.param("410051101300000", [4, 1, 0, 0, 5, 1, 1, 0, 1, 3, 0, 0, 0, 0, 0], id="run-together"),
    pytest.param("0 0 0 0 0\n- 3 -\n0 0 0 0 0 0 0 0 0 0", [0] * 15, id="ocr-page-number"),
])
def test_review_litigation_layouts(make_doc, row, expected):
    doc = make_doc(REVIEW.format(row=row))
    table = parse_tables(doc, find_sections(doc))["review_litigation"]
    groups = ("review", "litigation_direct", "litigation_after_review")
    fields = ("upheld", "corrected", "other", "pending", "total")
    assert [table.value(f"review_litigation.{g}.{f}") for g in groups for f in fields] == expected


def test_missing_table_is_reported_not_invented(make_doc):
    doc = make_doc("一、总体情况\n本年无申请。\n五、存在的主要问题及改进情况\n一是不足。\n")
    tables = parse_tables(doc, find_sections(doc))
    assert not tables["applications"].found
    assert all(c.value is None for c in tables["applications"].cells.values())


def test_clean_html_2021_report(samples_dir):
    from pipeline.extract import extract
    from tests.conftest import ROOT

    record = extract(ROOT / "tests" / "data" / "clean_2021.html")
    assert record.meta.template == "2021" and record.meta.year == 2021 and record.meta.agency == "某某局"
    apps = record.applications
    assert apps is not None and apps.template == "2021"
    assert apps.new_received.model_dump() == {"natural_person": 10, "commercial_enterprise": 2, "research_institution": 0,
                                              "social_welfare_org": 0, "legal_service_org": 1, "other_org": 0, "total": 13}
    assert apps.total_processed.total == 12 and apps.carried_forward.natural_person == 2
    ad = record.active_disclosure
    assert ad is not None and ad.template == "2021"
    assert ad.licensing.decisions == 1234 and ad.enforcement.decisions == 0 and ad.fees.amount_wan == 12.5
    assert record.review_litigation is not None and record.review_litigation.review.upheld == 1
    assert not [f for f in record.findings if f.severity == "error"]
    source = (ROOT / "tests" / "data" / "clean_2021.html").read_text(encoding="utf-8")
    span = record.provenance["active_disclosure.licensing.decisions"]
    assert source[span.start:span.end] == "1,234"


def test_ocr_running_header_and_bare_page_number_inside_a_row(make_doc):
    lines = []
    for key, label in LABELS_2019:
        cells = _cells(VALUES[key])
        if key == "granted":  # the row breaks across a page: footer, page number, running header
            lines += [f"{label} {' '.join(cells[:4])}", "17", "某某局 2020 年政府信息公开工作年度报告", " ".join(cells[4:])]
        else:
            lines.append(f"{label} {' '.join(cells)}")
    values, _ = _app_values(make_doc(HEAD + "\n".join(lines) + TAIL))
    assert values == VALUES


@pytest.mark.parametrize("row", [
    pytest.param("\t".join([""] * 16), id="empty-tab-cells"),
    pytest.param(" ".join(["—"] * 15), id="dashes"),
])
def test_review_table_printed_with_every_cell_blank(make_doc, row):
    doc = make_doc(REVIEW.format(row=row))
    table = parse_tables(doc, find_sections(doc))["review_litigation"]
    assert table.found and all(c.value is None for c in table.cells.values()) and len(table.cells) == 15


def test_table_three_total_header_is_not_table_four(make_doc):
    text = HEAD + "自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计\n一、本年新收政府信息公开申请数量 5 1 0 0 0 0 6\n"
    doc = make_doc(text + "五、存在的主要问题及改进情况\n")
    assert not parse_tables(doc, find_sections(doc))["review_litigation"].found


def test_box_drawing_table(make_doc):
    text = ("二、主动公开政府信息情况\n┌──────┬────┬────┬────┐\n│信息内容│本年制发件数│本年废止件数│现行有效件数│\n"
            "├──────┼────┼────┼────┤\n│规章    │  1 │  0 │  4 │\n├──────┼────┼────┼────┤\n"
            "│行政规范性文件│  2 │  1 │ 12 │\n└──────┴────┴────┴────┘\n三、收到和处理政府信息公开申请情况\n")
    doc = make_doc(text)
    table = parse_tables(doc, find_sections(doc))["active_disclosure"]
    assert table.template == "2021"
    assert [table.value(f"active_disclosure.normative_documents.{f}") for f in ("issued", "repealed", "in_force")] == [2, 1, 12]
    cell = table.cells["active_disclosure.normative_documents.in_force"]
    assert doc.text[cell.start:cell.end] == "12"


def test_table_two_printed_in_the_overview(make_doc):
    text = ("一、总体情况\n主动公开情况如下：\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
            "规章\t0\t0\t0\n行政规范性文件\t3\t2\t11\n二、主动公开政府信息情况\n详见上表。\n三、收到和处理政府信息公开申请情况\n")
    doc = make_doc(text)
    table = parse_tables(doc, find_sections(doc))["active_disclosure"]
    assert table.found and table.value("active_disclosure.normative_documents.in_force") == 11


def test_2021_group_heading_with_empty_cells_is_not_the_2019_row(make_doc):
    rows = ["（一）予以公开\t1\t0\t0\t0\t0\t0\t1", "（六）其他处理\t\t\t\t\t\t\t",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0"]
    doc = make_doc(HEAD + "\n".join(rows) + TAIL)
    table = parse_tables(doc, find_sections(doc))["applications"]
    assert table.template == "2021" and not [f for f in table.findings if f.rule == "template.consistent"]


@pytest.mark.parametrize("joiner,empty", [
    pytest.param("\n\n", "", id="paragraphs-joined-by-a-blank-line"),
    pytest.param(None, None, id="paragraphs-ending-in-a-blank-line"),
])
def test_kept_empty_paragraphs_in_both_dump_conventions(make_doc, joiner, empty):
    cells = ["二、上年结转政府信息公开申请数量", "1", "0", "", "0", "0", "0", "1", "（一）予以公开", *"0000000"]
    if joiner is None:  # sample 000: every paragraph ends in "\n\n", an empty one in "\n"
        body = "".join(c + "\n\n" if c else "\n" for c in cells)
    else:
        body = joiner.join(cells)
    values, _ = _app_values(make_doc(HEAD + "（本列数据的勾稽关系为）\n\n" + body + TAIL))
    assert values["carried_over"] == [1, 0, None, 0, 0, 0, 1]
