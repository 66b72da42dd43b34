"""`enrich`: the LLM layer over a record the deterministic path has filled.

Prose chunks give facts, problems and claims; damaged tables get the table fallback. Chunks run
concurrently (at most `config.concurrency` requests in flight); a chunk whose request still
fails after its retries becomes an `llm.failed` warning and the deterministic result stays.
Imports of `pipeline.validate` / `pipeline.narrative` happen at call time (no import cycles).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import Config
from pipeline.core import Document, LLMError, Section
from pipeline.llm.cells import ask_cells, reask_loop
from pipeline.llm.chunking import TABLE_KEYS, Chunk, pack_requests, prose_chunks
from pipeline.llm.client import LlmClient, Usage
from pipeline.llm.narrative import NarrativeResult, ask_narrative, ground_answer
from pipeline.llm.prompts import load_prompt
from pipeline.llm.tables import TableWork, ask_whole, needs_llm, plan, settle_replacements, start_work
from schemas.claims import Claims
from schemas.record import Fact, Finding, LlmInfo, Record

log = logging.getLogger(__name__)
NARRATIVE_PROMPT = ("narrative", 1)
TABLE_PROMPT = ("table", 1)
TableValidator = Callable[[Record], list[Finding]]


def prompt_version() -> str:
    return "+".join(f"{name}.v{version}" for name, version in (NARRATIVE_PROMPT, TABLE_PROMPT))


@dataclass
class Outcomes:
    narrative: list[NarrativeResult] = field(default_factory=list)
    tables: list[TableWork] = field(default_factory=list)
    failed_sections: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)


def enrich(record: Record, doc: Document, sections: list[Section], config: Config, *,
           http_client: Any = None) -> Record:
    """A new record with the LLM's grounded facts, problems, claims and table cells added.

    `http_client` (an `httpx2.Client`) is for measuring and testing: `evals/tokens.py` passes one
    with a mock transport to count exactly what would be sent.
    """
    from pipeline.validate import validate_tables

    usage = Usage()
    client = LlmClient(config, usage, http_client=http_client)
    try:
        outcomes = _run(record, doc, sections, config, client, validate_tables)
    finally:
        client.close()
    out = record.model_copy(deep=True)
    _merge_tables(out, outcomes.tables, validate_tables)
    _merge_prose(out, outcomes)
    out.findings = _dedupe(out.findings + outcomes.findings + _claim_findings(outcomes, out))
    usage.add(dropped_ungrounded_facts=sum(r.dropped_facts for r in outcomes.narrative))
    cells = {p: c for work in outcomes.tables for p, c in work.cells.items()}
    out.llm = LlmInfo(model=client.model, prompt_version=prompt_version(), usage=usage.to_model(), cells=cells)
    return out


def _run(record: Record, doc: Document, sections: list[Section], config: Config, client: LlmClient,
         validate_tables: TableValidator) -> Outcomes:
    narrative_prompt, table_prompt = load_prompt(*NARRATIVE_PROMPT), load_prompt(*TABLE_PROMPT)
    base = validate_tables(record)
    tables = [s for s in sections if s.key in TABLE_KEYS and needs_llm(record, doc, s, base)]
    chunks = prose_chunks(doc, sections, config.chunk_tokens, client.model)
    outcomes = Outcomes()

    def narrative(group: list[Chunk]) -> NarrativeResult:
        return ground_answer(ask_narrative(client, narrative_prompt, group), group, doc, record)

    def table(section: Section) -> TableWork:
        work = start_work(record, doc, section, base)
        cells = plan(work, doc)
        if cells is None:
            ask_whole(work, client, table_prompt, doc, config.chunk_tokens)
        else:
            ask_cells(work, client, table_prompt, doc, cells, attempt=1)

        def check(w: TableWork) -> list[Finding]:
            return validate_tables(record.model_copy(update={w.table: w.table_value()}))

        settle_replacements(work, reask_loop(work, client, table_prompt, doc, config.max_reasks, check))
        return work

    with ThreadPoolExecutor(max_workers=max(1, config.concurrency)) as pool:
        narrative_jobs = [(g, pool.submit(narrative, g)) for g in pack_requests(chunks, config.chunk_tokens)]
        table_jobs = [(s, pool.submit(table, s)) for s in tables]
        for group, job in narrative_jobs:
            where = ", ".join(f"{c.section} {c.start}-{c.end}" for c in group)
            result = _result(job, f"narrative of {where}", outcomes)
            if result is None:
                outcomes.failed_sections.update(c.section for c in group)
            else:
                outcomes.narrative.append(result)
        for section, tjob in table_jobs:
            work = _result(tjob, f"table {section.key}", outcomes)
            if work is not None:
                outcomes.tables.append(work)
    return outcomes


def _result(job: Any, what: str, outcomes: Outcomes) -> Any:
    """The job's result, or None with an `llm.failed` finding when its requests failed."""
    try:
        return job.result()
    except LLMError as exc:
        log.warning("llm: %s failed: %s", what, exc)
        outcomes.findings.append(Finding(rule="llm.failed", severity="warning",
                                         message=f"llm.failed: {what}: {exc}; the deterministic result stays"))
        return None


def _merge_tables(out: Record, works: list[TableWork], validate_tables: TableValidator) -> None:
    if not works:
        return
    stale = {(f.rule, f.message) for f in validate_tables(out)}
    for work in works:
        setattr(out, work.table, work.table_value())
        for path in work.cells:  # an LLM cell points at its quote's number, or nowhere
            out.provenance.pop(path, None)
        out.provenance.update(work.provenance)
        out.findings += work.findings
    out.findings = [f for f in out.findings if (f.rule, f.message) not in stale] + validate_tables(out)


def _merge_prose(out: Record, outcomes: Outcomes) -> None:
    """LLM facts replace the offline ones section by section, where every chunk of it succeeded."""
    done = {s for r in outcomes.narrative for s in r.sections} - outcomes.failed_sections
    kept = [f for f in out.facts if f.section not in done]
    llm_facts: list[Fact] = [f for r in outcomes.narrative for f in r.facts if f.section in done]
    out.facts = sorted(kept + llm_facts, key=lambda f: (f.start, f.end))
    if "problems" in done:
        out.problems = [p for r in outcomes.narrative for p in r.problems]
    for section in sorted(outcomes.failed_sections):
        out.not_extracted.append(f"facts ({section}): the LLM request failed; rule-based facts kept")


def _claim_findings(outcomes: Outcomes, record: Record) -> list[Finding]:
    claims = Claims()
    for result in outcomes.narrative:
        claims.percents += result.claims.percents
        claims.parts += result.claims.parts
        claims.table += result.claims.table
    if not (claims.percents or claims.parts or claims.table):
        return []
    try:
        from pipeline.narrative_rules import check_claims
    except ImportError:  # pragma: no cover - until pipeline.narrative exists
        log.warning("llm: pipeline.narrative_rules.check_claims is missing; LLM claims not checked")
        return []
    return list(check_claims(claims, record))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Drop repeats of the same rule on the same cells and numbers (e.g. found offline and by the LLM)."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for f in findings:
        key = (f.rule, tuple(f.cells), f.expected, f.found) if f.rule.startswith("narrative.") else (
            f.rule, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
