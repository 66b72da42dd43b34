"""One report's page: the forms with each cell coloured, the findings, facts and excerpts of the source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.review.form import Form, FormRow, flat_cells, forms
from pipeline.review.load import Loaded, excerpts, quote_span

HTML_SUFFIXES = (".html", ".htm", ".xhtml")  # sources shown as their text, tags dropped
UNSETTLED_RULES = ("tables.ambiguous", "tables.missing", "tables.missing_row", "tables.not_integer")


@dataclass
class CellView:
    text: str
    kind: str  # read, blank, unsettled, llm
    severity: str  # error, warning or ""

    @property
    def css(self) -> str:
        return f"cell {self.kind} sev-{self.severity}" if self.severity else f"cell {self.kind}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def cell_views(item: Loaded) -> dict[str, CellView]:
    """Every cell of the record's tables, with its kind and the findings that name it."""
    record = item.record
    values = flat_cells(item.data)
    llm_cells = set(record.llm.cells) if record.llm else set()
    severity: dict[str, str] = {}  # "error" wins over "warning"
    for f in record.findings:
        for path in f.cells:
            if severity.get(path) != "error":
                severity[path] = f.severity
    unsettled = {p for f in record.findings if f.rule in UNSETTLED_RULES for p in f.cells}
    views = {}
    for path, value in values.items():
        kind = ("llm" if path in llm_cells else "read") if value is not None else \
            ("unsettled" if path in unsettled else "blank")
        views[path] = CellView(_text(value), kind, severity.get(path, ""))
    return views


def report_data(item: Loaded, pages: dict[int, list[Any]] | None = None) -> dict[str, Any]:
    """What the page's script needs: spans of cells, findings and facts, source excerpts, and for a
    PDF the page images (`{page: [file, width, height]}`) and each cell's box on its page."""
    record, text = item.record, item.text
    spans = {path: [s.start, s.end] for path, s in record.provenance.items()}
    findings = []
    for f in record.findings:
        own = [spans[c] for c in f.cells if c in spans]
        quoted = quote_span(text, f.message) if text is not None and not f.cells else None
        findings.append({"rule": f.rule, "severity": f.severity, "message": f.message, "cells": f.cells,
                         "spans": own + ([list(quoted)] if quoted else [])})
    facts = [[f.start, f.end] for f in record.facts]
    every = [tuple(s) for s in spans.values()] + [tuple(s) for f in findings for s in f["spans"]] + \
        [tuple(s) for s in facts]
    return {"spans": spans, "findings": findings, "facts": facts,
            "excerpts": excerpts(text, every) if text is not None else [],  # type: ignore[arg-type]
            "source_note": item.source_note, "html": record.source.name.lower().endswith(HTML_SUFFIXES),
            "pages": pages or {}, "boxes": {path: [s.page, *s.box] for path, s in record.provenance.items()
                                            if pages and s.page in pages and s.box}}


Slot = tuple[str, str, str]  # path, css classes, text: one value cell as drawn


def form_rows(form: Form, views: dict[str, CellView]) -> list[tuple[FormRow, list[Slot]]]:
    """The form's rows with each value cell resolved (a padding cell has no path)."""
    out = []
    for row in form.rows:
        slots: list[Slot] = []
        for path in row.paths:
            view = views.get(path) if path else None
            slots.append(("", "pad", "") if path is None else
                         (path, "cell absent", "") if view is None else (path, view.css, view.text))
        out.append((row, slots))
    return out


def page_context(item: Loaded, pages: dict[int, list[Any]] | None = None) -> dict[str, Any]:
    record = item.record
    errors = sum(1 for f in record.findings if f.severity == "error")
    views = cell_views(item)
    tables = [(form, form_rows(form, views)) for form in forms(record.meta.template)]
    return {"item": item, "record": record, "tables": tables,
            "errors": errors, "warnings": len(record.findings) - errors, "data": report_data(item, pages),
            "tables_present": {t for t in ("active_disclosure", "applications", "review_litigation")
                               if item.data.get(t)}}


__all__ = ["CellView", "cell_views", "form_rows", "page_context", "report_data"]
