"""Narrative extraction: facts, problems and claims from the prose chunks, each grounded.

A fact survives only if its value is written in its quote, the quote is in the text the model
was shown, its subject is in that text and its unit in the quote; a claim only if all its numbers
are in its quote and the quote is in the source; a problem only if it is in the problems section.
"In" allows whitespace and punctuation differences (`loose`). What fails is dropped, counted in
`usage.dropped_ungrounded_facts` / `NarrativeResult.dropped`, and reported as an `llm.dropped`
warning by `enrich`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from pipeline.core import Document, normalise
from pipeline.llm.chunking import Chunk, Span
from pipeline.llm.client import LlmClient
from pipeline.llm.compact import Compact
from pipeline.llm.grounding import locate, number_in
from pipeline.llm.prompts import PromptFile, fence
from schemas.claims import Claims, PartsClaim, PercentClaim, TableClaim
from schemas.record import Fact, Record

# Table cells that prose commonly restates: the label the model may use -> the cell's path.
TABLE_REFS = {
    "新收申请": "applications.new_received.total",
    "上年结转申请": "applications.carried_over.total",
    "办理申请总计": "applications.total_processed.total",
    "予以公开": "applications.granted.total",
    "部分公开": "applications.partially_granted.total",
    "结转下年度": "applications.carried_forward.total",
    "行政许可": "active_disclosure.licensing.decisions",
    "其他对外管理服务事项": "active_disclosure.other_services.decisions",
    "行政处罚": "active_disclosure.punishment.decisions",
    "行政强制": "active_disclosure.enforcement.decisions",
    "行政复议": "review_litigation.review.total",
    "直接起诉": "review_litigation.litigation_direct.total",
    "复议后起诉": "review_litigation.litigation_after_review.total",
}


class LlmFact(Compact):
    subject: str
    value: float
    unit: str
    quote: str


class LlmPercent(Compact):
    part: float
    whole: float
    percent: float
    quote: str


class LlmParts(Compact):
    whole: float
    parts: list[float]
    quote: str


class LlmTableRef(Compact):
    cell: str  # a TABLE_REFS label
    value: float
    quote: str


class NarrativeAnswer(Compact):
    """What the model returns for one prose chunk."""

    facts: list[LlmFact] = []
    problems: list[str] = []
    percents: list[LlmPercent] = []
    parts: list[LlmParts] = []
    table_refs: list[LlmTableRef] = []


@dataclass
class NarrativeResult:
    """Grounded output of one chunk."""

    sections: set[str]
    facts: list[Fact] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    claims: Claims = field(default_factory=Claims)
    dropped_facts: int = 0
    dropped: list[str] = field(default_factory=list)  # what was dropped, for the warning


def ask_narrative(client: LlmClient, prompt: PromptFile, chunks: list[Chunk]) -> NarrativeAnswer:
    text = "\n\n".join(f"【{c.title}】\n{c.text}" for c in chunks)
    return client.ask(prompt.render("extract", refs="、".join(TABLE_REFS), chunk=fence(text)), NarrativeAnswer,
                      prompt)


def loose(text: str) -> str:
    """`text` without whitespace and punctuation, for "is this written in the source" checks."""
    return "".join(c for c in normalise(text) if not c.isspace() and unicodedata.category(c)[0] not in "PSZ")


def loose_in(needle: str, haystack: str) -> bool:
    return loose(needle) in loose(haystack)


def ground_answer(answer: NarrativeAnswer, chunks: list[Chunk], doc: Document, record: Record) -> NarrativeResult:
    """Keep what is grounded in the chunks the model was shown; facts take the section of their quote."""
    result = NarrativeResult(sections={c.section for c in chunks})
    shown = "\n".join(c.text for c in chunks)
    for fact in answer.facts:
        found = _ground(doc, fact.quote, [fact.value], chunks)
        unit_ok = bool(loose(fact.unit) or fact.unit.strip() in ("%", "％")) and loose_in(fact.unit, fact.quote)
        if found is None or not (loose(fact.subject) and loose_in(fact.subject, shown)) or not unit_ok:
            result.dropped_facts += 1
            result.dropped.append(f"fact {fact.subject[:30]!r} = {fact.value:g}{fact.unit[:10]}")
            continue
        (start, end), section = found
        result.facts.append(Fact(section=section, subject=fact.subject, value=_num(fact.value),  # type: ignore[arg-type]
                                 unit=fact.unit, quote=doc.text[start:end], start=start, end=end))
    problems_text = "\n".join(c.text for c in chunks if c.section == "problems")
    for problem in (p.strip() for p in answer.problems):
        if problems_text and loose(problem) and loose_in(problem, problems_text):
            result.problems.append(problem)
        elif problem:
            result.dropped.append(f"problem {problem[:40]!r}")
    result.claims = _claims(answer, doc, record, chunks)
    return result


def _ground(doc: Document, quote: str, values: list[float], chunks: list[Chunk]) -> tuple[Span, str] | None:
    """Source span and section of a quote holding every value, found in one of the chunks' paragraphs."""
    if not all(number_in(v, quote) for v in values):
        return None
    for chunk in chunks:
        for window in chunk.spans:
            span = locate(doc, quote, window, anywhere=False)
            if span is not None:
                return span, chunk.section
    return None


def _claims(answer: NarrativeAnswer, doc: Document, record: Record, chunks: list[Chunk]) -> Claims:
    claims = Claims()
    for pc in answer.percents:
        found = _ground(doc, pc.quote, [pc.part, pc.whole, pc.percent], chunks)
        if found is not None:
            (start, end), _ = found
            claims.percents.append(PercentClaim(quote=doc.text[start:end], start=start, end=end, source="llm",
                                                part=pc.part, whole=pc.whole, percent=pc.percent))
    for pt in answer.parts:
        found = _ground(doc, pt.quote, [pt.whole, *pt.parts], chunks)
        if found is not None and pt.parts:
            (start, end), _ = found
            claims.parts.append(PartsClaim(quote=doc.text[start:end], start=start, end=end, source="llm",
                                           whole=pt.whole, parts=pt.parts))
    for ref in answer.table_refs:
        path = TABLE_REFS.get(ref.cell.strip(), ref.cell.strip())
        found = _ground(doc, ref.quote, [ref.value], chunks)
        if found is not None and cell_exists(record, path):
            (start, end), _ = found
            claims.table.append(TableClaim(quote=doc.text[start:end], start=start, end=end, source="llm",
                                           path=path, value=ref.value))
    return claims


def cell_exists(record: Record, path: str) -> bool:
    """True when `path` names a cell of a table the record has (in its template)."""
    parts = path.split(".")
    if len(parts) != 3:
        return False
    node: Any = getattr(record, parts[0], None) if parts[0] in TABLES else None
    for name in parts[1:]:
        if not isinstance(node, BaseModel) or name not in type(node).model_fields or name == "template":
            return False
        node = getattr(node, name)
    return not isinstance(node, BaseModel)


TABLES = ("active_disclosure", "applications", "review_litigation")


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
