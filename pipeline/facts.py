"""Offline prose layer: the quantities stated in the prose (`facts`) and the listed shortcomings
(`problems`). Rule-based, no LLM.

Everything is parsed on `Document.view` and reported with source offsets (`Document.to_source`).
A quantity is an Arabic number directly followed by a counting unit (`387篇`, `3000余次`,
`32.6万件`, `91.36%`); a number without a unit (years, dates, phone numbers, postcodes, document
numbers, hotline names such as 12345) is never a fact. Ordinals (`第54次`), numbers inside book
titles (`《…》`) and table lines (tab/pipe-separated cells, lone cells, and in the three table
sections any line without sentence punctuation) are skipped. A quote is the clause the number is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import cast

from pipeline.core import Document, Section
from schemas.record import Fact, SectionKey

TABLE_SECTIONS = frozenset({"active_disclosure", "applications", "review_litigation"})
# Bounds that keep the finders linear and the record small (a real 年报 has under 10,000 characters of
# prose and no sentence over 300): prose past the first PROSE_LIMIT characters is not read (the record
# says so in a `prose.limit` warning), and a longer "sentence" than MAX_SENTENCE is not prose.
PROSE_LIMIT = 100_000
MAX_SENTENCE = 2_000

_UNITS = ("个工作日", "个百分点", "个月", "人次", "场次", "批次", "户次", "件次", "条次", "小时", "分钟",
          "%", "条", "件", "篇", "次", "个", "项", "类", "家", "份", "人", "场", "批", "页", "名", "位",
          "张", "套", "台", "起", "宗", "封", "天", "处", "所", "座", "户", "轮", "种", "部(?!门)",
          "期(?![间限])", "元")
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z.\-/_~])(?P<num>\d+(?:,\d{3}(?!\d))*(?:\.\d+)?)"
    r" {0,2}(?:余|多)? {0,2}(?P<mag>万|亿)?(?:余|多)? {0,2}(?P<unit>" + "|".join(_UNITS) + ")"
)
_OPEN, _CLOSE = "(（《“【[", ")）》”】]"
_SENTENCE_END = "。!?！？"
_CLAUSE_END = ",;:，；："
_SENTENCE_PUNCT = re.compile(r"[,;。，；]")
_CELLS = re.compile(r"[\t|]")
_HAS_DIGIT = re.compile(r"\d")
_LONE = re.compile(_NUMBER.pattern + r"\s*")
_LEAD = re.compile(r"(?:[\s,;:、.。\-]|其中|另外|此外|同时|全年|今年|目前|截至目前|\d{4}\s*年度?"
                   r"|我局|我区|我市|我委|我办|本局|本机关|本单位)+")
_TRAIL = re.compile(r"(?:[\s,;:、(。]|达到|达|为|约|共计|计|近|超过|超|逾|累计|合计|多达|的)+$")
_SUF_LEAD = re.compile(r"(?:[\s、]|以上|以下|左右|余|多|的)+")
_SUF_TRAIL = re.compile(r"(?:[\s,;:、.。]|中|以上|以下|左右|等)+$")
_PUNCT, _SPACE_END = re.compile(r"[\s,;:、.。]+"), re.compile(r"\s+$")
_VERB_END = re.compile(r"(?:了|对|等|有|在|开展|召开|举办|组织)\s*$")


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, located in the view."""

    value: int | float
    unit: str
    start: int  # view span of number + unit
    end: int
    clause: int  # index of its clause in the sentence
    paren: int  # view offset of the enclosing "(", or -1
    subject: str  # source text


@dataclass
class Clause:
    start: int  # view span, trimmed
    end: int
    sep: str  # the punctuation that ends it ("" at the end of a line)
    text: str  # view text
    quantities: list[Quantity] = field(default_factory=list)
    counts: list[Quantity] | None = field(default=None, repr=False)  # cache of narrative._main


@dataclass
class Sentence:
    section: str
    line: int  # view offset of its line: sentences of one line form a paragraph
    start: int
    end: int
    clauses: list[Clause]

    @property
    def text(self) -> str:
        return "".join(c.text + c.sep for c in self.clauses)


