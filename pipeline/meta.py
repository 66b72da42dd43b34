"""Report metadata: title, agency and the year reported on, read from the text before section 一."""

from __future__ import annotations

import re

from pipeline.core import MARKDOWN_MARKS, Document, Section, normalise, squash
from schemas import Meta

_YEAR = re.compile(r"((?:19|20)\d{2}|[二][〇○零O][一二三四五六七八九〇○零O]{2})\s*年")
_CN_DIGITS = str.maketrans("〇○零O一二三四五六七八九", "000012345678" + "9")
_TITLE_WORDS = re.compile(r"信息公开.*(年度报告|年报|工作报告)|年度报告")
_AGENCY_END = re.compile(r"(局|府|委|会|院|厅|办|室|处|所|中心|公司|部|署|站|馆|队|区|县|市|镇|街道|办事处)$")
_PUBLISHER = re.compile(r"(?:发布机构|发文机关|来源|信息来源)\s*[:：]\s*(\S+)")
_SITE_SUFFIX = re.compile(r"(年度报告|年报)[_|\-—–].*$")  # `…年度报告_某某区人民政府` in an HTML <title>
_PERIOD = re.compile(r"(?:统计|数据).{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
HEAD_LINES = 40
_YEAR_END = re.compile(r"(?:19|20)\d{2}$")
_FIELD = re.compile(r"^(?:标题|题目|名称|文章标题)\s*[:：]\s*")  # `标题: …` in a crawler's page header
_CJK = r"[\u4e00-\u9fff（）()]"
_INLINE_TITLE = re.compile(rf"{_CJK}{{0,30}}?(?:(?:19|20)\d{{2}}|二[〇○零O][一二三四五六七八九〇○零O]{{2}})\s*年度?{_CJK}{{0,30}}?"
                           r"信息公开(?:工作)?(?:年度)?(?:报告|年报)")
_AFTER_YEAR = re.compile(r"^年度?(?:的)?(.*?)(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)")


def find_meta(doc: Document, sections: list[Section], template: str | None) -> Meta:
    head_end = sections[0].start if sections else min(len(doc.view), 3000)
    lines = [ln.strip() for ln in doc.view[:head_end].split("\n")][:HEAD_LINES]
    lines = [ln for ln in lines if ln]
    title = _title(lines)
    agency = _agency(title, lines)
    year = _year(title, doc, sections)
    return Meta(title=title, agency=agency, year=year, template=template)  # type: ignore[arg-type]


def _title(lines: list[str]) -> str | None:
    """The first title-like line that names a year, else the first title-like line; in a long line
    (a crawled page's breadcrumb), the title-shaped words inside it."""
    lines = [_FIELD.sub("", MARKDOWN_MARKS.sub("", ln)) for ln in lines]
    titles = [t for t in (_title_at(lines, i) for i in range(len(lines))) if t]
    inline = (squash(m.group()) for ln in lines if len(squash(ln)) > 60 for m in _INLINE_TITLE.finditer(normalise(ln)))
    return next((t for t in titles if _YEAR.search(t)), next(inline, titles[0] if titles else None))


def _title_at(lines: list[str], i: int) -> str | None:
    flat = squash(lines[i])
    if (len(flat) > 60 or flat.startswith("关于") or flat.endswith((".docx", ".doc", ".pdf"))
            or re.search(r"根据|[:。《]", flat)):
        return None
    joined = flat
    prefix = (flat.endswith(("年", "信息公开", "政府信息")) or bool(_AGENCY_END.search(flat))
              or bool(_YEAR.search(flat) or _YEAR_END.search(flat)))  # a title broken anywhere after its year
    if i + 1 < len(lines) and prefix and not _TITLE_WORDS.search(flat):
        joined = flat + squash(lines[i + 1])
    if not _TITLE_WORDS.search(joined) or len(joined) > 60 or "关于" in joined:
        return None
    if _YEAR.match(joined) and i > 0 and _AGENCY_END.search(squash(lines[i - 1])) and len(lines[i - 1]) <= 30:
        joined = squash(lines[i - 1]) + joined
    return _SITE_SUFFIX.sub(r"\1", joined)


def _agency(title: str | None, lines: list[str]) -> str | None:
    if title:
        m = _YEAR.search(title)
        head = title[: m.start()] if m else ""
        head = re.sub(r"^(关于)?", "", head).strip("《》 ")
        if 2 <= len(head) <= 40:
            return head
        after = _AFTER_YEAR.match(title[m.end() - 1:]) if m else None  # `2019年某市人民政府办公厅政府信息公开…`
        if after and 2 <= len(after.group(1)) <= 40:
            return after.group(1)
    for line in lines:
        m = _PUBLISHER.search(line)
        if m and _AGENCY_END.search(m.group(1)):
            return m.group(1)
    return None


def _year(title: str | None, doc: Document, sections: list[Section]) -> int | None:
    if title:
        m = _YEAR.search(title)
        if m:
            return _year_value(m.group(1))
    m = _PERIOD.search(doc.view)
    if m:
        return int(m.group(1))
    overview = next((s for s in sections if s.key == "overview"), None)
    text = doc.view[overview.start:overview.end] if overview else doc.view[:3000]
    m = _YEAR.search(text)
    return _year_value(m.group(1)) if m else None


def _year_value(text: str) -> int:
    """`2020` or `二〇二〇` -> 2020."""
    return int(text.translate(_CN_DIGITS))
