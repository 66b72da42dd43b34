"""Claims the prose makes about its own numbers: the rule-based finder behind the narrative rules.

`find_claims` is the offline, rule-based finder; it is conservative on purpose (a false
narrative error is worse than a missed one):
- a percentage claim needs an explicit share (`占比`, `占全部…的`) or a rate named after its part
  (`接通212542件，接通率95.78%`) and a whole the sentence points at (`787项…中`, `…176件…其中`);
  year-on-year changes (同比/增长/下降 …) and bounds (`90%以上`) are skipped;
- a parts claim needs `W，其中A，B…` in one sentence (≥ 2 parts, one unit) or a parenthetical
  breakdown `97件（市5件、区92件）`; a `其中` list whose parts add up to less than the whole is
  read as a partial enumeration (`其中` does not promise all parts) and is not claimed;
- a table claim is a figure whose wording names one table cell unambiguously.

The checks themselves are in `pipeline.narrative_rules.check_claims`, pure and shared with the LLM layer.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from pipeline.core import Document, Section, normalise
from pipeline.facts import Clause, Quantity, Sentence, prose
from schemas.claims import Claims, PartsClaim, PercentClaim, TableClaim
from schemas.record import Record

_YOY = re.compile(r"同比|环比|比上年|较上年|比去年|较去年|上一年|增长|下降|上升|增加|减少|提高|降低|提升|增幅|降幅")
_SHARE = re.compile(r"占(?:比|(?:总数|总量|全部|所有|总计|申请总数)[^,;]{0,10}?(?:的|比例|比重))\s*(?:达到|达|为)?\s*$")
_LOOK_BACK = 40  # characters before a figure that _SHARE, _RATE and _BOUND_BEFORE can span
_RATE = re.compile(r"率\s*(?:达到|达|为)?\s*$")
_BOUND_AFTER = re.compile(r"\s*(?:以上|以下|左右|多|余)")
_BOUND_BEFORE = re.compile(r"(?:超过|近|约|逾|不到|不足|接近|高于|低于)\s*(?:达到|达|为)?\s*$")
_OF_WHICH = re.compile(r"^\s*其中")
_PARTIAL = re.compile(r"其中|含|包括|占|同比")
_COUNT_UNITS = frozenset({"件", "条", "个", "份", "宗", "次", "项"})
_YEAR = re.compile(r"(\d{4})\s*年")
_APP_EXCLUDE = re.compile(r"同比|上年|去年|结转|自然人|法人|企业|复议|诉讼|办结|答复|转办|主动|网上|信函|当面|传真|邮件")
_DISCLOSURE_RULES = (
    (re.compile(r"(?<!其他对外管理服务事项)(?<!非)行政许可(?:信息|决定|处理决定)\s*$"), "active_disclosure.licensing.decisions"),
    (re.compile(r"其他对外管理服务事项(?:信息|决定|处理决定)\s*$"), "active_disclosure.other_services.decisions"),
)
_APPLICATION_RULES = (
    (re.compile(r"(?<!不)予以公开\s*$"), "applications.granted.total"),
    (re.compile(r"(?<!不)部分公开\s*$"), "applications.partially_granted.total"),
)
_RECEIVED = (re.compile(r"收到|受理|新收|接收|接到"), re.compile(r"依申请公开|信息公开申请|公开申请"))


# ---- finding -------------------------------------------------------------------------------------


def find_claims(doc: Document, sections: list[Section], record: Record | None = None) -> Claims:
    """Percentage, parts-of-a-whole and table-restating claims made by the prose of `sections`."""
    year = record.meta.year if record is not None else None
    percents: list[PercentClaim] = []
    parts: list[PartsClaim] = []
    table: list[TableClaim] = []
    for paragraph in _paragraphs(prose(doc, sections)):
        wholes = _Wholes(paragraph)
        for i, sentence in enumerate(paragraph):
            percents += _percent_claims(doc, paragraph, i, wholes)
            parts += _parts_claims(doc, sentence)
            table += _table_claims(doc, sentence, year)
    return Claims(percents=percents, parts=parts, table=table)


def _paragraphs(sentences: list[Sentence]) -> Iterator[list[Sentence]]:
    group: list[Sentence] = []
    for sentence in sentences:
        if group and group[-1].line != sentence.line:
            yield group
            group = []
        group.append(sentence)
    if group:
        yield group


class _Wholes:
    """For one paragraph: the last count stated before each clause, and the last `其中` clause at or
    before each clause of a sentence. Computed once, so the look-back of `_share_of` stays linear."""

    def __init__(self, paragraph: list[Sentence]) -> None:
        self.offsets: list[int] = []
        self.before: list[Quantity | None] = []  # flat clause index -> last main count before it
        self.of_which: list[list[int | None]] = []  # sentence -> clause -> last 其中 clause at or before it
        last: Quantity | None = None
        for sentence in paragraph:
            self.offsets.append(len(self.before))
            marks: list[int | None] = []
            for j, clause in enumerate(sentence.clauses):
                self.before.append(last)
                main = _main(clause)
                last = main[-1] if main else last
                marks.append(j if _OF_WHICH.match(clause.text) else marks[-1] if marks else None)
            self.of_which.append(marks)

    def whole_before(self, i: int, j: int) -> Quantity | None:
        """The last count stated before clause `j` of sentence `i`."""
        return self.before[self.offsets[i] + j]


def _main(clause: Clause) -> list[Quantity]:
    """The counts a clause states outside parentheses (no percentages, no year-on-year changes)."""
    if clause.counts is None:
        clause.counts = [] if _YOY.search(clause.text) else [q for q in clause.quantities if q.paren < 0 and q.unit != "%"]
    return clause.counts


def _single(clause: Clause, unit: str | None = None) -> Quantity | None:
    main = _main(clause)
    if len(main) != 1 or (unit is not None and main[0].unit != unit):
        return None
    return main[0]


def _quote(doc: Document, start: int, end: int) -> tuple[str, int, int]:
    s, e = doc.to_source(start, end)
    return doc.text[s:e], s, e


# percentages


def _percent_claims(doc: Document, paragraph: list[Sentence], i: int, wholes: _Wholes) -> list[PercentClaim]:
    out = []
    sentence = paragraph[i]
    clauses = sentence.clauses
    for k, clause in enumerate(clauses):
        for q in clause.quantities:
            if q.unit != "%" or q.paren >= 0 or _YOY.search(clause.text) or _bounded(doc.view, clause, q):
                continue
            found = _share_of(paragraph, i, k, q, doc.view, wholes) or _rate_of(clauses, k, q, doc.view)
            if found is not None:
                part, whole = found
                lo = whole.start if sentence.start <= whole.start < sentence.end else part.start
                quote, s, e = _quote(doc, _clause_start(clauses, lo), q.end)
                out.append(PercentClaim(quote=quote, start=s, end=e, part=part.value, whole=whole.value,
                                        percent=q.value))
    return out


def _clause_start(clauses: list[Clause], pos: int) -> int:
    return clauses[max(0, bisect_right([c.start for c in clauses], pos) - 1)].start


def _near(clause: Clause, q: Quantity) -> int:
    """Where to start looking for the words just before `q`: the patterns ending at it are short."""
    return max(clause.start, q.start - _LOOK_BACK)


def _bounded(view: str, clause: Clause, q: Quantity) -> bool:
    return bool(_BOUND_AFTER.match(view, q.end) or _BOUND_BEFORE.search(view, _near(clause, q), q.start))


def _share_of(paragraph: list[Sentence], i: int, k: int, q: Quantity, view: str,
              wholes: _Wholes) -> tuple[Quantity, Quantity] | None:
    """`787项…中，720项…，占比91.36%` or `…176件…其中予以公开90件，占比51.1%`: (part, whole)."""
    clauses = paragraph[i].clauses
    if not _SHARE.search(view, _near(clauses[k], q), q.start):
        return None
    before = [p for p in clauses[k].quantities if p.end <= q.start and p.paren < 0 and p.unit != "%"]
    part = before[-1] if before else (_single(clauses[k - 1]) if k else None)
    if part is None:
        return None
    pk = part.clause
    if pk and (whole := _single(clauses[pk - 1], part.unit)) and re.search(r"中\s*$", clauses[pk - 1].text):
        return part, whole
    of_which = wholes.of_which[i][pk]
    if of_which is None:
        return None
    whole = wholes.whole_before(i, of_which)
    if whole is None or whole.unit != part.unit or whole.value < part.value:
        return None
    return part, whole


def _rate_of(clauses: list[Clause], k: int, q: Quantity, view: str) -> tuple[Quantity, Quantity] | None:
    """`接通212542件，接通率95.78%` after `共收到…221903件`: the rate's stem names the part."""
    if k < 2 or not _RATE.search(view, _near(clauses[k], q), q.start):
        return None
    part, whole = _single(clauses[k - 1]), _single(clauses[k - 2])
    stem = re.sub(r"率\s*(?:达到|达|为)?\s*$", "", view[clauses[k].start:q.start]).strip()
    if part is None or whole is None or not stem or normalise(part.subject) != stem:
        return None
    return (part, whole) if whole.unit == part.unit and whole.value >= part.value else None