# ---- facts ---------------------------------------------------------------------------------------


def find_facts(doc: Document, sections: list[Section]) -> list[Fact]:
    """Every quantity stated in the prose of `sections`, with subject, unit and its clause as quote."""
    facts = []
    for sentence in prose(doc, sections):
        for clause in sentence.clauses:
            s, e = doc.to_source(clause.start, clause.end)
            for q in clause.quantities:
                facts.append(Fact(section=cast(SectionKey, sentence.section), subject=q.subject or doc.text[s:e],
                                  value=q.value, unit=q.unit, quote=doc.text[s:e], start=s, end=e))
    return facts


def prose(doc: Document, sections: list[Section]) -> list[Sentence]:
    """The prose sentences of `sections` (table lines skipped), split into clauses with quantities."""
    key = ("prose", tuple((sec.key, sec.body_start, sec.end) for sec in sections))
    if key in doc.memo:
        return doc.memo[key]  # type: ignore[no-any-return]
    out: list[Sentence] = []
    doc.memo[key] = out
    budget = PROSE_LIMIT
    for section in sections:
        for m in re.finditer(r"[^\n]+", doc.view[section.body_start:section.end]):
            start = section.body_start + m.start()
            if _is_prose(m.group(), section.key):
                end = start + min(len(m.group()), budget)
                out.extend(_sentences(doc, section.key, start, end))
                budget -= end - start
                if budget <= 0:
                    doc.memo["prose_cut"] = end
                    return out
    return out


def prose_cut(doc: Document, sections: list[Section]) -> int | None:
    """The view offset where the finders stopped reading prose (`PROSE_LIMIT`), or None."""
    prose(doc, sections)
    cut = doc.memo.get("prose_cut")
    return cut if isinstance(cut, int) else None


def _is_prose(line: str, key: str) -> bool:
    text = line.strip()
    if not text or "|" in text or (key in TABLE_SECTIONS and not _SENTENCE_PUNCT.search(text)):
        return False
    if "\t" in text and sum(1 for c in _CELLS.split(text) if c.strip()) >= 2:
        return False
    return not _LONE.fullmatch(text)


_SPECIAL = re.compile("[" + re.escape(_OPEN + _CLOSE + _SENTENCE_END + _CLAUSE_END) + "]")


def _sentences(doc: Document, key: str, start: int, end: int) -> list[Sentence]:
    view, sentences, spans = doc.view, [], []
    depth, cs = 0, start
    marks = [(m.start(), m.group()) for m in _SPECIAL.finditer(view, start, end)] + [(end, "")]
    for i, ch in marks:
        if ch and ch in _OPEN:
            depth += 1
        elif ch and ch in _CLOSE:
            depth = max(0, depth - 1)
        elif not ch or ch in _SENTENCE_END or (depth == 0 and ch in _CLAUSE_END):
            spans.append((cs, i, ch))
            cs = i + 1
            if not ch or ch in _SENTENCE_END:
                depth = 0
                too_long = i - spans[0][0] > MAX_SENTENCE
                clauses = [] if too_long else [c for c in (_clause(doc, a, b, sep) for a, b, sep in spans) if c.text]
                if clauses:
                    sentences.append(Sentence(key, start, clauses[0].start, clauses[-1].end, clauses))
                    earlier: list[Quantity] = []
                    for idx, clause in enumerate(clauses):
                        clause.quantities = _quantities(doc, clause, idx, earlier)
                        earlier += clause.quantities
                spans = []
    return sentences


def _clause(doc: Document, start: int, end: int, sep: str) -> Clause:
    raw = doc.view[start:end]
    lead = len(raw) - len(raw.lstrip())
    text = raw.strip()
    return Clause(start + lead, start + lead + len(text), sep, text)


