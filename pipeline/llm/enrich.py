"""`enrich`: the LLM layer over a record the deterministic path has filled.

Prose chunks give facts, problems and claims; damaged tables get the table fallback. Requests
run on daemon threads (at most `config.concurrency` in flight), so Ctrl-C ends the run at once.
The LLM adds to the record and never takes away: rule-based facts and problems stay, parsed
cells stay, and an empty, partial or failed answer leaves the deterministic result in place.
`record.llm.status` and `record.llm.notes` say what happened (see `schemas.record.LlmInfo`).
Imports of `pipeline.validate` / `pipeline.narrative` happen at call time (no import cycles).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pipeline.config import Config
from pipeline.core import Document, LLMError, Section
from pipeline.llm.breaker import STOP
from pipeline.llm.cells import ask_cells, ask_whole, reask_loop
from pipeline.llm.chunking import TABLE_KEYS, Chunk, pack_requests, prose_chunks
from pipeline.llm.client import LlmClient, Usage
from pipeline.llm.narrative import NarrativeResult, ask_narrative, ground_answer, loose
from pipeline.llm.prompts import load_prompt
from pipeline.llm.tables import TableWork, needs_llm, plan, start_work
from schemas.claims import Claims
from schemas.record import Fact, Finding, LlmInfo, Record

log = logging.getLogger(__name__)
NARRATIVE_PROMPT = ("narrative", 2)
TABLE_PROMPT = ("table", 2)
TableValidator = Callable[[Record], list[Finding]]


def prompt_version() -> str:
    return "+".join(f"{name}.v{version}" for name, version in (NARRATIVE_PROMPT, TABLE_PROMPT))


@dataclass
class Outcomes:
    narrative: list[NarrativeResult] = field(default_factory=list)
    tables: list[TableWork] = field(default_factory=list)
    failed_sections: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    failed: int = 0
    cut_off: int = 0
    notes: list[str] = field(default_factory=list)


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
    except KeyboardInterrupt:
        STOP.set()  # the daemon threads stop at their next step; nothing waits for them
        raise
    client.close()
    out = record.model_copy(deep=True)
    _merge_tables(out, outcomes.tables, validate_tables)
    _merge_prose(out, outcomes)
    out.findings = _dedupe(out.findings + outcomes.findings + _claim_findings(outcomes, out))
    usage.add(dropped_ungrounded_facts=sum(r.dropped_facts for r in outcomes.narrative))
    cells = {p: c for work in outcomes.tables for p, c in work.cells.items()}
    out.llm = LlmInfo(model=client.model, prompt_version=prompt_version(), usage=usage.to_model(), cells=cells,
                      status=_status(outcomes, usage), notes=outcomes.notes)
    return out


def _status(outcomes: Outcomes, usage: Usage) -> Any:
    """ok: nothing failed; partial: some answers came; else skipped (cut off before any call) or failed."""
    if not outcomes.failed:
        return "ok"
    counts = usage.counts
    if counts["calls"] - counts["failed_calls"] + counts["cache_hits"] > 0:
        return "partial"
    return "skipped" if outcomes.cut_off == outcomes.failed and not counts["calls"] else "failed"


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

        def check(w: TableWork) -> list[Finding]:
            return validate_tables(record.model_copy(update={w.table: w.table_value()}))

        try:
            if cells is None:
                ask_whole(work, client, table_prompt, doc, config.chunk_tokens)
            else:
                ask_cells(work, client, table_prompt, doc, cells, attempt=1)
            reask_loop(work, client, table_prompt, doc, config.max_reasks, check)
        except LLMError as exc:  # what was grounded before the failure is kept
            work.error = exc
        return work

    groups = pack_requests(chunks, config.chunk_tokens)
    jobs: list[Callable[[], Any]] = [partial(narrative, g) for g in groups]
    jobs += [partial(table, s) for s in tables]
    results = run_all(jobs, config.concurrency)
    for group, (value, error) in zip(groups, results[:len(groups)], strict=True):
        where = ", ".join(f"{c.section} {c.start}-{c.end}" for c in group)
        if _failed(error, f"narrative of {where}", outcomes):
            outcomes.failed_sections.update(c.section for c in group)
        else:
            outcomes.narrative.append(value)
    for section, (value, error) in zip(tables, results[len(groups):], strict=True):
        if not _failed(error, f"table {section.key}", outcomes):
            _failed(value.error, f"table {section.key}", outcomes)
            outcomes.tables.append(value)
    return outcomes


def run_all(jobs: list[Callable[[], Any]], workers: int) -> list[tuple[Any, BaseException | None]]:
    """Run `jobs` on at most `workers` daemon threads; (result, error) per job, in order.

    Daemon threads and a polling wait keep Ctrl-C immediate: the main thread is never blocked in
    an uninterruptible join, and a thread stuck in a network read does not hold the process.
    """
    todo: queue.Queue[int] = queue.Queue()
    for i in range(len(jobs)):
        todo.put(i)
    done: queue.Queue[tuple[int, Any, BaseException | None]] = queue.Queue()

    def worker() -> None:
        while not STOP.is_set():
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((i, jobs[i](), None))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                done.put((i, None, exc))

    for _ in range(min(max(1, workers), len(jobs))):
        threading.Thread(target=worker, daemon=True, name="nianbao-llm").start()
    results: list[tuple[Any, BaseException | None]] = [(None, None)] * len(jobs)
    for _ in jobs:
        while True:
            try:
                i, value, error = done.get(timeout=0.1)
                break
            except queue.Empty:
                continue
        results[i] = (value, error)
    return results


def _failed(error: BaseException | None, what: str, outcomes: Outcomes) -> bool:
    """True (with an `llm.failed` finding and a note) when the job's requests failed."""
    if error is None:
        return False
    if not isinstance(error, LLMError):
        raise error
    outcomes.failed += 1
    cut_off = bool(error.data.get("cut_off"))
    outcomes.cut_off += cut_off
    if not (cut_off or error.data.get("transport")):  # transport trouble is said once, by the breaker
        log.warning("llm: %s failed: %s", what, error)
    outcomes.notes.append(f"{what}: {error}; the deterministic result stays")
    outcomes.findings.append(Finding(rule="llm.failed", severity="warning",
                                     message=f"llm.failed: {what}: {error}; the deterministic result stays"))
    return True


