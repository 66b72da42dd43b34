"""What the three table readers share: storing a settled cell with its span and unit, and the
findings that say how a cell was settled or why it was not."""

from __future__ import annotations

from pipeline.core import CellValue, TableResult, finding
from pipeline.tables.align import Apart, Placement
from pipeline.tables.arith import RowCandidates, Settled, Slot
from pipeline.tables.tokens import Token


def merged_columns(cells: list[Token]) -> set[int]:
    """Value cells merged across columns (HTML colspan): the number belongs to none of them alone."""
    out: set[int] = set()
    for i, tok in enumerate(cells):
        if tok.spanned and i > 0 and (cells[i - 1].kind == "num" or i - 1 in out):
            out.update({i - 1, i})
    return out


def store(result: TableResult, path: str, slot: Slot, amount: bool = False) -> None:
    value: int | float | None = slot.value
    unit = slot.unit
    if value is not None and amount:
        value = round(value / 10000 if unit == "元" else value * 10000 if unit == "亿元" else value, 6)
    elif value is not None:
        if value != int(value):
            result.findings.append(finding("tables.not_integer", "warning",
                                              f"{path}: {value} is not a whole number; read as null", [path]))
            value = None
        else:
            value = int(value)
    result.cells[path] = CellValue(path, value, slot.start if value is not None else None,
                                   slot.end if value is not None else None)


def report_placed(result: TableResult, table: str, placed: list[Placement], apart: list[Apart]) -> None:
    for a in apart:
        cells = [f"{table}.{k}" for k in a.keys]
        how = ("each label paired with its row of values in order (the layout, or the table's equations, "
               "leave one reading)" if a.settled else "printed before or after their values, and neither the "
               "layout nor the table's equations tell which; their cells stay null")
        result.findings.append(finding("tables.aligned" if a.settled else "tables.ambiguous", "warning",
                                       f"{table}: labels printed apart from their values ({', '.join(a.keys)}); {how}",
                                       cells))
    for p in placed:
        where = f"between {p.after or 'the table start'} and {p.before or 'the table end'}"
        result.findings.append(finding("tables.aligned", "warning",
                                       f"{table}.{p.key}: a row of values with no recognisable label, placed by its "
                                       f"position {where} (the only template row missing there)",
                                       [f"{table}.{p.key}"]))


def missing_row(result: TableResult, row: str, paths: list[str]) -> None:
    """A row the source does not print (`row` is its dotted name): null cells and a warning."""
    for p in paths:
        result.cells[p] = CellValue(p, None)
    result.findings.append(finding("tables.missing_row", "warning",
                                   f"{row}: row not found in the source; its cells are null", paths))


def report_settling(result: TableResult, table: str, cands: list[RowCandidates], settled: Settled,
                     names: tuple[str, ...]) -> None:
    for cand in cands:
        if cand.exact:
            continue
        prefix = f"{table}.{cand.key}" if cand.key != "row" else table
        unknown = settled.undetermined.get(cand.key, [])
        if unknown:
            shown = "; ".join("[" + ", ".join("∅" if s.value is None else f"{s.value:g}" for s in rd) + "]"
                              for rd in dict.fromkeys(settled.alternatives.get(cand.key, [])))
            cells = [f"{prefix}.{names[i]}" for i in unknown]
            result.findings.append(finding("tables.ambiguous", "warning",
                                              f"{prefix}: {cand.note}; the table's arithmetic does not single out "
                                              f"one reading, so {len(cells)} cell(s) are null. Candidates: {shown}",
                                              cells))
        placed = [f"{prefix}.{names[i]}" for i, s in enumerate(settled.values.get(cand.key, []))
                  if i not in unknown and s.value is not None]
        if placed:
            result.findings.append(finding("tables.inferred", "warning",
                                              f"{prefix}: {cand.note}; {len(placed)} cell(s) placed by the table's "
                                              "arithmetic (row totals, outcome sums, balance)", placed))
