"""Batch benchmark: throughput and peak memory of `nianbao extract` end to end, and a kill half way.

    python -m evals.bench_batch [--n 5000] [--jobs 2] [--work DIR] [--samples-x 0]
    python -m evals.bench_batch --split      # where a report's CPU time goes, step by step

1. Generates `n` reports (the robustness suite's generator: 15 layouts and damage kinds, text and
   HTML), or with `--samples-x K` the bundled samples copied K times.
2. Runs `nianbao extract DIR -o OUT -j JOBS -q` as a child process: wall time, reports/s, and the
   peak of the summed RSS of its whole process tree (sampled every 50 ms from /proc).
3. Runs it again into a fresh folder, SIGKILLs the whole process group once half the records are
   written, restarts it with `--resume`, and checks: every input has exactly one record, every
   record file is complete and valid, records.jsonl has one line per input, no temporary file is
   left, and the restart extracted only what the killed run had not finished.
Prints a JSON object with the figures and `"ok": true|false`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from schemas import Record

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def make_inputs(folder: Path, n: int, samples_x: int = 0) -> int:
    """Write the benchmark's inputs into `folder`; returns how many."""
    folder.mkdir(parents=True, exist_ok=True)
    if samples_x:
        for i in range(samples_x):
            for sample in sorted(SAMPLES.glob("*.txt")):
                shutil.copyfile(sample, folder / f"{i:04d}_{sample.name}")
        return samples_x * len(list(SAMPLES.glob("*.txt")))
    from evals.robust import build_cases

    for case in build_cases(n, seed=0):
        (folder / case.name).write_text(case.text, encoding="utf-8")
    return n


def _command(inputs: Path, out: Path, jobs: int, resume: bool = False) -> list[str]:
    cmd = [sys.executable, "-c", "from pipeline.cli import main; main()", "extract", str(inputs), "-o", str(out), "-j", str(jobs), "-q"]
    return cmd + (["--resume"] if resume else [])


def _tree_rss(pgid: int) -> int:
    """Summed resident memory (bytes) of every process in the process group `pgid`."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue
    return total


def run(cmd: list[str], kill_when: Path | None = None, kill_at: int = 0) -> dict[str, Any]:
    """Run `cmd` in its own process group; sample its memory; SIGKILL it once `kill_at` records
    exist under `kill_when`. Returns wall seconds, peak RSS, exit code, the summary line."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    peak = 0
    killed = False
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        if kill_when is not None and not killed and _count(kill_when) >= kill_at:
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
        time.sleep(0.05)
    out, err = proc.communicate()
    if killed:  # workers of a killed pool may outlive their parent a moment
        _wait_group(proc.pid)
    lines = [line for line in out.splitlines() if line.startswith("nianbao:")]
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": peak / 2**20, "exit": proc.returncode,
            "killed": killed, "summary": lines[-1] if lines else "", "stderr": err[-2000:]}


def _wait_group(pgid: int, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and _tree_rss(pgid):
        time.sleep(0.05)


def _count(out: Path) -> int:
    return sum(1 for p in out.rglob("*.json") if not p.name.startswith(".")) if out.exists() else 0


def check_batch(inputs: Path, out: Path) -> list[str]:
    """Every input has exactly one complete, valid record; records.jsonl one line per input; no temp files."""
    problems = []
    names = sorted(p.relative_to(inputs).with_suffix(".json").as_posix() for p in inputs.rglob("*") if p.is_file())
    records = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json")
                     if not p.name.startswith(".") and p.parent.name != "dataset")
    if names != records:
        problems.append(f"records {len(records)} != inputs {len(names)}")
    for name in records:
        try:
            Record.model_validate_json((out / name).read_bytes())
        except ValueError as exc:
            problems.append(f"{name}: not a valid record ({str(exc)[:100]})")
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines() if (out / "records.jsonl").exists() else []
    paths = [json.loads(line)["source"]["path"] for line in lines]
    if len(paths) != len(names) or len(set(paths)) != len(paths):
        problems.append(f"records.jsonl: {len(paths)} lines, {len(set(paths))} distinct, {len(names)} inputs")
    temps = [p.name for p in out.rglob(".*.tmp")]
    if temps:
        problems.append(f"temporary files left: {temps[:3]}")
    return problems