# parts


def _parts_claims(doc: Document, sentence: Sentence) -> list[PartsClaim]:
    clauses = sentence.clauses
    out = [claim for clause in clauses for claim in _breakdowns(doc, clause)]
    i = 0
    while i < len(clauses):
        whole = _single(clauses[i])
        if whole is None or i + 1 >= len(clauses) or not _OF_WHICH.match(clauses[i + 1].text):
            i += 1
            continue
        start = i + 2 if clauses[i + 1].text.strip() == "其中" else i + 1
        items, end = _list(clauses, start, whole.unit, nested=False)
        out += _list_claims(doc, clauses, whole, i, items)
        i = max(end, i + 1)
    return out


Item = tuple[Quantity, list["Item"]]


def _list(clauses: list[Clause], j: int, unit: str, nested: bool) -> tuple[list[Item], int]:
    """Items `A 627条，其中a 339条，b 280条；B 577条`: one count per clause, a `其中` opening a sub-list
    that a `；` closes."""
    items: list[Item] = []
    while j < len(clauses):
        q = _single(clauses[j], unit)
        if q is None:
            break
        j += 1
        sub: list[Item] = []
        if not nested and j < len(clauses) and _OF_WHICH.match(clauses[j].text) and _single(clauses[j], unit):
            sub, j = _list(clauses, j, unit, nested=True)
        items.append((q, sub))
        if nested and clauses[j - 1].sep in ";；":
            break
    return items, j


