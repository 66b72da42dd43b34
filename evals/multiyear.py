"""Seven consecutive years of one agency's reports, with one planted `cross_year.carry` break.

    python -m evals.multiyear OUT [--seed 0] [--first-year 2019] [--break-year 2022] [--column commercial_enterprise]

Each year's tables come from `evals.synth` (every SPEC rule holds) and are printed by
`evals.robust.text_report` (tab-separated rows). The series is then chained as a real agency's
would be: each year's 上年结转 (`carried_over`) equals the previous year's 结转下年度
(`carried_forward`), column by column, with 本年新收 set so the year's balance still holds; on the
2021 form, 现行有效件数 continues (last year's + 制发 − 废止). One break is planted: in
`break_year`, `column`'s 上年结转 is the previous 结转下年度 + 2 (the year itself stays
consistent). Years before 2021 use the 2019 form. Writes `<agency>_<year>.txt` and `planted.json`
(the break, as the cells each side's finding must name).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from evals.robust import style_for, text_report
from evals.spec import APPLICANT_COLUMNS
from evals.synth import arithmetic_errors, make_gold

AGENCY = "宜昌市财政局"
YEARS = 7
SIX = APPLICANT_COLUMNS[:-1]


def series(seed: int = 0, first_year: int = 2019, break_year: int = 2022,
           column: str = "commercial_enterprise") -> list[dict[str, Any]]:
    """The gold records of the seven years, chained and with the planted break."""
    rng = random.Random(seed)
    golds: list[dict[str, Any]] = []
    for year in range(first_year, first_year + YEARS):
        template = "2021" if year >= 2021 else "2019"
        gold = make_gold(rng, f"{year}.txt", template)
        gold["meta"].update(agency=AGENCY, year=year)
        if golds:
            bump = 2 if year == break_year else 0
            _chain(gold, golds[-1], column, bump)
        errors = arithmetic_errors(gold)
        if errors:
            raise AssertionError(f"multiyear made an inconsistent year {year}: {errors}")
        golds.append(gold)
    return golds


def _chain(gold: dict[str, Any], prev: dict[str, Any], planted: str, bump: int) -> None:
    apps = gold["applications"]
    for col in SIX:
        over = prev["applications"]["carried_forward"][col] + (bump if col == planted else 0)
        new = apps["total_processed"][col] + apps["carried_forward"][col] - over
        if new < 0:  # more carried over than this year handles: grant the surplus
            apps["granted"][col] += -new
            apps["total_processed"][col] += -new
            new = 0
        apps["carried_over"][col], apps["new_received"][col] = over, new
    for cells in apps.values():
        cells["total"] = sum(cells[c] for c in SIX)
    if gold["meta"]["template"] == "2021" and prev["meta"]["template"] == "2021":
        for row in ("regulations", "normative_documents"):
            cells, before = gold["active_disclosure"][row], prev["active_disclosure"][row]["in_force"]
            cells["repealed"] = min(cells["repealed"], before + cells["issued"])
            cells["in_force"] = before + cells["issued"] - cells["repealed"]


def planted(golds: list[dict[str, Any]], break_year: int, column: str) -> dict[str, Any]:
    years = [g["meta"]["year"] for g in golds]
    cur = golds[years.index(break_year)]["applications"]["carried_over"]
    prev = golds[years.index(break_year) - 1]["applications"]["carried_forward"]
    columns = [c for c in APPLICANT_COLUMNS if cur[c] != prev[c]]
    return {"rule": "cross_year.carry", "prev_year": break_year - 1, "year": break_year,
            "prev_cells": [f"applications.carried_forward.{c}" for c in columns],
            "cells": [f"applications.carried_over.{c}" for c in columns]}


def write_series(out: Path, seed: int = 0, first_year: int = 2019, break_year: int = 2022,
                 column: str = "commercial_enterprise") -> dict[str, Any]:
    """Write the seven reports and `planted.json` into `out`; returns the planted break."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 1)
    golds = series(seed, first_year, break_year, column)
    for gold in golds:
        text, _ = text_report(gold, "tab_rows", style_for("tab_rows"), rng)
        (out / f"agency_{gold['meta']['year']}.txt").write_text(text, encoding="utf-8")
    plant = planted(golds, break_year, column)
    (out / "planted.json").write_text(json.dumps(plant, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return plant


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--first-year", type=int, default=2019)
    parser.add_argument("--break-year", type=int, default=2022)
    parser.add_argument("--column", default="commercial_enterprise", choices=SIX)
    args = parser.parse_args(argv)
    plant = write_series(args.out, args.seed, args.first_year, args.break_year, args.column)
    print(json.dumps(plant, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
