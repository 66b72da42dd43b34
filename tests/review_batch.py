"""Batches for the review-site tests: the samples, and one agency's consecutive years with a planted
carry break (each year consistent in itself; the break is only between two years).

Replace `multi_year` by `evals.multiyear` once that lands on main (one generator, not two).
"""

from __future__ import annotations

import copy
import json
import random
import shutil
from pathlib import Path
from typing import Any

from evals.robust import style_for, text_report
from evals.spec import APPLICANT_COLUMNS, application_rows
from evals.synth import arithmetic_errors, make_gold
from pipeline.extract import extract
from pipeline.output import record_path, write_record

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
HTML_SAMPLE = ROOT / "tests" / "data" / "clean_2021.html"
PDF_SAMPLE = ROOT / "evals" / "real" / "hzq_2023.pdf"  # a real report; its cells carry page boxes
AGENCY = "宜昌市财政局"  # as in evals.multiyear (branch batch)
PLANTED = ("commercial_enterprise", 2)  # the column whose carry is broken, and by how much (as evals.multiyear)


def _carry(gold: dict[str, Any], target: dict[str, int]) -> None:
    """Set 上年结转 to `target` and rebalance the year through 本年新收 (and 予以公开 if needed)."""
    apps = gold["applications"]
    for col in APPLICANT_COLUMNS[:-1]:
        apps["carried_over"][col] = target[col]
        new = apps["total_processed"][col] + apps["carried_forward"][col] - target[col]
        if new < 0:
            apps["granted"][col] -= new
            apps["total_processed"][col] -= new
            new = 0
        apps["new_received"][col] = new
    for row in application_rows(gold["meta"]["template"]):
        apps[row]["total"] = sum(apps[row][c] for c in APPLICANT_COLUMNS[:-1])


def multi_year(folder: Path, first: int = 2021, years: int = 3, broken: int = 2022, seed: int = 7) -> list[Path]:
    """Write `years` reports of AGENCY (2021 template) to `folder`; the `broken` year's 上年结转
    differs from the year before's 结转下年度 in one column."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths, prev = [], None
    for year in range(first, first + years):
        gold = make_gold(rng, f"{AGENCY}_{year}.txt", "2021")
        gold["meta"].update(agency=AGENCY, year=year)
        if prev is not None:
            target = {c: prev["applications"]["carried_forward"][c] for c in APPLICANT_COLUMNS[:-1]}
            if year == broken:
                target[PLANTED[0]] += PLANTED[1]
            _carry(gold, target)
        assert not arithmetic_errors(gold), arithmetic_errors(gold)
        text, _ = text_report(gold, "tab_rows", style_for("tab_rows"), rng)
        path = folder / gold["source"]["name"]
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        prev = gold
    return paths


def review_batch(root: Path) -> tuple[Path, Path]:
    """(records folder, sources folder): the samples, an HTML and a PDF report, a three-year series."""
    sources, out = root / "sources", root / "out"
    sources.mkdir(parents=True)
    for p in [*SAMPLES.iterdir(), HTML_SAMPLE, PDF_SAMPLE]:
        shutil.copy(p, sources / p.name)
    multi_year(sources)
    for path in sorted(sources.iterdir()):
        write_record(extract(path), record_path(out, path))
    return out, sources


def scaled(records: Path, out: Path, n: int) -> Path:
    """`n` records made from those in `records`: agencies of five consecutive years each (2019-2023),
    so the index, the heatmap and the comparisons are as large as a real province's batch."""
    originals = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(records.glob("*.json"))]
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        record = copy.deepcopy(originals[i % len(originals)])
        agency, year = f"测试市第{i // 5}局", 2019 + i % 5
        record["meta"].update(agency=agency, year=year)
        record["source"]["name"] = f"r{i:05d}.txt"
        (out / f"r{i:05d}.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return out
