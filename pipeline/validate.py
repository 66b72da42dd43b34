"""Stage 5: deterministic checks over a typed record (the 勾稽关系 and more).

Each finding names the rule, the cells, the expected and the found value; its message is written
to be sent back to an LLM as re-ask text. Blank cells are read as 0 and reported once per rule
in a `null_as_zero` warning.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from pipeline.core import normalise
from pipeline.tables import specs as S
from pipeline.tables.tokens import parse_number
from schemas import Finding, Record

Equation = tuple[str, str, list[str], list[str]]  # rule, subject, left paths, right paths (sum equal)
_TAG = re.compile(r"<[^>]*>")


def validate(record: Record, source_text: str) -> list[Finding]:
    """All table rules plus grounding against the decoded source text."""
    data = tables_data(record)
    return validate_tables(record, data) + validate_grounding(record, source_text, _flat(data))


def unreadable_cells(record: Record) -> set[str]:
    """Cells the table parser could not read or the source does not print (as opposed to cells printed
    blank): a rule that fails over them shows an incomplete report, not a wrong one."""
    return {c for f in record.findings if f.rule in ("tables.ambiguous", "tables.missing_row") for c in f.cells}


def validate_tables(record: Record, data: dict[str, Any] | None = None) -> list[Finding]:
    """The SPEC arithmetic rules. An equation over a cell that could not be read cannot prove the
    report wrong: it is reported as a warning."""
    data = tables_data(record) if data is None else data
    findings: list[Finding] = []
    equations = list(_application_equations(data)) + list(_review_equations(data))
    nulls: dict[str, set[str]] = {}
    flat = _flat(data)
    unreadable = unreadable_cells(record)
    for rule, subject, left, right in equations:
        finding = _check(flat, rule, subject, left, right, nulls)
        if finding is not None:
            lost = [c for c in finding.cells if c in unreadable]
            if lost:
                finding.severity = "warning"
                finding.message += f"; cannot be settled: {_short(lost)} could not be read"
            findings.append(finding)
    for rule, cells in nulls.items():
        findings.append(Finding(rule="null_as_zero", severity="warning", cells=sorted(cells),
                                message=f"{rule}: {len(cells)} blank cell(s) read as 0: {_short(sorted(cells))}"))
    findings += _nonnegative(data) + _template(record)
    return findings


def tables_data(record: Record) -> dict[str, Any]:
    """The three tables as plain dicts (what `model_dump` gives for them, without its cost)."""
    out: dict[str, Any] = {}
    for name in ("active_disclosure", "applications", "review_litigation"):
        table = getattr(record, name)
        if table is not None:
            out[name] = {k: (dict(v.__dict__) if hasattr(v, "__dict__") else v) for k, v in table.__dict__.items()}
    return out


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """table.row.field -> value for the three tables, for quick lookups."""
    out: dict[str, Any] = {}
    for table in ("active_disclosure", "applications", "review_litigation"):
        for row, fields in (data.get(table) or {}).items():
            if isinstance(fields, dict):
                out.update({f"{table}.{row}.{k}": v for k, v in fields.items()})
    return out


def _application_equations(data: dict[str, Any]) -> Iterable[Equation]:
    app = data.get("applications")
    if not app:
        return
    template = app["template"]
    rows = S.APP_ROWS_BY_TEMPLATE[template]
    outcomes = S.OUTCOMES_2019 if template == "2019" else S.OUTCOMES_2021
    p = "applications"
    for row in rows:
        yield ("applications.row_total", f"{p}.{row}: total = sum of the six applicant columns",
               [f"{p}.{row}.total"], [f"{p}.{row}.{c}" for c in S.COLUMNS[:6]])
    for col in S.COLUMNS:
        yield ("applications.outcome_sum", f"{p} column {col}: (七)总计 = sum of the outcome rows",
               [f"{p}.total_processed.{col}"], [f"{p}.{o}.{col}" for o in outcomes])
        yield ("applications.balance", f"{p} column {col}: 一 + 二 = 三(七)总计 + 四",
               [f"{p}.new_received.{col}", f"{p}.carried_over.{col}"],
               [f"{p}.total_processed.{col}", f"{p}.carried_forward.{col}"])


def _review_equations(data: dict[str, Any]) -> Iterable[Equation]:
    if not data.get("review_litigation"):
        return
    for group in S.RL_GROUPS:
        p = f"review_litigation.{group}"
        yield ("review_litigation.group_total", f"{p}: total = upheld + corrected + other + pending",
               [f"{p}.total"], [f"{p}.{f}" for f in S.RL_FIELDS[:4]])


def _check(flat: dict[str, Any], rule: str, subject: str, left: list[str], right: list[str],
           nulls: dict[str, set[str]]) -> Finding | None:
    values = {path: flat.get(path) for path in left + right}
    if all(v is None for v in values.values()):
        return None
    blank = {p for p, v in values.items() if v is None}
    if blank:
        nulls.setdefault(rule, set()).update(blank)
    lhs = sum(v or 0 for p, v in values.items() if p in left)
    rhs = sum(v or 0 for p, v in values.items() if p in right)
    if lhs == rhs:
        return None
    shown = ", ".join(f"{p.split('.', 1)[1]}={'blank' if v is None else v}" for p, v in values.items() if v != 0)
    return Finding(rule=rule, severity="error", cells=left + right, expected=float(rhs), found=float(lhs),
                   message=f"{rule}: {subject}; expected {_num(rhs)}, found {_num(lhs)} ({shown or 'all 0'})")


def _nonnegative(data: dict[str, Any]) -> list[Finding]:
    ad = data.get("active_disclosure") or {}
    out = []
    for row, fields in ad.items():
        if not isinstance(fields, dict):
            continue
        for name, value in fields.items():
            if name != "change" and value is not None and value < 0:
                path = f"active_disclosure.{row}.{name}"
                out.append(Finding(rule="active_disclosure.nonnegative", severity="error", cells=[path],
                                   expected=0.0, found=float(value),
                                   message=f"active_disclosure.nonnegative: {path} must be ≥ 0; found {_num(value)}"))
    return out


def _template(record: Record) -> list[Finding]:
    templates = {name: t.template for name, t in (("active_disclosure", record.active_disclosure),
                                                  ("applications", record.applications)) if t is not None}
    if len(set(templates.values())) > 1:
        return [Finding(rule="template.consistent", severity="error", cells=list(templates),
                        message="template.consistent: table 二 reads as template "
                                f"{templates['active_disclosure']} but table 三 as {templates['applications']}")]
    return []


def validate_grounding(record: Record, source_text: str, flat: dict[str, Any] | None = None) -> list[Finding]:
    """Every extracted number must occur in the source text at the span it is said to come from."""
    flat = _flat(tables_data(record)) if flat is None else flat
    out = []
    for path, span in record.provenance.items():
        value = flat.get(path)
        text = source_text[span.start:span.end]
        if value is not None and not _same_number(text, value, amount=path.endswith("amount_wan")):
            out.append(Finding(rule="grounding", severity="error", cells=[path], found=float(value),
                               message=f"grounding: {path} = {_num(value)} but the source at "
                                       f"{span.start}-{span.end} reads {text!r}"))
    for fact in record.facts:
        quote_ok = source_text[fact.start:fact.end] == fact.quote
        if not quote_ok or not _in_text(fact.value, fact.quote):
            out.append(Finding(rule="grounding", severity="error", found=float(fact.value),
                               message=f"grounding: fact {fact.subject!r} = {_num(fact.value)} {fact.unit} is not "
                                       f"in its quote at {fact.start}-{fact.end}"))
    return out


def _plain(text: str) -> str:
    """Source text as read: on an HTML page a number, its digits and its unit may sit in different elements."""
    if "<" in text or "&" in text:
        text = html.unescape(_TAG.sub("", text))
    return normalise(text)


def _same_number(text: str, value: float, amount: bool) -> bool:
    parsed = parse_number(_plain(text))
    if parsed is None:
        return False
    number, unit = parsed
    if amount and unit == "元":
        number /= 10000
    elif amount and unit == "亿元":
        number *= 10000
    return abs(number - value) < 1e-6


def _in_text(value: float, text: str) -> bool:
    return _num(value) in _plain(text).replace(",", "")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _short(paths: list[str], limit: int = 6) -> str:
    more = f" and {len(paths) - limit} more" if len(paths) > limit else ""
    return ", ".join(paths[:limit]) + more