def _list_claims(doc: Document, clauses: list[Clause], whole: Quantity, i: int, items: list[Item]) -> list[PartsClaim]:
    out = []
    parts = [q for q, _ in items]
    if _exhaustive(whole, parts):
        end = max(c.end for c in clauses if c.start <= parts[-1].end)
        quote, s, e = _quote(doc, clauses[i].start, end)
        out.append(PartsClaim(quote=quote, start=s, end=e, whole=whole.value, parts=[p.value for p in parts]))
    for q, sub in items:
        if sub:
            out += _list_claims(doc, clauses, q, q.clause, sub)
    return out


def _exhaustive(whole: Quantity, parts: list[Quantity], partial: bool = True) -> bool:
    if len(parts) < 2 or any(p.value > whole.value for p in parts):
        return False
    return not partial or sum(p.value for p in parts) >= whole.value


def _breakdowns(doc: Document, clause: Clause) -> list[PartsClaim]:
    """`97件（市5件、区92件）`: a count followed by a parenthesis of counts in the same unit."""
    out = []
    for q in _main(clause):
        paren = q.end + len(doc.view[q.end:clause.end]) - len(doc.view[q.end:clause.end].lstrip())
        if doc.view[paren:paren + 1] != "(":
            continue
        inner = [p for p in clause.quantities if p.paren == paren]
        close = doc.view.find(")", paren, clause.end)
        text = doc.view[paren:close if close >= 0 else clause.end]
        if not inner or any(p.unit != q.unit for p in inner) or not _exhaustive(q, inner, bool(_PARTIAL.search(text))):
            continue
        quote, s, e = _quote(doc, clause.start, close + 1 if close >= 0 else clause.end)
        out.append(PartsClaim(quote=quote, start=s, end=e, whole=q.value, parts=[p.value for p in inner]))
    return out


# table cells


def _table_claims(doc: Document, sentence: Sentence, year: int | None) -> list[TableClaim]:
    text = sentence.text
    if year is not None and any(int(y) != year for y in _YEAR.findall(text)):
        return []
    out = []
    for clause in sentence.clauses:
        main = _main(clause)
        if len(main) != 1 or main[0].unit not in _COUNT_UNITS:
            continue
        q = main[0]
        path = _table_path(doc.view[clause.start:q.start], clause.text, text, sentence.section)
        if path is not None:
            quote, s, e = _quote(doc, clause.start, clause.end)
            out.append(TableClaim(quote=quote, start=s, end=e, path=path, value=q.value))
    return out


def _table_path(before: str, clause: str, sentence: str, section: str) -> str | None:
    if re.search(r"公示|公开", sentence):
        for pattern, path in _DISCLOSURE_RULES:
            if pattern.search(before):
                return path
    if _APP_EXCLUDE.search(clause):
        return None
    if ("申请" in sentence or section == "applications"):
        for pattern, path in _APPLICATION_RULES:
            if pattern.search(before):
                return path
    if all(p.search(clause) for p in _RECEIVED) and "其中" not in clause:
        return "applications.new_received.total"
    return None
