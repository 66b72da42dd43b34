"""The national forms' tables as data: row labels, fields, template headers and equations."""

from __future__ import annotations

import re
from functools import cache

from pipeline.tables.arith import Equation

# ---- table 二 ----------------------------------------------------------------------------------
AD_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "2019": {
        "regulations": ("new_made", "new_published", "total_published"),
        "normative_documents": ("new_made", "new_published", "total_published"),
        "licensing": ("previous_count", "change", "decisions"),
        "other_services": ("previous_count", "change", "decisions"),
        "punishment": ("previous_count", "change", "decisions"),
        "enforcement": ("previous_count", "change", "decisions"),
        "fees": ("previous_count", "change"),
        "procurement": ("projects", "amount_wan"),
    },
    "2021": {
        "regulations": ("issued", "repealed", "in_force"),
        "normative_documents": ("issued", "repealed", "in_force"),
        "licensing": ("decisions",),
        "punishment": ("decisions",),
        "enforcement": ("decisions",),
        "fees": ("amount_wan",),
    },
}
AD_LABELS: dict[str, re.Pattern[str]] = {
    key: re.compile(rf"(?:^|[项)）\d.、])(?:{pat})$")
    for key, pat in {
        "regulations": "规章",
        "normative_documents": "(?:行政)?规范性文件",
        "licensing": "行政许可",
        "other_services": "其他对外管理服务事项",
        "punishment": "行政处罚",
        "enforcement": "行政强制",
        "fees": "行政事业性收费",
        "procurement": "政府集中采购",
    }.items()
}
ANY_AD_ROW = re.compile("|".join(p.pattern for p in AD_LABELS.values()))
AD_HEADERS = {
    "2021": re.compile(r"本年制发|本年废止|现行有效|本年处理决定|本年收费金额"),
    "2019": re.compile(r"本年新制作|本年新公开|对外公开总数|上一年项目|本年增|采购项目|采购总金额"),
}

AD_FIELD_HEADER = re.compile(r"^(?:本年制发件数|本年废止件数|现行有效件数|本年处理决定数量|本年收费金额.*|上一年项目数量|本年增/?减"
                             r"|处理决定数量|本年新制作数量|本年新公开数量|对外公开总数量|采购项目数量|采购总金额.*)$")

# ---- table 三 ----------------------------------------------------------------------------------
COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
           "legal_service_org", "other_org", "total")
APP_ROWS: tuple[tuple[str, str], ...] = (
    ("new_received", r"本年新收"),
    ("carried_over", r"上年结转"),
    ("granted", r"予以公开"),
    ("partially_granted", r"部分公开"),
    ("denied_state_secret", r"国家秘密"),
    ("denied_prohibited_by_law", r"法律行政法规禁止|法律法规禁止|其他法律行政法规"),
    ("denied_three_safeties", r"三安全一稳定|危及“?三安全"),
    ("denied_third_party_rights", r"第三方合法权益|保护第三方"),
    ("denied_internal_affairs", r"内部事务|三类内部"),
    ("denied_process_information", r"过程性信息|四类过程"),
    ("denied_enforcement_files", r"执法案卷|行政执法案"),
    ("denied_inquiry_matters", r"行政查询|查询事项"),
    ("unavailable_not_held", r"不掌握|本机关不掌"),
    ("unavailable_needs_creation", r"另行制作|没有现成信息"),
    ("unavailable_unclear", r"仍不明确|补正后申请"),
    ("declined_petition", r"信访举报|举报投诉"),
    ("declined_duplicate", r"重复申请"),
    ("declined_publication", r"公开出版物|提供公开出"),
    ("declined_excessive", r"大量反复|无正当理由大量"),
    ("declined_confirmation", r"重新出具|确认或"),
    ("other_handling", r"其他处理"),
    ("other_no_correction", r"逾期不补正|无正当理由逾期"),
    ("other_unpaid_fee", r"收费通知|缴纳费用|逾期未按"),
    ("other_misc", r"^(?:\(?[六6]\)?)?(?:\d[.、])?其他$"),
    ("total_processed", r"^(?:\(?[七7]\)?[、.]?)?总计$"),
    ("carried_forward", r"结转下年度"),
)
APP_CANON = {  # the form's own labels, for labels an OCR has damaged (`属于国家秘蜜`)
    "new_received": "本年新收政府信息公开申请数量", "carried_over": "上年结转政府信息公开申请数量",
    "granted": "予以公开", "partially_granted": "部分公开", "denied_state_secret": "属于国家秘密",
    "denied_prohibited_by_law": "其他法律行政法规禁止公开", "denied_three_safeties": "危及三安全一稳定",
    "denied_third_party_rights": "保护第三方合法权益", "denied_internal_affairs": "属于三类内部事务信息",
    "denied_process_information": "属于四类过程性信息", "denied_enforcement_files": "属于行政执法案卷",
    "denied_inquiry_matters": "属于行政查询事项", "unavailable_not_held": "本机关不掌握相关政府信息",
    "unavailable_needs_creation": "没有现成信息需要另行制作", "unavailable_unclear": "补正后申请内容仍不明确",
    "declined_petition": "信访举报投诉类申请", "declined_duplicate": "重复申请",
    "declined_publication": "要求提供公开出版物", "declined_excessive": "无正当理由大量反复申请",
    "declined_confirmation": "要求行政机关确认或重新出具已获取信息",
    "other_no_correction": "申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请",
    "other_unpaid_fee": "申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请",
    "carried_forward": "结转下年度继续办理",
}
AD_CANON = {"regulations": "规章", "normative_documents": "行政规范性文件", "licensing": "行政许可",
            "other_services": "其他对外管理服务事项", "punishment": "行政处罚", "enforcement": "行政强制",
            "fees": "行政事业性收费", "procurement": "政府集中采购"}
