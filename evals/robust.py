"""The robustness suite: generated reports in every kind of damage, exact gold by construction.

    python -m evals.robust --n 300 [--seed 0] [--out DIR]     (= nianbao eval --robust 300)

Reports are written to a temporary folder, run through the deterministic extractor and scored
cell by cell; the figures are per damage kind. Cells a damage destroys (dropped blanks,
run-together digits whose split the row's arithmetic does not single out) are gold `ambiguous`:
null or the true value is right there. This finds parser failures; it is not a target to tune to.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.aggregate import summarise
from evals.cms_html import cms_report
from evals.crawler import crawler_report
from evals.html_form import html_report
from evals.layouts import LAYOUTS
from evals.pdf_markdown import markdown_report
from evals.render import Style, prose, table_rows
from evals.run import Extractor, _extract_one
from evals.score import score_report
from evals.spec import SECTION_HEADINGS, TABLES
from evals.synth import arithmetic_errors, make_gold

MODIFIERS = ("spaced_labels", "fullwidth_digits", "thousands_sep", "slash_blank", "dash_blank", "yuan_amounts")
# Whole reports in the shape of a real published one (evals/real/), each made by its own module.
REPORTS: dict[str, Callable[[dict[str, Any], str, random.Random], tuple[str, set[str]]]] = {
    "crawler_oneline": crawler_report, "pdf_markdown": markdown_report, "cms_html_colspan": cms_report}
KINDS: tuple[str, ...] = (*LAYOUTS, "html", *MODIFIERS, *REPORTS)
BASES = ("tab_rows", "tab_cells", "cells_blank_kept", "pipe_rows")  # clean layouts a modifier is laid on
# layouts where a blank cannot be printed at all
NO_BLANKS = {"pipe_cells", "run_together", "ocr_split", "crawler_oneline", "pdf_markdown"}
SUFFIX = {"html": "html", "cms_html_colspan": "html", "pdf_markdown": "md"}
KEEP_FAILURES = 3  # reproducers kept per kind


@dataclass
class Case:
    name: str
    kind: str
    layout: str
    text: str
    gold: dict[str, Any]
    ambiguous: set[str] = field(default_factory=set)


def _blank_rate(kind: str, layout: str, rng: random.Random) -> float:
    if layout in NO_BLANKS:
        return 0.0
    if kind in ("slash_blank", "dash_blank", "cells_blank_kept", "cells_blank_dropped"):
        return 0.4
    return rng.choice([0.0, 0.0, 0.2])


def style_for(kind: str) -> Style:
    return Style(fullwidth=kind == "fullwidth_digits", thousands=kind == "thousands_sep",
                 blank={"slash_blank": "/", "dash_blank": "—"}.get(kind, ""), yuan=kind == "yuan_amounts",
                 spaced=0.6 if kind == "spaced_labels" else 0.0)


def title_of(gold: dict[str, Any]) -> str:
    return f"{gold['meta']['agency']}{gold['meta']['year']}年政府信息公开工作年度报告"


def text_report(gold: dict[str, Any], layout: str, style: Style, rng: random.Random) -> tuple[str, set[str]]:
    rows = table_rows(gold, style, rng)
    blocks = {t: LAYOUTS[layout](rows[t], rng) for t in TABLES}
    p = prose(gold, rng)
    parts = [title_of(gold), p["intro"], SECTION_HEADINGS[0], p["overview"],
             SECTION_HEADINGS[1], blocks["active_disclosure"][0], SECTION_HEADINGS[2], blocks["applications"][0],
             SECTION_HEADINGS[3], blocks["review_litigation"][0], SECTION_HEADINGS[4], p["problems"],
             SECTION_HEADINGS[5], p["other"]]
    text = "".join(part if part.endswith("\n") else part + "\n\n" for part in parts)
    return text, set().union(*(b[1] for b in blocks.values()))


def make_case(i: int, rng: random.Random) -> Case:
    kind = KINDS[i % len(KINDS)]
    layout = kind if kind in LAYOUTS or kind == "html" or kind in REPORTS else rng.choice(BASES)
    template = rng.choice(("2019", "2021"))
    name = f"r{i:04d}_{kind}.{SUFFIX.get(layout, 'txt')}"
    big = kind == "thousands_sep" or rng.random() < 0.2
    gold = make_gold(rng, name, template, blank_rate=_blank_rate(kind, layout, rng), big=big)
    errors = arithmetic_errors(gold)
    if errors:
        raise AssertionError(f"generator made an inconsistent record {name}: {errors}")
    style = style_for(kind)
    ambiguous: set[str] = set()
    if layout in REPORTS:
        text, ambiguous = REPORTS[layout](gold, title_of(gold), rng)
    elif layout == "html":
        text = html_report(gold, prose(gold, rng), title_of(gold), style)
    else:
        text, ambiguous = text_report(gold, layout, style, rng)
    gold["ambiguous"] = sorted(ambiguous)
    return Case(name, kind, layout, text, gold, ambiguous)


def build_cases(n: int, seed: int = 0) -> list[Case]:
    rng = random.Random(seed)
    return [make_case(i, rng) for i in range(n)]


def deterministic_extractor() -> Extractor:
    from pipeline.config import Config
    from pipeline.extract import extract

    config = Config()  # no LLM: the suite measures the deterministic parser
    return lambda path: extract(path, config)


def _score_case(case: Case, folder: Path, extractor: Extractor) -> dict[str, Any]:
    path = folder / case.name
    record, wall, error = _extract_one(extractor, path)
    scored = score_report(case.gold, record or {"source": {"name": case.name}}, kind=case.kind)
    scored.update(name=case.name, layout=case.layout, error=error)
    scored["cost"]["wall_s"] = wall
    scored["summary"] = summarise([scored])
    return scored


def _keep_failures(cases: list[Case], reports: list[dict[str, Any]], out: Path) -> None:
    folder = out / "robust-failures"
    folder.mkdir(parents=True, exist_ok=True)
    kept: dict[str, int] = {}
    for case, report in zip(cases, reports, strict=True):
        bad = report["error"] or any(not c["ok"] for c in report["cells"]) or \
            any(not m["ok"] for m in report["meta"].values())
        if bad and kept.get(case.kind, 0) < KEEP_FAILURES:
            kept[case.kind] = kept.get(case.kind, 0) + 1
            (folder / case.name).write_text(case.text, encoding="utf-8")
            (folder / (Path(case.name).stem + ".gold.json")).write_text(
                json.dumps(case.gold, ensure_ascii=False, indent=1), encoding="utf-8")


def run_robust(n: int, seed: int = 0, out: Path | None = None, extractor: Extractor | None = None) -> dict[str, Any]:
    """Generate, extract, score; the run has the same shape as `evals.run.evaluate`'s."""
    cases = build_cases(n, seed)
    extractor = extractor or deterministic_extractor()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nianbao-robust-") as tmp:
        for case in cases:
            (Path(tmp) / case.name).write_text(case.text, encoding="utf-8")
        reports = [_score_case(case, Path(tmp), extractor) for case in cases]
    elapsed = time.perf_counter() - started
    if out is not None:
        _keep_failures(cases, reports, Path(out))
    overall = summarise(reports)
    for r in reports:  # keep the JSON small: right cells are counted in the summaries already
        r["cells"] = [c for c in r["cells"] if not c["ok"]]
    return {"run": {"mode": "robust", "n": n, "seed": seed, "gold": "generated", "inputs": None, "records": None,
                    "finished": time.strftime("%Y-%m-%dT%H:%M:%S"), "elapsed_s": elapsed,
                    "llm": {"mode": "none", "models": [], "note": "deterministic path only (generated reports)"}},
            "overall": overall, "reports": reports}


