"""Regenerate every figure of README's "Measured" table on this machine, end to end.

    python -m evals.figures [--quick] [--out FILE]

Prints the table in markdown (and writes it to FILE): each row names the command that gives its
figure. Times are given both as CPU time of the process doing the work and as wall-clock time of
the whole command (interpreter start, imports, reading and writing files included); on a machine
shared with other work the wall-clock figures vary most. `--quick` runs smaller batches (for a
check that the script works, not for the README).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLD = ROOT / "evals" / "gold"
NIANBAO = [sys.executable, "-c", "from pipeline.cli import main; main()"]

Row = tuple[str, str, str]  # what, command, figure


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%" if x in (0, 1) else f"{100 * x:.2f}%"


def _child(cmd: list[str], **kw: Any) -> tuple[subprocess.CompletedProcess[str], float, float, int]:
    """Run `cmd`; its wall time, CPU time (user + system of the child) and peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, wall, cpu, after.ru_maxrss // 1024


# ---- accuracy on gold ------------------------------------------------------------------------------


def seeds() -> list[Row]:
    from evals.report_md import instances
    from evals.run import evaluate

    o = evaluate(GOLD, SAMPLES, None)[0]["overall"]
    cells, meta, facts, problems = o["cells"], o["meta"]["all"], o["facts"], o["problems"]
    blank_as_zero = (cells.get("errors") or {}).get("blank_as_zero", 0)
    return [
        ("table cells on the five samples vs hand-made gold", "`nianbao eval`",
         f"{cells['ok']}/{cells['n']} cells, meta {meta['ok']}/{meta['n']}, blank-read-as-zero {blank_as_zero}, "
         f"ambiguous cells {cells['ambiguous']['n']} all null" if cells["ambiguous"]["wrong"] == 0 else
         f"{cells['ok']}/{cells['n']} cells, ambiguous guessed {cells['ambiguous']['wrong']}"),
        ("facts / findings / problems on the samples", "`nianbao eval`",
         f"facts P {_pct(facts['precision'])} R {_pct(facts['recall'])} ({facts['gold']} gold); "
         f"error findings {instances(o['findings'], 'errors')}; warnings {instances(o['findings'], 'warnings')}; "
         f"problems {problems['matched']}/{problems['gold']} (the prose finders were developed on these samples: "
         "read this as \"no regressions\", not as accuracy on unseen reports)"),
    ]


def robust(n: int) -> list[Row]:
    from evals.robust import run_robust

    t, c = time.perf_counter(), time.process_time()
    o = run_robust(n, seed=0)["overall"]
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    cells, meta = o["cells"], o["meta"]["all"]
    kinds = cells.get("by_kind") or {}
    below = [f"`{k}` {_pct(v['accuracy'])}" for k, v in sorted(kinds.items()) if v["accuracy"] != 1]
    return [(f"robustness suite, {n} generated reports in {len(kinds)} damage kinds", f"`nianbao eval --robust {n}`",
             f"cells {_pct(cells['accuracy'])} ({cells['ok']:,}/{cells['n']:,}; cells whose information the damage "
             f"destroys are scored as `ambiguous`: null is right), "
             + (f"100% in every kind but {', '.join(below)}; " if below else "100% in every kind; ")
             + f"meta {meta['ok']}/{meta['n']}; "
             f"{wall:.1f} s wall, {cpu:.1f} s CPU for generation, extraction and scoring")]


def real() -> list[Row]:
    from evals.report_md import instances
    from evals.run import evaluate

    folder = ROOT / "evals" / "real"
    run = evaluate(folder, folder, None)[0]
    parts = []
    for r in run["reports"]:
        cells, meta = r["summary"]["cells"], r["summary"]["meta"]["all"]
        amb = cells["ambiguous"]
        parts.append(f"`{r['name']}` ({r.get('kind')}): {cells['ok']}/{cells['n']} cells"
                     + (f" ({amb['n']} `ambiguous`, {amb['wrong']} guessed)" if amb["n"] else "")
                     + f", meta {meta['ok']}/{meta['n']}")
    return [("real published reports with hand-made gold (`evals/real/`), by kind of input",
             "`nianbao eval --gold evals/real --inputs evals/real` (CI: `pytest tests/test_real_reports.py`)",
             "; ".join(parts) + f"; error findings {instances(run['overall']['findings'], 'errors')}. These are "
             "development cases: the figure that matters is measured on other real reports, kept private")]