APP_COLUMN_HEADER = re.compile(r"^(?:自然人|商业企业|科研机构|社会公益组织|法律服务机构|其他|总计)$")
APP_ORDER = [k for k, _ in APP_ROWS]
APP_PATTERNS = {k: re.compile(p) for k, p in APP_ROWS}
ANY_APP_ROW = re.compile("|".join(f"(?:{p})" for _, p in APP_ROWS))
OUTCOMES_2019 = APP_ORDER[2:21]
OUTCOMES_2021 = APP_ORDER[2:20] + ["other_no_correction", "other_unpaid_fee", "other_misc"]
ONLY_2021 = {"other_no_correction", "other_unpaid_fee", "other_misc"}
APP_ROWS_BY_TEMPLATE = {
    "2019": [k for k in APP_ORDER if k not in ONLY_2021],
    "2021": [k for k in APP_ORDER if k != "other_handling"],
}

# ---- table 四 ----------------------------------------------------------------------------------
RL_GROUPS = ("review", "litigation_direct", "litigation_after_review")
RL_FIELDS = ("upheld", "corrected", "other", "pending", "total")
RL_WORDS = re.compile(r"结果维持|结果纠正|其他结果|尚未审结|总计|未经复议直接起诉|复议后起诉|行政复议|行政诉讼|维持|纠正|"
                      r"审结|[一二三四五六七八九十\d]+[、.]|[()（）:：,，、]")
RL_OWN_WORDS = re.compile(r"结果维持|结果纠正|尚未审结|未经复议直接起诉|复议后起诉|行政复议|行政诉讼")


def is_review_header(text: str) -> bool:
    """A cell or line of table 四's own header (not `总计` alone, which table 三 has too)."""
    return bool(RL_OWN_WORDS.search(text)) and len(RL_WORDS.sub("", text)) <= 2


def application_equations(template: str) -> list[Equation]:
    return list(_application_equations(template))


@cache
def _application_equations(template: str) -> tuple[Equation, ...]:
    outcomes = OUTCOMES_2019 if template == "2019" else OUTCOMES_2021
    eqs: list[Equation] = []
    for row in APP_ROWS_BY_TEMPLATE[template]:
        eqs.append(Equation("applications.row_total", ((row, 6, 1),) + tuple((row, c, -1) for c in range(6))))
    for c in range(7):
        eqs.append(Equation("applications.outcome_sum",
                            (("total_processed", c, 1),) + tuple((o, c, -1) for o in outcomes)))
        eqs.append(Equation("applications.balance", (("new_received", c, 1), ("carried_over", c, 1),
                                                     ("total_processed", c, -1), ("carried_forward", c, -1))))
    return tuple(eqs)


def review_equations() -> list[Equation]:
    return [Equation("review_litigation.group_total", (("row", g * 5 + 4, 1),) + tuple((("row", g * 5 + i, -1))
                                                                                    for i in range(4)))
            for g in range(3)]
