"""Placeholder for `pipeline.crossyear` (branch `batch`): pairing and the carry check, same names.

Removed when `pipeline.crossyear` lands on main; the comparison pages then import from there.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from schemas import Finding, Record

APPLICANT_COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
                     "legal_service_org", "other_org", "total")


def agency_key(name: str | None) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(c for c in text if unicodedata.category(c)[0] not in "ZPSC")


@dataclass(frozen=True)
class ReportKey:
    report: str
    agency: str | None
    year: int | None


@dataclass
class Pairing:
    pairs: list[tuple[str, str]] = field(default_factory=list)
    unpaired: dict[str, str] = field(default_factory=dict)


def pair_reports(keys: Iterable[ReportKey]) -> Pairing:
    pairing = Pairing()
    series: dict[tuple[str, int], list[str]] = {}
    for key in keys:
        if agency_key(key.agency) and key.year is not None:
            series.setdefault((agency_key(key.agency), key.year), []).append(key.report)
    for (agency, year), reports in sorted(series.items()):
        following = series.get((agency, year + 1), [])
        if len(reports) == 1 and len(following) == 1:
            pairing.pairs.append((reports[0], following[0]))
    return pairing


def carry_findings(prev: Record, cur: Record) -> list[Finding]:
    out = []
    for column in APPLICANT_COLUMNS:
        forward = getattr(prev.applications.carried_forward, column) if prev.applications else None
        over = getattr(cur.applications.carried_over, column) if cur.applications else None
        if forward is None or over is None or forward == over:
            continue
        out.append(Finding(rule="cross_year.carry", severity="error", cells=[f"applications.carried_over.{column}"],
                           expected=forward, found=over,
                           message=f"cross_year.carry: applications.carried_over.{column}: 上年结转 = 结转下年度 "
                                   f"of the {prev.meta.year} report; expected {forward}, found {over}"))
    return out
