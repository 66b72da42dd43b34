"""Table 四: one row of fifteen cells (three groups of five) after the table's own header."""

from __future__ import annotations

from pipeline.core import CellValue, TableResult, finding
from pipeline.tables import specs as S
from pipeline.tables.arith import Slot, row_candidates, settle
from pipeline.tables.cells import merged_columns, report_settling, store
from pipeline.tables.tokens import Token


def parse_review(tokens: list[Token]) -> TableResult:
    """Table 四: the value cells after its header, in order, even when it is printed as two tables."""
    result = TableResult("review_litigation", None)
    values = _review_values(tokens)
    names = tuple(f"{g}.{f}" for g in S.RL_GROUPS for f in S.RL_FIELDS)
    if values is None:
        result.found = False
        result.findings.append(finding("tables.missing", "warning", "review_litigation: table 四 not found"))
        return result
    if not values:
        paths = [f"review_litigation.{name}" for name in names]
        result.cells = {p: CellValue(p, None) for p in paths}
        result.findings.append(finding("tables.missing_row", "warning", "review_litigation: table 四's header is "
                                       "printed with no cells after it; its 15 cells are null", paths))
        return result
    cand = row_candidates("row", values, 15)
    settled = settle([cand], S.review_equations())
    slots = settled.values["row"]
    merged = merged_columns(values)
    for i, name in enumerate(names):
        store(result, f"review_litigation.{name}", Slot(None) if i in merged else slots[i])
    report_settling(result, "review_litigation", [cand], settled, names)
    return result


def _review_values(tokens: list[Token]) -> list[Token] | None:
    """Runs of value cells that follow table 四's own header words; None when there is no table 四.

    Runs holding no number are header padding, except a last run of 15 or more blanks: an all-blank row.
    """
    first = next((i for i, t in enumerate(tokens) if t.kind == "text" and S.is_review_header(t.text)), None)
    if first is None:
        return None
    runs: list[list[Token]] = [[]]
    for tok in tokens[first:]:
        if tok.kind in ("num", "blank"):
            runs[-1].append(tok)
        elif tok.kind in ("text", "barrier", "eol"):  # a row of a grid ends a run too
            if tok.kind == "barrier" and any(t.kind == "num" for run in runs for t in run):
                break
            if runs[-1]:
                runs.append([])
    numbered = [run for run in runs if any(t.kind == "num" for t in run)]
    if numbered:
        values = [t for run in numbered for t in run]
        while len(values) > 15 and values[-1].kind == "blank":
            values.pop()
        return values
    blank = [run for run in runs if len(run) >= 15]
    return blank[-1][:15] if blank else []  # the header with no cells after it: a table left blank


