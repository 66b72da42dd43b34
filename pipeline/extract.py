"""Stage 4: one report from file to checked record. The only module that calls every stage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.core import Document, Section, TableResult
from pipeline.ingest import ingest
from pipeline.meta import find_meta
from pipeline.sections import find_sections
from pipeline.tables import parse_tables
from pipeline.validate import validate
from schemas import Finding, Record, SectionOut, Source

VALIDATOR_RULES = {"applications.balance", "applications.row_total", "applications.outcome_sum",
                   "review_litigation.group_total", "active_disclosure.nonnegative", "grounding", "null_as_zero"}
NO_LLM = "no LLM configured (pass --model, see README)"


def extract(path: Path, config: Config | None = None) -> Record:
    """Read, parse, check. Raises `IngestError` for input that cannot be a report."""
    return extract_document(ingest(Path(path)), config)


def extract_document(doc: Document, config: Config | None = None) -> Record:
    config = config or Config()
    sections = find_sections(doc)
    tables = parse_tables(doc, sections)
    record = build_record(doc, sections, tables)
    record = _prose(record, doc, sections)
    if config.llm_enabled:
        from pipeline.llm import enrich

        record = enrich(record, doc, sections, config)
    else:
        record.not_extracted = _not_extracted(record)
    kept = [f for f in record.findings if f.rule not in VALIDATOR_RULES]
    record.findings = _unique(kept + validate(record, doc.text))
    return record


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out = []
    for f in findings:
        if (f.rule, f.message) not in seen:
            seen.add((f.rule, f.message))
            out.append(f)
    return out


def build_record(doc: Document, sections: list[Section], tables: dict[str, TableResult]) -> Record:
    template = next((t.template for t in tables.values() if t.template), None)
    data: dict[str, Any] = {
        "source": Source(name=doc.name, sha256=doc.sha256, format=doc.kind),
        "meta": find_meta(doc, sections, template),
        "sections": [_section(doc, s) for s in sections],
    }
    provenance: dict[str, dict[str, Any]] = {}
    findings: list[Finding] = []
    for name, table in tables.items():
        findings += table.findings
        if not table.found:
            continue
        data[name] = _nest(table)
        for path, cell in table.cells.items():
            if cell.value is not None and cell.start is not None and cell.end is not None:
                start, end = doc.to_source(cell.start, cell.end)
                where = doc.location(cell.start)  # the PDF page and box, or the .docx table cell
                provenance[path] = {"start": start, "end": end, **where}  # validated with the record
    if not any(t.found for t in tables.values()):
        findings.append(Finding(rule="tables.missing", severity="warning",
                                message="no 年报 tables (二, 三, 四) found in this document"))
    return Record.model_validate({**data, "provenance": provenance, "findings": findings})


def _nest(table: TableResult) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if table.table != "review_litigation":
        out["template"] = table.template or "2019"
    for path, cell in table.cells.items():
        _, row, name = path.split(".")
        out.setdefault(row, {})[name] = cell.value
    return out


def _section(doc: Document, s: Section) -> SectionOut:
    start, end = doc.to_source(s.start, s.end)
    return SectionOut(key=s.key, title=s.title, start=start, end=end)  # type: ignore[arg-type]


def _prose(record: Record, doc: Document, sections: list[Section]) -> Record:
    """The offline baseline for prose: rule-based facts, problems and narrative claims."""
    try:
        from pipeline.facts import PROSE_LIMIT, find_facts, find_problems, prose_cut
        from pipeline.narrative import find_claims
        from pipeline.narrative_rules import check_claims
    except ImportError:  # pragma: no cover - during development only
        return record
    record.facts = find_facts(doc, sections)
    record.problems = find_problems(doc, sections)
    record.findings += check_claims(find_claims(doc, sections, record), record)
    if (cut := prose_cut(doc, sections)) is not None:
        start, _ = doc.to_source(cut, cut)
        record.findings.append(Finding(
            rule="prose.limit", severity="warning",
            message=f"prose.limit: the prose finders read the first {PROSE_LIMIT:,} characters of prose; "
                    f"facts and claims after source offset {start} were not looked for"))
    return record


def _not_extracted(record: Record) -> list[str]:
    out = [f"facts: rule-based finder only; {NO_LLM}"]
    if not record.problems:
        out.append(f"problems: none found by the rule-based splitter; {NO_LLM}")
    unsettled = sorted({c for f in record.findings if f.rule == "tables.ambiguous" for c in f.cells})
    if unsettled:
        out.append(f"{len(unsettled)} table cell(s) the source does not settle stay null "
                   f"(e.g. {unsettled[0]}); the LLM table fallback would try them, but there is {NO_LLM}")
    return out