def kind_table(run: dict[str, Any]) -> str:
    """Accuracy per damage kind, one line each, for the console."""
    from evals.report_md import frac

    cells = run["overall"]["cells"]
    lines = [f"{'kind':22} {'cells':>22} {'table 二':>20} {'table 三':>22} {'table 四':>20}  failed"]
    for kind, part in cells["by_kind"].items():
        tables = cells["by_kind_table"][kind]
        failed = sum(1 for r in run["reports"] if r["kind"] == kind and r["error"])
        lines.append(f"{kind:22} {frac(part):>22} " + " ".join(f"{frac(tables.get(t)):>21}" for t in TABLES)
                     + f"  {failed}")
    o = run["overall"]
    rate = o["cost"]["reports_per_s"] or 0.0
    lines.append(f"{'all':22} {frac(cells):>22}   meta {frac(o['meta']['all'])}   extractor {rate:.0f} reports/s, "
                 f"suite {run['run']['elapsed_s']:.1f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.robust", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write robust.json/.md/.html and reproducers here")
    args = parser.parse_args(argv)
    run = run_robust(args.n, args.seed, args.out)
    if args.out is not None:
        from evals.cli import write_reports

        write_reports(run, args.out, "robust", f"nianbao robustness suite ({args.n} generated reports)")
    print(kind_table(run))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
