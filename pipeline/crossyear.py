"""Cross-report checks in a batch: one agency's reports in consecutive years.

Pairing rule (`agency_key`): the agency names of `meta.agency` are compared after NFKC
normalisation (full-width letters and digits become half-width) with every whitespace,
punctuation and symbol character removed (`（`, `·`, `“`, `-` …). Nothing else is dropped: 人民政府
and 人民政府办公室 are two agencies. Two reports pair when their keys are equal and their
`meta.year` differ by one. A report without agency or year, or an agency-year that more than one
report claims (which one continues the series is not known), pairs with nothing; `Pairing.unpaired`
says why.

Checks on a pair (previous year P, next year N):
- `cross_year.carry` (error), per applicant column: N's 上年结转 (`applications.carried_over`) =
  P's 结转下年度 (`applications.carried_forward`). A blank cell on either side is not compared.
- `cross_year.in_force` (warning), 2021 template on both sides, for 规章 and 规范性文件: N's
  现行有效件数 = P's 现行有效件数 + N's 本年制发件数 − N's 本年废止件数 (documents can also lapse
  without being repealed, hence only a warning).
Findings go into both records (each names its own cells and the other report).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.output import write_record
from schemas import Finding, Record

APPLICANT_COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
                     "legal_service_org", "other_org", "total")
IN_FORCE_ROWS = ("regulations", "normative_documents")
RULES = ("cross_year.carry", "cross_year.in_force")


def agency_key(name: str | None) -> str:
    """The agency name as pairs are matched: NFKC, no whitespace, punctuation or symbols."""
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(c for c in text if unicodedata.category(c)[0] not in "ZPSC")


@dataclass(frozen=True)
class ReportKey:
    report: str  # any id of the report (the batch uses its record's path)
    agency: str | None
    year: int | None


@dataclass
class Pairing:
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (previous year's report, next year's)
    unpaired: dict[str, str] = field(default_factory=dict)  # report -> why it has no pair
    findings: int = 0  # cross-year findings written (counted once per pair and column)


def pair_reports(keys: Iterable[ReportKey]) -> Pairing:
    """Pair reports of the same agency (by `agency_key`) in consecutive years."""
    pairing = Pairing()
    series: dict[tuple[str, int], list[str]] = {}
    for key in keys:
        agency = agency_key(key.agency)
        if not agency or key.year is None:
            pairing.unpaired[key.report] = "no agency" if not agency else "no year"
            continue
        series.setdefault((agency, key.year), []).append(key.report)
    for (agency, year), reports in sorted(series.items()):
        if len(reports) > 1:
            pairing.unpaired.update({r: f"{len(reports)} reports of {agency} {year}" for r in reports})
            continue
        following = series.get((agency, year + 1), [])
        if len(following) == 1:
            pairing.pairs.append((reports[0], following[0]))
    paired = {r for pair in pairing.pairs for r in pair}
    for reports in series.values():
        pairing.unpaired.update({r: "no report of the year before or after" for r in reports
                                 if r not in paired and r not in pairing.unpaired})
    return pairing


def carry_findings(prev: Record, cur: Record) -> list[Finding]:
    """The cross-year findings of the pair, as they go into the later report `cur`."""
    return cross_year_findings(prev, cur)[1]


def cross_year_findings(prev: Record, cur: Record) -> tuple[list[Finding], list[Finding]]:
    """(findings for `prev`, findings for `cur`): carry per column, then 现行有效件数 continuity."""
    for_prev: list[Finding] = []
    for_cur: list[Finding] = []
    for a, b in _carry(prev, cur) + _in_force(prev, cur):
        for_prev.append(a)
        for_cur.append(b)
    return for_prev, for_cur


def _name(record: Record) -> str:
    return f"{record.meta.year} report {record.source.path or record.source.name}"


def _cell(record: Record, table: str, row: str, column: str) -> Any:
    data = getattr(record, table)
    return None if data is None else getattr(getattr(data, row, None), column, None)


def _carry(prev: Record, cur: Record) -> list[tuple[Finding, Finding]]:
    out = []
    for column in APPLICANT_COLUMNS:
        forward = _cell(prev, "applications", "carried_forward", column)
        over = _cell(cur, "applications", "carried_over", column)
        if forward is None or over is None or forward == over:
            continue
        out.append((
            Finding(rule="cross_year.carry", severity="error", cells=[f"applications.carried_forward.{column}"],
                    expected=over, found=forward,
                    message=f"cross_year.carry: applications.carried_forward.{column}: the {_name(cur)} carries "
                            f"over {over}; expected {over}, found {forward}"),
            Finding(rule="cross_year.carry", severity="error", cells=[f"applications.carried_over.{column}"],
                    expected=forward, found=over,
                    message=f"cross_year.carry: applications.carried_over.{column}: 上年结转 = 结转下年度 of the "
                            f"{_name(prev)}; expected {forward}, found {over}")))
    return out


def _in_force(prev: Record, cur: Record) -> list[tuple[Finding, Finding]]:
    out = []
    for row in IN_FORCE_ROWS:
        before = _cell(prev, "active_disclosure", row, "in_force")
        now, issued, repealed = (_cell(cur, "active_disclosure", row, f) for f in ("in_force", "issued", "repealed"))
        if None in (before, now, issued, repealed):
            continue
        expected = before + issued - repealed
        if expected == now:
            continue
        text = (f"cross_year.in_force: active_disclosure.{row}.in_force: {{}}; 现行有效件数 {before} (previous) "
                f"+ 制发 {issued} − 废止 {repealed}; expected {expected}, found {now}")
        out.append((
            Finding(rule="cross_year.in_force", severity="warning", cells=[f"active_disclosure.{row}.in_force"],
                    expected=expected, found=now, message=text.format(f"continued in the {_name(cur)}")),
            Finding(rule="cross_year.in_force", severity="warning", cells=[f"active_disclosure.{row}.in_force"],
                    expected=expected, found=now, message=text.format(f"continues the {_name(prev)}"))))
    return out


def apply_cross_year(keys: Iterable[ReportKey]) -> Pairing:
    """Pair the batch's records (`ReportKey.report` = record path), recompute their cross-year
    findings (old ones replaced, so a rerun gives the same records) and rewrite changed records."""
    keys = list(keys)
    pairing = pair_reports(keys)
    new: dict[str, list[Finding]] = {}
    for prev_path, cur_path in pairing.pairs:
        prev, cur = _load(prev_path), _load(cur_path)
        for_prev, for_cur = cross_year_findings(prev, cur)
        new.setdefault(prev_path, []).extend(for_prev)
        new.setdefault(cur_path, []).extend(for_cur)
        pairing.findings += len(for_cur)
    for key in keys:
        _store(key.report, new.get(key.report, []))
    return pairing


def _load(path: str) -> Record:
    return Record.model_validate_json(Path(path).read_bytes())


def _store(path: str, findings: list[Finding]) -> None:
    """Replace the record's cross-year findings; write only when they changed."""
    raw = Path(path).read_bytes()
    if not findings and b'"cross_year.' not in raw:
        return
    record = Record.model_validate_json(raw)
    kept = [f for f in record.findings if f.rule not in RULES]
    if kept + findings == record.findings:
        return
    record.findings = kept + findings
    pretty = raw.startswith(b"{\n")
    write_record(record, Path(path), pretty)
