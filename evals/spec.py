"""The parts of SPEC.md the evaluation needs: rule names, tables, row and column labels.

Labels are the national forms' own wording (国办公开办函〔2019〕60号 and 〔2021〕30号); the
robustness generator prints them and the scorer groups cells by the table they belong to.
"""

from __future__ import annotations

SPEC_RULES: frozenset[str] = frozenset({
    "applications.balance",
    "applications.row_total",
    "applications.outcome_sum",
    "review_litigation.group_total",
    "active_disclosure.nonnegative",
    "template.consistent",
    "narrative.table_agreement",
    "narrative.percent",
    "narrative.parts_sum",
    "cross_year.carry",
    "cross_year.in_force",
    "grounding",
})

TABLES: tuple[str, ...] = ("active_disclosure", "applications", "review_litigation")
TEMPLATES: tuple[str, ...] = ("2019", "2021")
META_FIELDS: tuple[str, ...] = ("agency", "year", "template")

# ---- table 三 --------------------------------------------------------------------------------
APPLICANT_COLUMNS: tuple[str, ...] = (
    "natural_person", "commercial_enterprise", "research_institution",
    "social_welfare_org", "legal_service_org", "other_org", "total",
)
APPLICANT_LABELS: tuple[str, ...] = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

_DENIED = [
    ("denied_state_secret", "1.属于国家秘密"),
    ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("denied_three_safeties", "3.危及“三安全一稳定”"),
    ("denied_third_party_rights", "4.保护第三方合法权益"),
    ("denied_internal_affairs", "5.属于三类内部事务信息"),
    ("denied_process_information", "6.属于四类过程性信息"),
    ("denied_enforcement_files", "7.属于行政执法案卷"),
    ("denied_inquiry_matters", "8.属于行政查询事项"),
]
_UNAVAILABLE = [
    ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable_unclear", "3.补正后申请内容仍不明确"),
]
_DECLINED = [
    ("declined_petition", "1.信访举报投诉类申请"),
    ("declined_duplicate", "2.重复申请"),
    ("declined_publication", "3.要求提供公开出版物"),
    ("declined_excessive", "4.无正当理由大量反复申请"),
    ("declined_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
]
_OTHER_2021 = [
    ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_misc", "3.其他"),
]

# Each entry: (group label or None, [(row key, row label), ...]). Groups are the merged label
# cells of the form: 三、本年度办理结果 spans every outcome row, （三）不予公开 its eight rows.
OUTCOME_GROUPS: dict[str, list[tuple[str | None, list[tuple[str, str]]]]] = {
    template: [
        (None, [("granted", "（一）予以公开")]),
        (None, [("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")]),
        ("（三）不予公开", _DENIED),
        ("（四）无法提供", _UNAVAILABLE),
        ("（五）不予处理", _DECLINED),
        *([(None, [("other_handling", "（六）其他处理")])] if template == "2019" else [("（六）其他处理", _OTHER_2021)]),
        (None, [("total_processed", "（七）总计")]),
    ]
    for template in TEMPLATES
}
OUTCOMES_HEADING = "三、本年度办理结果"
HEAD_ROWS = [("new_received", "一、本年新收政府信息公开申请数量"), ("carried_over", "二、上年结转政府信息公开申请数量")]
TAIL_ROWS = [("carried_forward", "四、结转下年度继续办理")]


def application_rows(template: str) -> list[str]:
    """Row keys of table 三 in form order."""
    rows = [key for key, _ in HEAD_ROWS]
    for _, members in OUTCOME_GROUPS[template]:
        rows += [key for key, _ in members]
    return rows + [key for key, _ in TAIL_ROWS]


def outcome_rows(template: str) -> list[str]:
    """The rows whose sum is `total_processed`."""
    return application_rows(template)[2:-2]


# ---- table 二 --------------------------------------------------------------------------------
# Each block: (heading, column labels, [(row key, row label)], [field keys]).
Block = tuple[str, list[str], list[tuple[str, str]], list[str]]
DISCLOSURE_BLOCKS: dict[str, list[Block]] = {
    "2019": [
        ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
         [("regulations", "规章"), ("normative_documents", "规范性文件")],
         ["new_made", "new_published", "total_published"]),
        ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
         [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")],
         ["previous_count", "change", "decisions"]),
        ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
         [("punishment", "行政处罚"), ("enforcement", "行政强制")],
         ["previous_count", "change", "decisions"]),
        ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], [("fees", "行政事业性收费")],
         ["previous_count", "change"]),
        ("第二十条第（九）项", ["采购项目数量", "采购总金额"], [("procurement", "政府集中采购")],
         ["projects", "amount_wan"]),
    ],
    "2021": [
        ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
         [("regulations", "规章"), ("normative_documents", "行政规范性文件")],
         ["issued", "repealed", "in_force"]),
        ("第二十条第（五）项", ["本年处理决定数量"], [("licensing", "行政许可")], ["decisions"]),
        ("第二十条第（六）项", ["本年处理决定数量"], [("punishment", "行政处罚"), ("enforcement", "行政强制")],
         ["decisions"]),
        ("第二十条第（八）项", ["本年收费金额（单位：万元）"], [("fees", "行政事业性收费")], ["amount_wan"]),
    ],
}
AMOUNT_FIELDS = frozenset({"amount_wan"})
SIGNED_FIELDS = frozenset({"change"})

# ---- table 四 --------------------------------------------------------------------------------
REVIEW_GROUPS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
OUTCOME_FIELDS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
OUTCOME_LABELS: tuple[str, ...] = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

SECTION_HEADINGS: tuple[str, ...] = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
