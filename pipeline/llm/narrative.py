"""Narrative extraction: facts, problems and claims from the prose chunks, each grounded.

A fact survives only if its value is written in its quote and the quote is in the source; a
claim only if all its numbers are in its quote and the quote is in the source. Dropped facts are
counted in `usage.dropped_ungrounded_facts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from pipeline.core import Document
from pipeline.llm.chunking import Chunk
from pipeline.llm.client import LlmClient
from pipeline.llm.grounding import grounded
from pipeline.llm.prompts import PromptFile
from schemas.claims import Claims, PartsClaim, PercentClaim, TableClaim
from schemas.record import Fact, Record

# Table cells that prose commonly restates, shown to the model as the allowed `table_refs` paths.
TABLE_PATHS = {
    "applications.new_received.total": "本年新收政府信息公开申请数量",
    "applications.carried_over.total": "上年结转申请数量",
    "applications.total_processed.total": "本年办理申请总计",
    "applications.granted.total": "予以公开",
    "applications.partially_granted.total": "部分公开",
    "applications.carried_forward.total": "结转下年度继续办理",
    "active_disclosure.licensing.decisions": "行政许可处理决定数量",
    "active_disclosure.other_services.decisions": "其他对外管理服务事项处理决定数量",
    "active_disclosure.punishment.decisions": "行政处罚处理决定数量",
    "active_disclosure.enforcement.decisions": "行政强制处理决定数量",
    "active_disclosure.regulations.new_published": "本年新公开规章数量",
    "active_disclosure.normative_documents.new_published": "本年新公开规范性文件数量",
    "active_disclosure.normative_documents.issued": "本年制发行政规范性文件件数",
    "review_litigation.review.total": "行政复议总计",
    "review_litigation.litigation_direct.total": "未经复议直接起诉的行政诉讼总计",
    "review_litigation.litigation_after_review.total": "复议后起诉的行政诉讼总计",
}


class LlmFact(BaseModel):
    subject: str
    value: float
    unit: str
    quote: str


class LlmPercent(BaseModel):
    part: float
    whole: float
    percent: float
    quote: str


class LlmParts(BaseModel):
    whole: float
    parts: list[float]
    quote: str


class LlmTableRef(BaseModel):
    path: str
    value: float
    quote: str


class NarrativeAnswer(BaseModel):
    """What the model returns for one prose chunk."""

    facts: list[LlmFact] = []
    problems: list[str] = []
    percents: list[LlmPercent] = []
    parts: list[LlmParts] = []
    table_refs: list[LlmTableRef] = []


@dataclass
class NarrativeResult:
    """Grounded output of one chunk."""

    section: str
    facts: list[Fact] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    claims: Claims = field(default_factory=Claims)
    dropped_facts: int = 0


def table_paths_text() -> str:
    return "\n".join(f"  {path}：{label}" for path, label in TABLE_PATHS.items())


def ask_narrative(client: LlmClient, prompt: PromptFile, chunk: Chunk) -> NarrativeAnswer:
    messages = prompt.render("extract", section=chunk.title.strip(), table_paths=table_paths_text(),
                             chunk=chunk.text)
    return client.ask(messages, NarrativeAnswer, prompt)


def ground_answer(answer: NarrativeAnswer, chunk: Chunk, doc: Document, record: Record) -> NarrativeResult:
    window = (chunk.start, chunk.end)
    result = NarrativeResult(section=chunk.section)
    for fact in answer.facts:
        span = grounded(doc, fact.quote, [fact.value], window)
        if span is None:
            result.dropped_facts += 1
            continue
        result.facts.append(Fact(section=chunk.section, subject=fact.subject, value=_num(fact.value),  # type: ignore[arg-type]
                                 unit=fact.unit, quote=fact.quote, start=span[0], end=span[1]))
    if chunk.section == "problems":
        result.problems = [p.strip() for p in answer.problems if p.strip()]
    result.claims = _claims(answer, doc, record, window)
    return result


def _claims(answer: NarrativeAnswer, doc: Document, record: Record, window: tuple[int, int]) -> Claims:
    claims = Claims()
    for pc in answer.percents:
        span = grounded(doc, pc.quote, [pc.part, pc.whole, pc.percent], window)
        if span is not None:
            claims.percents.append(PercentClaim(quote=pc.quote, start=span[0], end=span[1], source="llm",
                                                part=pc.part, whole=pc.whole, percent=pc.percent))
    for pt in answer.parts:
        span = grounded(doc, pt.quote, [pt.whole, *pt.parts], window)
        if span is not None and pt.parts:
            claims.parts.append(PartsClaim(quote=pt.quote, start=span[0], end=span[1], source="llm",
                                           whole=pt.whole, parts=pt.parts))
    for ref in answer.table_refs:
        span = grounded(doc, ref.quote, [ref.value], window)
        if span is not None and cell_exists(record, ref.path):
            claims.table.append(TableClaim(quote=ref.quote, start=span[0], end=span[1], source="llm",
                                           path=ref.path, value=ref.value))
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
