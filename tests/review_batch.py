"""Batches for the review-site tests: the samples, and one agency's consecutive years with a planted
carry break (each year consistent in itself; the break is only between two years).

The series comes from `evals.multiyear` (one generator for the batch and the review tests).
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from pathlib import Path

from evals.multiyear import AGENCY, write_series
from pipeline.extract import extract
from pipeline.output import record_path, write_record

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
HTML_SAMPLE = ROOT / "tests" / "data" / "clean_2021.html"
PDF_SAMPLE = ROOT / "evals" / "real" / "hzq_2023.pdf"  # a real report; its cells carry page boxes

PLANTED = ("commercial_enterprise", 2)  # the column whose carry is broken, and by how much (as evals.multiyear)


def multi_year(folder: Path, years: tuple[int, ...] = (2021, 2022, 2023)) -> list[Path]:
    """Three consecutive 2021-form years of `evals.multiyear`'s agency, with its planted break in 2022."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        write_series(Path(tmp), break_year=2022, column=PLANTED[0])
        paths = []
        for year in years:
            path = folder / f"{AGENCY}_{year}.txt"
            shutil.copy(Path(tmp) / f"agency_{year}.txt", path)
            paths.append(path)
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