def _merge_tables(out: Record, works: list[TableWork], validate_tables: TableValidator) -> None:
    if not works:
        return
    stale = {(f.rule, f.message) for f in validate_tables(out)}
    for work in works:
        setattr(out, work.table, work.table_value())
        out.provenance.update(work.provenance)
        out.findings += work.findings
    out.findings = [f for f in out.findings if (f.rule, f.message) not in stale] + validate_tables(out)


def _merge_prose(out: Record, outcomes: Outcomes) -> None:
    """Rule-based facts and problems stay; grounded LLM ones are added where they are new."""
    llm_facts = [f for r in outcomes.narrative for f in r.facts]
    added = [f for f in llm_facts if not any(_same_fact(f, g) for g in out.facts)]
    out.facts = sorted(out.facts + _unique_facts(added), key=lambda f: (f.start, f.end))
    known = [loose(p) for p in out.problems]
    new_problems = []
    for problem in (p for r in outcomes.narrative for p in r.problems):
        key = loose(problem)
        if not any(key in k or k in key for k in known):
            known.append(key)
            new_problems.append(problem)
    out.problems += new_problems
    dropped = [d for r in outcomes.narrative for d in r.dropped]
    if dropped:
        log.info("llm: %d item(s) not found in the source dropped", len(dropped))
        out.findings.append(Finding(
            rule="llm.dropped", severity="warning",
            message=f"llm.dropped: {len(dropped)} LLM item(s) not found in the source were dropped: "
                    + "; ".join(dropped[:5]) + ("; …" if len(dropped) > 5 else "")))
    empty = [r for r in outcomes.narrative if not (r.facts or r.problems or r.dropped)]
    outcomes.notes.append(f"narrative: {len(outcomes.narrative)} request(s) answered ({len(empty)} empty), "
                          f"{len(added)} fact(s) and {len(new_problems)} problem(s) added to the rule-based "
                          f"{len(out.facts) - len(added)} and {len(out.problems) - len(new_problems)}, "
                          f"{len(dropped)} dropped as not in the source")
    for section in sorted(outcomes.failed_sections):
        out.not_extracted.append(f"facts ({section}): the LLM request failed; rule-based facts kept")


def _same_fact(a: Fact, b: Fact) -> bool:
    return a.value == b.value and a.start < b.end and b.start < a.end


def _unique_facts(facts: list[Fact]) -> list[Fact]:
    out: list[Fact] = []
    for f in facts:
        if not any(_same_fact(f, g) for g in out):
            out.append(f)
    return out


def _claim_findings(outcomes: Outcomes, record: Record) -> list[Finding]:
    claims = Claims()
    for result in outcomes.narrative:
        claims.percents += result.claims.percents
        claims.parts += result.claims.parts
        claims.table += result.claims.table
    if not (claims.percents or claims.parts or claims.table):
        return []
    from pipeline.narrative_rules import check_claims

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
