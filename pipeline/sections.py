"""Stage 2: find the six SPEC sections and their spans in a document's view.

A heading is a short numbered line (`四、` `4、` `4.` `（四）` `第四部分`) whose words name one of
the six sections. Reports renumber, add sections of their own, and print headings such as
`四、结转下年度继续办理` inside tables: those name no section and are ignored; an added section's
text stays with the SPEC section before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core import MARKDOWN_MARKS, Document, Section, squash

KEYS = ("overview", "active_disclosure", "applications", "review_litigation", "problems", "other")

_NUMBERING = re.compile(
    r"^\s*(?:(?P<cn>[一二三四五六七八九十]{1,3}\s*[、.．,，])"
    r"|(?P<arabic>\d{1,2}\s*[、.．,，](?!\d))"
    r"|(?P<paren>\(\s*[一二三四五六七八九十\d]{1,3}\s*\)\s*[、.]?)"
    r"|(?P<part>第[一二三四五六七八九十]{1,3}部分\s*[:、]?))\s*"
)
_PATTERNS: dict[str, re.Pattern[str]] = {
    "overview": re.compile(r"总体情况|总体概况|概述|基本情况"),
    "active_disclosure": re.compile(r"主动公开"),
    "applications": re.compile(r"(收到和处理|依申请|申请办理|申请处理|公开申请|受理).*(情况|工作)?$|申请情况"),
    "review_litigation": re.compile(r"行政复议|行政诉讼|复议.*诉讼"),
    "problems": re.compile(r"问题"),
    "other": re.compile(r"^其他$|其他需要报告|其他需报告|其他事项|需要说明的|其他有关"),
}
_EXACT = {
    "overview": "总体情况",
    "active_disclosure": "主动公开政府信息情况",
    "applications": "收到和处理政府信息公开申请情况",
    "review_litigation": "政府信息公开行政复议、行政诉讼情况",
    "problems": "存在的主要问题及改进情况",
    "other": "其他需要报告的事项",
}
_STYLE_RANK = {"cn": 0, "arabic": 1, "part": 2, "paren": 3, "none": 4}
_TOC = re.compile(r"(\.{3,}|…{2,}|·{3,})|\t\s*\d+\s*$")
MAX_HEADING = 40
_KEYWORD = re.compile(r"情况|概况|概述|主动公开|申请|复议|诉讼|问题|其他|需要说明")


@dataclass(frozen=True)
class _Candidate:
    key: str
    style: str
    start: int
    end: int  # end of the heading line
    title: str
    number: int  # the heading's own number (四、 -> 4), 0 when unnumbered


_CN = {c: i + 1 for i, c in enumerate("一二三四五六七八九")}


def _numeral(text: str) -> int:
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits:
        return int(digits)
    chars = [ch for ch in text if ch in _CN or ch == "十"]
    if not chars:
        return 0
    if chars[0] == "十":
        return 10 + (_CN.get(chars[1], 0) if len(chars) > 1 else 0)
    if len(chars) > 1 and chars[1] == "十":
        return _CN[chars[0]] * 10 + (_CN.get(chars[2], 0) if len(chars) > 2 else 0)
    return _CN[chars[0]]


def find_sections(doc: Document) -> list[Section]:
    """Sections in document order, each spanning to the next found section's heading."""
    chosen = _choose(_candidates(doc.view))
    sections = []
    for i, cand in enumerate(chosen):
        end = chosen[i + 1].start if i + 1 < len(chosen) else len(doc.view)
        sections.append(Section(cand.key, cand.title, cand.start, end, min(cand.end + 1, end)))
    return sections


def _candidates(view: str) -> list[_Candidate]:
    out = []
    pos = 0
    for line in view.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if len(line) > 3 * MAX_HEADING or not _KEYWORD.search(line):
            continue
        stripped = line.strip()
        if not stripped or len(stripped) > MAX_HEADING + 8 or _TOC.search(line):
            continue
        cand = _classify(stripped, start + line.index(stripped[0]), start + len(line))
        if cand is not None:
            out.append(cand)
    return out


def _classify(text: str, start: int, end: int) -> _Candidate | None:
    text = MARKDOWN_MARKS.sub("", text)
    m = _NUMBERING.match(text)
    style = next((k for k, v in (m.groupdict() if m else {}).items() if v), "none")
    number = _numeral(m.group()) if m else 0
    rest = squash(text[m.end():] if m else text)
    if not rest or len(rest) > MAX_HEADING or "。" in rest[:-1] or rest[0].isdigit():
        return None
    for key in KEYS:
        if style == "none":
            if rest.rstrip("。:") == _EXACT[key]:
                return _Candidate(key, style, start, end, text.strip(), number)
        elif _PATTERNS[key].search(rest):
            if key == "applications" and _PATTERNS["review_litigation"].search(rest):
                continue
            if key == "problems" and ("主动公开" in rest or "申请" in rest):
                continue
            return _Candidate(key, style, start, end, text.strip(), number)
    return None


def _choose(cands: list[_Candidate]) -> list[_Candidate]:
    """Pick one heading per key, in SPEC order, preferring the report's dominant numbering style."""
    styles = sorted({c.style for c in cands}, key=lambda s: _STYLE_RANK[s])
    best: list[_Candidate] = []
    for style in styles:
        picked = _fill(_in_order([c for c in cands if c.style == style]), cands)
        if len(picked) > len(best):
            best = picked
    return best


def _in_order(cands: list[_Candidate]) -> list[_Candidate]:
    """In document order and, within one numbering style, in increasing number: a sub-heading
    `（一）主动公开情况` inside the overview `（一）总体情况` is not section 二."""
    picked: list[_Candidate] = []
    for key in KEYS:
        after = picked[-1].start if picked else -1
        floor = max((c.number for c in picked), default=0)
        nxt = next((c for c in cands if c.key == key and c.start > after and (not c.number or c.number > floor)), None)
        if nxt is not None:
            picked.append(nxt)
    return picked


def _fill(picked: list[_Candidate], cands: list[_Candidate]) -> list[_Candidate]:
    """Add keys missing from `picked` from headings of any style that fit between their neighbours."""
    have = {c.key for c in picked}
    for key in KEYS:
        if key in have:
            continue
        idx = KEYS.index(key)
        before = max((c.start for c in picked if KEYS.index(c.key) < idx), default=-1)
        after = min((c.start for c in picked if KEYS.index(c.key) > idx), default=1 << 60)
        low = max((c.number for c in picked if c.start < after and KEYS.index(c.key) < idx), default=0)
        fit = next((c for c in cands if c.key == key and before < c.start < after and (not c.number or c.number > low)),
                   None)
        if fit is not None:
            picked = sorted([*picked, fit], key=lambda c: c.start)
            have.add(key)
    return picked