def _quantities(doc: Document, clause: Clause, idx: int, earlier: list[Quantity]) -> list[Quantity]:
    if not _HAS_DIGIT.search(clause.text):
        return []
    view = doc.view
    found = []
    for m in _NUMBER.finditer(view, clause.start, clause.end):
        before = view[clause.start:m.start()].rstrip()
        if before.endswith("第"):
            continue
        if before.count("《") > before.count("》") or before.count("【") > before.count("】"):
            continue
        found.append(m)
    out: list[Quantity] = []
    for k, m in enumerate(found):
        paren = _enclosing_paren(view, clause.start, m.start())
        lo = found[k - 1].end() if k else clause.start
        hi = found[k + 1].start() if k + 1 < len(found) else clause.end
        lo, hi = _paren_bounds(view, lo, hi, m, paren)
        num = m.group("num").replace(",", "")
        value: int | float = float(num) if "." in num else int(num)
        unit = (m.group("mag") or "") + m.group("unit")
        subject = _subject(doc, lo, m.start(), m.end(), hi, k + 1 < len(found)) or (out[-1].subject if out else "")
        out.append(Quantity(value, unit, m.start(), m.end(), idx, paren, subject))
    return _with_parent_subjects(out, earlier)


def _enclosing_paren(view: str, lo: int, pos: int) -> int:
    depth = 0
    for i in range(pos - 1, lo - 1, -1):
        if view[i] == ")":
            depth += 1
        elif view[i] == "(":
            if depth == 0:
                return i
            depth -= 1
    return -1


def _paren_bounds(view: str, lo: int, hi: int, m: re.Match[str], paren: int) -> tuple[int, int]:
    """Keep a subject inside its own parenthesis; stop an outer subject at the next "("."""
    if paren >= 0:
        close = view.find(")", m.end(), hi)
        return max(lo, paren + 1), min(hi, close) if close >= 0 else hi
    opened = view.find("(", m.end(), hi)
    return lo, opened if opened >= 0 else hi


def _subject(doc: Document, lo: int, num_start: int, unit_end: int, hi: int, next_quantity: bool) -> str:
    view = doc.view
    p0, p1 = _trim(view, lo, num_start, _LEAD, _TRAIL)
    if next_quantity and (comma := view.find("、", unit_end, hi)) >= 0:
        hi = comma  # `采集电子印章2135个、电子证照72个`: the suffix stops where the next item begins
    s0, s1 = _trim(view, unit_end, hi, _SUF_LEAD, _SUF_TRAIL)
    pre, suf = _words(doc, p0, p1), _words(doc, s0, s1)
    if not pre and not suf:
        return _words(doc, *_trim(view, lo, num_start, _PUNCT, _SPACE_END))
    if not suf:
        return pre
    if not pre or _VERB_END.search(view, lo, num_start):
        return suf
    return pre + suf


def _trim(view: str, lo: int, hi: int, lead: re.Pattern[str], trail: re.Pattern[str]) -> tuple[int, int]:
    m = lead.match(view, lo, hi)
    lo = m.end() if m else lo
    m = trail.search(view, lo, hi)
    return lo, (m.start() if m else hi)


def _words(doc: Document, start: int, end: int) -> str:
    """The report's own words for a view span: source text, or the rendered text of a web page."""
    return doc.view[start:end] if doc.kind == "html" else _source(doc, start, end)


def _source(doc: Document, start: int, end: int) -> str:
    if end <= start:
        return ""
    s, e = doc.to_source(start, end)
    return doc.text[s:e]


def _with_parent_subjects(quantities: list[Quantity], earlier: list[Quantity]) -> list[Quantity]:
    """`97件（市5件、区92件）`: the inner subjects become `人大代表建议（市）`, `人大代表建议（区）`;
    a figure repeated in a parenthesis (`（180件*2小时）`) takes the subject it was first stated with."""
    out: list[Quantity] = []
    for q in quantities:
        if q.paren >= 0:
            same = next((p for p in reversed(earlier + out) if (p.value, p.unit) == (q.value, q.unit)), None)
            parent = next((p for p in reversed(out) if p.paren < 0 and p.end <= q.paren), None)
            subject = same.subject if same else f"{parent.subject}（{q.subject}）" if parent else q.subject
            q = Quantity(q.value, q.unit, q.start, q.end, q.clause, q.paren, subject)
        out.append(q)
    return out


