"""Chinese labels of the table cells, for re-ask text and for finding a row's source snippet."""

from __future__ import annotations

TITLES = {
    "active_disclosure": "主动公开政府信息情况",
    "applications": "收到和处理政府信息公开申请情况",
    "review_litigation": "政府信息公开行政复议、行政诉讼情况",
}

# row key -> (label as printed, a short distinctive part to search the source for)
ROWS: dict[str, tuple[str, str]] = {
    "regulations": ("规章", "规章"),
    "normative_documents": ("规范性文件", "规范性文件"),
    "licensing": ("行政许可", "行政许可"),
    "other_services": ("其他对外管理服务事项", "其他对外管理服务事项"),
    "punishment": ("行政处罚", "行政处罚"),
    "enforcement": ("行政强制", "行政强制"),
    "fees": ("行政事业性收费", "行政事业性收费"),
    "procurement": ("政府集中采购", "政府集中采购"),
    "new_received": ("一、本年新收政府信息公开申请数量", "本年新收"),
    "carried_over": ("二、上年结转政府信息公开申请数量", "上年结转"),
    "granted": ("三（一）予以公开", "予以公开"),
    "partially_granted": ("三（二）部分公开", "部分公开"),
    "denied_state_secret": ("三（三）1 属于国家秘密", "国家秘密"),
    "denied_prohibited_by_law": ("三（三）2 其他法律行政法规禁止公开", "行政法规禁止"),
    "denied_three_safeties": ("三（三）3 危及“三安全一稳定”", "三安全一稳定"),
    "denied_third_party_rights": ("三（三）4 保护第三方合法权益", "第三方合法权益"),
    "denied_internal_affairs": ("三（三）5 属于三类内部事务信息", "内部事务"),
    "denied_process_information": ("三（三）6 属于四类过程性信息", "过程性信息"),
    "denied_enforcement_files": ("三（三）7 属于行政执法案卷", "执法案卷"),
    "denied_inquiry_matters": ("三（三）8 属于行政查询事项", "行政查询事项"),
    "unavailable_not_held": ("三（四）1 本机关不掌握相关政府信息", "不掌握"),
    "unavailable_needs_creation": ("三（四）2 没有现成信息需要另行制作", "另行制作"),
    "unavailable_unclear": ("三（四）3 补正后申请内容仍不明确", "仍不明确"),
    "declined_petition": ("三（五）1 信访举报投诉类申请", "信访举报投诉"),
    "declined_duplicate": ("三（五）2 重复申请", "重复申请"),
    "declined_publication": ("三（五）3 要求提供公开出版物", "公开出版物"),
    "declined_excessive": ("三（五）4 无正当理由大量反复申请", "大量反复"),
    "declined_confirmation": ("三（五）5 要求行政机关确认或重新出具已获取信息", "重新出具"),
    "other_handling": ("三（六）其他处理", "其他处理"),
    "other_no_correction": ("三（六）1 申请人无正当理由逾期不补正", "逾期不补正"),
    "other_unpaid_fee": ("三（六）2 申请人逾期未按收费通知要求缴纳费用", "缴纳费用"),
    "other_misc": ("三（六）3 其他", "其他"),
    "total_processed": ("三（七）总计", "总计"),
    "carried_forward": ("四、结转下年度继续办理", "结转下年度"),
    "review": ("行政复议", "行政复议"),
    "litigation_direct": ("行政诉讼·未经复议直接起诉", "直接起诉"),
    "litigation_after_review": ("行政诉讼·复议后起诉", "复议后起诉"),
}

FIELDS = {
    "new_made": "本年新制作数量", "new_published": "本年新公开数量", "total_published": "对外公开总数量",
    "previous_count": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量",
    "projects": "采购项目数量", "amount_wan": "金额（万元）", "issued": "本年制发件数",
    "repealed": "本年废止件数", "in_force": "现行有效件数",
    "natural_person": "自然人", "commercial_enterprise": "商业企业", "research_institution": "科研机构",
    "social_welfare_org": "社会公益组织", "legal_service_org": "法律服务机构", "other_org": "其他",
    "total": "总计", "upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
}


def describe(path: str) -> str:
    """`applications.granted.total` -> `三（一）予以公开 / 总计`."""
    _, row, name = path.split(".")
    return f"{ROWS.get(row, (row, row))[0]} / {FIELDS.get(name, name)}"
