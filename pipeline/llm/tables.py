"""Table fallback: a table the deterministic parser left incomplete, or whose rules fail, goes to
the LLM with its schema; the answer is checked by the same validators and re-asked (`reask`).

The LLM only fills cells the parser left null. A parsed cell is never overwritten, failing or
not: a different LLM value is an `llm.disagreement` finding. Every LLM number is grounded in
`pipeline.llm.cells`: its quote must be in the table's region and the number must be a printed
cell inside the quote that no other cell (parsed or LLM) already stands on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from pipeline.core import Document, LLMError, Section
from pipeline.llm.grounding import locate_view
from pipeline.llm.labels import ROWS
from schemas.record import (
    ActiveDisclosure2019,
    ActiveDisclosure2021,
    Applications2019,
    Applications2021,
    Finding,
    LlmCell,
    Record,
    ReviewLitigation,
    SpanOut,
)

State = dict[str, Any]  # cell path -> value
_VALUE_TOKEN = re.compile(r"(?<![第\d.])\d+(?:\.\d+)?(?![\d.、．])")
_TEMPLATE_2021 = re.compile(r"本年制发|现行有效|逾期不补正|缴纳费用|本年收费金额")


@dataclass
class TableWork:
    """One table's state while the LLM works on it."""

    table: str
    model: type[BaseModel]
    section: Section
    det: State  # what the deterministic path read
    failing: set[str]  # parsed cells in a failing rule
    state: State = field(default_factory=dict)
    cells: dict[str, LlmCell] = field(default_factory=dict)
    taken: list[tuple[int, int]] = field(default_factory=list)  # source spans other cells stand on
    provenance: dict[str, SpanOut] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    error: LLMError | None = None  # a request that failed after some cells were grounded
    unsettled: set[str] = field(default_factory=set)  # `tables.ambiguous`: no printed cell to stand on

    def table_value(self) -> BaseModel:
        return self.model.model_validate(unflatten(self.state, self.table))


def table_model(table: str, template: str | None) -> type[BaseModel]:
    if table == "review_litigation":
        return ReviewLitigation
    if table == "applications":
        return Applications2021 if template == "2021" else Applications2019
    return ActiveDisclosure2021 if template == "2021" else ActiveDisclosure2019


def flatten(value: BaseModel, table: str) -> State:
    out: State = {}
    for row, fields in value.model_dump().items():
        if isinstance(fields, dict):
            out.update({f"{table}.{row}.{name}": v for name, v in fields.items()})
    return out


def unflatten(state: State, table: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for path, value in state.items():
        _, row, name = path.split(".")
        data.setdefault(row, {})[name] = value
    return data


def table_errors(findings: list[Finding], table: str) -> list[Finding]:
    return [f for f in findings if f.severity == "error" and any(c.startswith(table + ".") for c in f.cells)]


def needs_llm(record: Record, doc: Document, section: Section, findings: list[Finding]) -> bool:
    """Absent; null cells while the source writes more numbers than were read; or failing a rule."""
    value = getattr(record, section.key)
    if value is None:
        return bool(_VALUE_TOKEN.search(doc.view, section.body_start, section.end))
    cells = flatten(value, section.key).values()
    filled = sum(v is not None for v in cells)
    written = len(_VALUE_TOKEN.findall(doc.view, section.body_start, section.end))
    return (filled < len(cells) and written > filled) or bool(table_errors(findings, section.key))


def start_work(record: Record, doc: Document, section: Section, findings: list[Finding]) -> TableWork:
    table = section.key
    current = getattr(record, table)
    template = getattr(current, "template", None) or record.meta.template or _guess_template(doc, section)
    model = table_model(table, template)
    det = flatten(current if current is not None else model(), table)
    failing = {c for f in table_errors(findings, table) for c in f.cells if det.get(c) is not None}
    taken = [(span.start, span.end) for span in record.provenance.values()]
    unsettled = {c for f in record.findings if f.rule == "tables.ambiguous" for c in f.cells if c in det}
    return TableWork(table, model, section, det, failing, state=dict(det), taken=taken, unsettled=unsettled)


def plan(work: TableWork, doc: Document) -> list[str] | None:
    """None = ask for the whole table (absent or mostly unread); else the cells to ask about:
    null cells whose row is printed in the source, and parsed cells that fail a rule."""
    nulls = [p for p, v in work.det.items() if v is None and p not in work.unsettled]
    if not any(v is not None for v in work.det.values()) or len(nulls) * 2 > len(work.det):
        return None
    rows = {p.split(".")[1] for p in nulls}
    printed = rows if work.table == "review_litigation" else {r for r in rows if row_span(doc, work, r)}
    return sorted({p for p in nulls if p.split(".")[1] in printed} | work.failing)


def row_span(doc: Document, work: TableWork, row: str) -> tuple[int, int] | None:
    """View span of a row's label inside the table's section (table 四 has no row labels)."""
    search = ROWS.get(row, ("", ""))[1]
    if not search or work.table == "review_litigation":
        return None
    return locate_view(doc, search, (work.section.body_start, work.section.end), anywhere=False)


def disagreement(path: str, parsed: Any, llm: Any) -> Finding:
    return Finding(rule="llm.disagreement", severity="warning", cells=[path], expected=float(parsed),
                   found=float(llm), message=f"llm.disagreement: {path}: the parser read {parsed}, "
                                             f"the LLM {llm}; kept the parser's {parsed}")


def template_of(model: type[BaseModel]) -> str:
    field_info = model.model_fields.get("template")
    return str(field_info.default) if field_info is not None else "2019/2021"


def _guess_template(doc: Document, section: Section) -> str:
    return "2021" if _TEMPLATE_2021.search(doc.view, section.body_start, section.end) else "2019"