# ---- problems ------------------------------------------------------------------------------------

_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}
_MARKERS = (
    re.compile(r"(?<![^\s,;:。.!?、])(?P<n>[一二三四五六七八九十]{1,2})是"),
    re.compile(r"\((?P<n>[一二三四五六七八九十]{1,2})\)"),
    re.compile(r"(?<![^\s,;:。!?])(?P<n>\d{1,2})(?:[.、](?!\d)|\))"),
    re.compile(r"\((?P<n>\d{1,2})\)"),
)
_STOP = re.compile(r"下一步|针对(?!性)|改进措施|今后|整改措施|做好以下|主要做了以下|以下(?:几方面|措施|工作)"
                   r"|(?:我局|我区|我市|我县|我们|本机关|我委|我办|本单位)将|将(?:重点|继续|采取|从以下)")
_ITEM_END = re.compile(r"[。;；\n]")
_PROBLEM_LEAD = re.compile(r"(?:[\s,:、]|主要(?:问题|不足|表现)?(?:是|为|在于|有)|一方面|另一方面)+")
_NONE = re.compile(r"\s*(?:无|暂无|没有)[。.]?\s*")


def find_problems(doc: Document, sections: list[Section]) -> list[str]:
    """The shortcomings listed in the `problems` section, one string each, numbering and measures removed."""
    section = next((s for s in sections if s.key == "problems"), None)
    if section is None or _NONE.fullmatch(doc.view[section.body_start:section.end]):
        return []
    end = min(section.end, section.body_start + PROSE_LIMIT)
    items = _enumerated(doc.view, section.body_start, end) or _unnumbered(doc.view, section.body_start, end)
    return [text for text in (_words(doc, s, e).strip() for s, e in items) if text]


def _ordinal(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 2:
        return 10 + _CN_DIGITS.get(text[1], 0) if text[0] == "十" else 0
    return _CN_DIGITS.get(text, 0)


def _enumerated(view: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Items `一是…；二是…` (or `(一)`, `1.`, `(1)`): the numbering style that lists the most items."""
    best: list[tuple[int, int]] = []
    for pattern in _MARKERS:
        first = next((m for m in pattern.finditer(view, lo, hi) if _ordinal(m.group("n")) == 1), None)
        items = _items(view, pattern, first.start(), hi) if first else []
        if len(items) > len(best) or (items and len(items) == len(best) and items[0][0] < best[0][0]):
            best = items
    return best


def _items(view: str, pattern: re.Pattern[str], pos: int, hi: int) -> list[tuple[int, int]]:
    """From the item numbered 1 up to a restart of the numbering or a stop word (下一步, 针对…)."""
    stop = _STOP.search(view, pos, hi)
    hi = stop.start() if stop else hi
    items: list[tuple[int, int]] = []
    for m in pattern.finditer(view, pos, hi):
        if _ordinal(m.group("n")) != len(items) + 1:
            if _ordinal(m.group("n")) == 1:
                break
            continue
        end = _ITEM_END.search(view, m.end(), hi)
        items.append(_strip_span(view, m.end(), end.start() if end else hi))
    return [i for i in items if i[1] > i[0]]


def _unnumbered(view: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """One problem per sentence or line, after an introductory `…不足:` and before the measures."""
    stop = _STOP.search(view, lo, hi)
    hi = stop.start() if stop else hi
    colon = view.rfind(":", lo, hi)
    lo = colon + 1 if colon >= 0 else lo
    items = []
    for m in re.finditer(r"[^。;；\n]+", view[lo:hi]):
        if "取得" in m.group() or not m.group().strip():
            continue
        items.append(_strip_span(view, lo + m.start(), lo + m.end()))
    return [i for i in items if i[1] > i[0]]


def _strip_span(view: str, start: int, end: int) -> tuple[int, int]:
    lead = _PROBLEM_LEAD.match(view, start, end)
    start = lead.end() if lead else start
    while end > start and view[end - 1] in " \t\r,;:。.、":
        end -= 1
    return start, end
