"""The index: one row per report, findings by rule, an agency × year heatmap of errors."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipeline.review.compare import Comparison
from pipeline.review.form import flat_cells
from pipeline.review.load import Loaded

HEATMAP_AGENCIES = 60  # the agencies with the most errors; the rest are in the table


def index_rows(reports: list[Loaded], comparisons: list[Comparison]) -> list[dict[str, Any]]:
    """Plain rows for the page's script (sorted, filtered and paged in the browser)."""
    links: dict[str, list[list[str]]] = {}
    for c in comparisons:
        label = f"{c.prev.record.meta.year}→{c.cur.record.meta.year}"
        for side in (c.prev, c.cur):
            links.setdefault(side.stem, []).append([label, c.page, str(c.breaks)])
    rows = []
    for r in reports:
        cells = flat_cells(r.data)
        errors = sum(1 for f in r.record.findings if f.severity == "error")
        rows.append({"name": r.record.source.name, "page": f"{r.stem}.html", "agency": r.record.meta.agency or "",
                     "year": r.record.meta.year, "template": r.record.meta.template or "",
                     "read": sum(1 for v in cells.values() if v is not None), "cells": len(cells),
                     "errors": errors, "warnings": len(r.record.findings) - errors,
                     "compare": links.get(r.stem, [])})
    return rows


def rule_counts(reports: list[Loaded]) -> list[dict[str, Any]]:
    """Findings by rule, errors and warnings, most frequent first."""
    errors: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    for r in reports:
        for f in r.record.findings:
            (errors if f.severity == "error" else warnings)[f.rule] += 1
    rules = sorted(set(errors) | set(warnings), key=lambda k: (-(errors[k] + warnings[k]), k))
    top = max((errors[k] + warnings[k] for k in rules), default=1)
    return [{"rule": k, "errors": errors[k], "warnings": warnings[k], "scale": top} for k in rules]


def heatmap(reports: list[Loaded]) -> dict[str, Any]:
    """Errors per agency and year: the agencies with the most errors, every year that occurs."""
    errors: dict[str, Counter[int]] = {}
    pages: dict[tuple[str, int], str] = {}
    for r in reports:
        agency, year = r.record.meta.agency or "?", r.record.meta.year
        if year is None:
            continue
        errors.setdefault(agency, Counter())[year] += sum(1 for f in r.record.findings if f.severity == "error")
        pages.setdefault((agency, year), f"{r.stem}.html")
    years = sorted({y for c in errors.values() for y in c})
    agencies = sorted(errors, key=lambda a: (-sum(errors[a].values()), a))
    shown = agencies[:HEATMAP_AGENCIES]
    top = max((v for a in shown for v in errors[a].values()), default=0) or 1
    rows = [{"agency": a, "cells": [{"year": y, "errors": errors[a].get(y), "page": pages.get((a, y)),
                                     "level": round(4 * errors[a].get(y, 0) / top)} for y in years]} for a in shown]
    return {"years": years, "rows": rows, "agencies": len(agencies), "shown": len(shown)}