def _pytest(path: str) -> tuple[int, int, float]:
    done, wall, _, _ = _child([sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider", path])
    passed = int((re.search(r"(\d+) passed", done.stdout) or [0, 0])[1])
    failed = int((re.search(r"(\d+) failed", done.stdout) or [0, 0])[1])
    return passed, failed, wall


def layouts() -> list[Row]:
    folder = ROOT / "tests" / "data" / "real_layouts"
    reports = len([p for p in folder.iterdir() if p.suffix in (".txt", ".md", ".html")]) if folder.is_dir() else 0
    passed, failed, _ = _pytest("tests/test_real_layouts.py")
    return [(f"{reports} complete reports in layouts the samples do not show (`tests/data/real_layouts/`, "
             "expected values chosen first, then rendered)", "`pytest tests/test_real_layouts.py`",
             f"{passed} checks passed, {failed} failed (every cell, meta, the six sections, no error finding "
             "on a consistent report)")]


# ---- damage and bombs ------------------------------------------------------------------------------


def fuzz(n: int) -> list[Row]:
    records, errors, crashes = fuzz_counts(n)
    passed, failed, _ = _pytest("tests/test_damage.py")
    return [("damaged input (truncated, shuffled, re-digited, flattened, noisy, malformed HTML)",
             "`pytest tests/test_damage.py`; `python -m evals.figures` (seeded fuzz)",
             f"{passed} checks passed, {failed} failed (each asserts the record or the error the damage must give); "
             f"fuzz of {n:,} damaged samples: {records:,} records, {errors} clear error(s), {crashes} crashes")]


def fuzz_counts(n: int) -> tuple[int, int, int]:
    """Records, clear errors and crashes over `n` seeded damaged samples."""
    from evals.damage import KINDS, damage
    from pipeline.core import NianbaoError
    from pipeline.extract import extract_document
    from pipeline.ingest import ingest_bytes

    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.txt"))]
    rng = random.Random(0)
    records = errors = crashes = 0
    for i in range(n):
        name, text = texts[i % len(texts)]
        data = damage(text, KINDS[i // len(texts) % len(KINDS)], rng).encode("utf-8")
        try:
            extract_document(ingest_bytes(name, data))
            records += 1
        except NianbaoError:
            errors += 1
        except Exception:  # noqa: BLE001 - a crash is what is counted
            crashes += 1
    return records, errors, crashes


def bombs() -> list[Row]:
    from evals.damage import one_paragraph, span_bomb

    out = []
    with tempfile.TemporaryDirectory(prefix="nianbao-bomb-") as tmp:
        for name, data in (("bomb.html", span_bomb()), ("paragraph.txt", one_paragraph())):
            path = Path(tmp) / name
            path.write_bytes(data)
            # each in a child of its own, so the peak RSS is that report's
            probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
                     "r = subprocess.run(sys.argv[1:], capture_output=True); "
                     "print(r.returncode, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
            done, _, _, _ = _child([sys.executable, "-c", probe, *NIANBAO, "extract", str(path), "-o", str(Path(tmp) / "out")])
            code, wall, rss = done.stdout.split()
            record = Path(tmp) / "out" / (path.stem + ".json")
            size = record.stat().st_size / 1e6 if record.exists() else 0
            out.append(f"{name} ({len(data) / 1e6:.2f} MB): exit {code}, {float(wall):.1f} s wall, "
                       f"{int(rss) // 1024} MB peak RSS, record {size:.2f} MB")
    return [("inputs built to exhaust the reader: 1,800 cells spanning 100×100, a 19 MB one-paragraph report",
             "`nianbao extract FILE` (files from `evals/damage.py`)", "; ".join(out))]


# ---- speed -----------------------------------------------------------------------------------------


def throughput(copies: int) -> list[Row]:
    from evals import bench

    b = bench.run()
    with tempfile.TemporaryDirectory(prefix="nianbao-e2e-") as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        for k in range(copies):
            for p in sorted(SAMPLES.glob("*.txt")):
                shutil.copy(p, inputs / f"{k:03d}_{p.name}")
        n = copies * len(list(SAMPLES.glob("*.txt")))
        done, wall, cpu, _ = _child([*NIANBAO, "extract", str(inputs), "-o", str(Path(tmp) / "out")])
        if done.returncode != 0:
            raise SystemExit(f"extract failed: {done.stderr[-500:]}")
        one, wall1, _, _ = _child([*NIANBAO, "extract", str(SAMPLES / "004_cf13eb81c073527c.txt"), "-o",
                                   str(Path(tmp) / "one")])
    return [
        ("throughput of the deterministic path, one process", "`python -m evals.bench`",
         f"{b['reports_per_second']:.0f} reports/s CPU time ({1000 * b['seconds'] / b['reports']:.1f} ms per report; "
         "best of 5 rounds of 20 passes over the samples, caches cleared; no I/O, no start-up)"),
        (f"end to end through the command, {n} reports (the samples ×{copies})",
         f"`nianbao extract DIR -o OUT` ({n} files)",
         f"{n / wall:.0f} reports/s wall clock ({wall:.1f} s), {n / cpu:.0f} reports/s CPU ({cpu:.1f} s): "
         f"interpreter start, imports, reading and writing included; one report alone: {wall1:.1f} s wall"),
    ]


def tokens() -> list[Row]:
    done, _, _, _ = _child([sys.executable, "-m", "evals.tokens"])
    total = next((line for line in done.stdout.splitlines() if line.startswith("total")), "")
    parts = total.split()
    if len(parts) < 6:
        return [("tokens the LLM path sends vs whole reports", "`python -m evals.tokens`", "not measured: " + done.stderr[-200:])]
    naive, llm, ratio = int(parts[2]), int(parts[3]), parts[5]
    return [("tokens the LLM path sends vs whole reports", "`python -m evals.tokens`",
             f"{llm:,} vs {naive:,} prompt tokens on the five samples ({ratio})")]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small batches: check the script, not the figures")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    steps: list[Callable[[], list[Row]]] = [
        seeds, lambda: robust(30 if args.quick else 300), real, layouts, lambda: fuzz(60 if args.quick else 1500),
        bombs, lambda: throughput(2 if args.quick else 20), tokens]
    rows: list[Row] = []
    started, load = time.perf_counter(), os.getloadavg()[0]
    for step in steps:
        rows += step()
    lines = ["| what | command | figure |", "| --- | --- | --- |"] + [f"| {w} | {c} | {f} |" for w, c, f in rows]
    machine = (f"{os.cpu_count()} cores, load average {load:.1f} at the start and {os.getloadavg()[0]:.1f} at the "
               f"end, Python {sys.version.split()[0]}")
    lines += ["", f"Measured by `python -m evals.figures` on {time.strftime('%d %b %Y')} ({machine}), "
              f"{time.perf_counter() - started:.0f} s in all."]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