def _counts(summary: str) -> dict[str, int]:
    """`… 12 extracted, 3 skipped, 0 failed; …` → {"extracted": 12, "skipped": 3, "failed": 0}."""
    out = {}
    for word in ("extracted", "skipped", "failed"):
        before = summary.split(f" {word}")[0].split()
        out[word] = int(before[-1]) if before and before[-1].isdigit() else -1
    return out


def bench(n: int, jobs: int, work: Path, samples_x: int = 0) -> dict[str, Any]:
    inputs = work / "inputs"
    count = make_inputs(inputs, n, samples_x)
    full = run(_command(inputs, work / "out", jobs))
    result: dict[str, Any] = {"reports": count, "jobs": jobs, "seconds": round(full["seconds"], 2),
                              "reports_per_second": round(count / full["seconds"], 1),
                              "peak_rss_mb": round(full["peak_rss_mb"], 1), "summary": full["summary"]}
    problems = [f"full run exit {full['exit']}: {full['stderr']}"] if full["exit"] not in (0, 1) else []
    problems += check_batch(inputs, work / "out")
    killed_out = work / "killed"
    first = run(_command(inputs, killed_out, jobs), kill_when=killed_out, kill_at=count // 2)
    done_before = _count(killed_out)
    second = run(_command(inputs, killed_out, jobs, resume=True))
    counts = _counts(second["summary"])
    result.update(killed_after=done_before, restart=counts, restart_summary=second["summary"])
    problems += [] if first["killed"] else ["the first run ended before it could be killed"]
    problems += check_batch(inputs, killed_out)
    if counts["extracted"] + counts["skipped"] + counts["failed"] != count or counts["skipped"] != done_before:
        problems.append(f"restart did not pick up where the kill left: {counts}, {done_before} written before")
    result.update(problems=problems, ok=not problems)
    return result


def where_time_goes(repeat: int = 20) -> dict[str, float]:
    """CPU ms per report of each step a worker and the parent take, on the samples (one process).
    `json_before` is the encoding this batch replaced (json.dumps of model_dump, indented)."""
    from pipeline.config import Config
    from pipeline.dataset import write_dataset
    from pipeline.extract import extract_document
    from pipeline.ingest import ingest
    from pipeline.output import record_text, write_record

    paths, config = sorted(SAMPLES.glob("*.txt")), Config()
    for path in paths:  # warm-up: imports, regex compilation
        extract_document(ingest(path), config)
    steps = dict.fromkeys(("ingest", "extract", "json_before", "json_compact", "json_pretty", "write"), 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        targets = []
        for i in range(repeat):
            for path in paths:
                marks = [time.process_time()]
                doc = ingest(path)
                marks.append(time.process_time())
                record = extract_document(doc, config)
                marks.append(time.process_time())
                json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2)
                marks.append(time.process_time())
                record_text(record)
                marks.append(time.process_time())
                record_text(record, pretty=True)
                marks.append(time.process_time())
                targets.append(write_record(record, Path(tmp) / f"{i}_{path.stem}.json"))
                marks.append(time.process_time())
                for key, a, b in zip(steps, marks, marks[1:], strict=False):
                    steps[key] += b - a
        start = time.process_time()
        write_dataset(targets, Path(tmp))
        steps["dataset"] = time.process_time() - start
    return {f"{k}_ms": round(1000 * v / len(targets), 2) for k, v in steps.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--samples-x", type=int, default=0, help="use the samples copied K times instead")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--split", action="store_true", help="only: CPU ms per report of each step")
    args = parser.parse_args(argv)
    if args.split:
        print(json.dumps(where_time_goes(), indent=2))
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    result = bench(args.n, args.jobs, work, args.samples_x)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
