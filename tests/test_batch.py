"""The batch runner: discovery and output names, refusals before any work, resume, per-report
bounds, progress summary, and the kill-and-restart benchmark at CI size."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals import bench_batch
from pipeline import batch, worker
from pipeline.cli import app
from pipeline.output import remove_stale_temps
from schemas import Record
from tests.conftest import SAMPLE_NAMES, SAMPLES

runner = CliRunner()
SAMPLE = SAMPLES / SAMPLE_NAMES[1]  # template 2021, 200/200 cells


def _extract(*args: str):
    return runner.invoke(app, ["extract", *args, "-j", "2"])


def _record(path) -> Record:
    return Record.model_validate_json(path.read_bytes())


def test_same_stem_in_two_folders_gives_two_records_named_by_relative_path(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / "in" / folder).mkdir(parents=True)
        shutil.copyfile(SAMPLE, tmp_path / "in" / folder / "report.txt")
    result = _extract(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    a, b = _record(tmp_path / "out" / "a" / "report.json"), _record(tmp_path / "out" / "b" / "report.json")
    assert a.source.path == (tmp_path / "in" / "a" / "report.txt").as_posix()
    assert b.source.path == (tmp_path / "in" / "b" / "report.txt").as_posix()
    assert a.source.name == b.source.name == "report.txt"


@pytest.mark.parametrize("layout", [
    pytest.param(["b/report.txt", "b/report.md"], id="same-stem-two-suffixes"),
    pytest.param(["x/r.txt", "y/r.txt"], id="two-folder-arguments"),
])
def test_colliding_output_names_are_refused_with_exit_2(tmp_path, layout):
    for rel in layout:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE, tmp_path / rel)
    args = [str(tmp_path)] if layout[0].startswith("b/") else [str(tmp_path / "x"), str(tmp_path / "y")]
    result = _extract(*args, "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "two inputs would write the same record" in result.output
    assert not list((tmp_path / "out").rglob("*.json")) if (tmp_path / "out").exists() else True


@pytest.mark.parametrize("files", [
    pytest.param(["a.pdf.bin", "notes.xlsx"], id="unsupported-only"),
    pytest.param([], id="empty-folder"),
])
def test_a_folder_with_nothing_supported_is_a_clear_error(tmp_path, files):
    (tmp_path / "in").mkdir()
    for name in files:
        (tmp_path / "in" / name).write_bytes(b"x")
    result = _extract(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "in: no report files in this folder (looked for " in result.output and ".txt" in result.output


@pytest.mark.parametrize("kind", ["output-is-a-file", "output-under-a-file"])
def test_an_unwritable_output_is_refused_before_any_work(tmp_path, kind, monkeypatch):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    out = blocker if kind == "output-is-a-file" else blocker / "out"
    started = []
    monkeypatch.setattr(batch, "local_results", lambda *a: started.append(1) or iter(()))
    result = _extract(str(SAMPLE), "-o", str(out))
    assert result.exit_code == 2 and not started
    expected = "is a file, not a folder" if kind == "output-is-a-file" else "cannot be written"
    assert expected in result.output


def test_records_are_compact_by_default_and_indented_with_pretty(tmp_path):
    _extract(str(SAMPLE), "-o", str(tmp_path / "c"))
    _extract(str(SAMPLE), "-o", str(tmp_path / "p"), "--pretty")
    compact = (tmp_path / "c" / SAMPLE.with_suffix(".json").name).read_text(encoding="utf-8")
    pretty = (tmp_path / "p" / SAMPLE.with_suffix(".json").name).read_text(encoding="utf-8")
    assert compact.count("\n") == 1 and pretty.startswith('{\n  "schema_version": "1"')
    assert json.loads(compact) == json.loads(pretty)


def test_resume_skips_only_records_of_the_same_bytes_and_program(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in SAMPLE_NAMES[1:4]:
        shutil.copyfile(SAMPLES / name, inputs / name)
    out = tmp_path / "out"
    assert _extract(str(inputs), "-o", str(out)).exit_code == 0
    stale = out / SAMPLE_NAMES[2].replace(".txt", ".json")
    data = json.loads(stale.read_text(encoding="utf-8"))
    data["pipeline"] = "0.0.0+older"
    stale.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (inputs / SAMPLE_NAMES[3]).write_bytes((SAMPLES / SAMPLE_NAMES[3]).read_bytes() + b"\n")  # new bytes
    result = _extract(str(inputs), "-o", str(out), "--resume")
    assert result.exit_code == 0
    assert f"\n{SAMPLE_NAMES[1]}: already done, skipped" in "\n" + result.output
    assert "1 extracted" not in result.output and "2 extracted, 1 skipped, 0 failed" in result.output
    assert _record(stale).pipeline == batch.pipeline_version()


def test_the_summary_line_counts_the_batch(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = _extract(str(SAMPLE), str(tmp_path / "empty.txt"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("nianbao: 2 reports in ") and "1 extracted, 0 skipped, 1 failed" in last
    assert "empty.txt: ERROR (ingest)" in result.output


def _slow(doc, config):  # runs in the (forked) worker
    if doc.name.startswith("slow"):
        time.sleep(60)
    return REAL_EXTRACT(doc, config)


def _greedy(doc, config):
    if doc.name.startswith("greedy"):
        hog = bytearray(1024 * 1024 * 1024)  # 1 GB, over a 512 MB bound
        return hog
    return REAL_EXTRACT(doc, config)


def _crash(doc, config):
    if doc.name.startswith("crash"):
        time.sleep(1)  # well into the report (a worker dying as it starts can only be caught by the timeout)
        os._exit(9)  # a worker that dies (as the OOM killer would do it)
    return REAL_EXTRACT(doc, config)


REAL_EXTRACT = worker.extract_document


@pytest.mark.parametrize(("prefix", "patched", "options", "message"), [
    pytest.param("slow", _slow, ["--timeout", "2"], "ERROR (limit) took longer than 2 s (--timeout); stopped", id="time"),
    pytest.param("greedy", _greedy, ["--max-memory", "512"], "ERROR (limit) over the worker's memory bound",
                 id="memory"),
    pytest.param("crash", _crash, ["--timeout", "30"], "ERROR (limit) the worker died", id="worker-dies"),
])
def test_a_report_over_a_bound_fails_alone_and_the_batch_goes_on(tmp_path, monkeypatch, prefix, patched, options,
                                                                  message):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copyfile(SAMPLE, inputs / f"{prefix}.txt")
    for name in SAMPLE_NAMES[1:4]:
        shutil.copyfile(SAMPLES / name, inputs / name)
    monkeypatch.setattr(worker, "extract_document", patched)  # inherited by the forked workers
    started = time.monotonic()
    result = _extract(str(inputs), "-o", str(tmp_path / "out"), *options)
    assert time.monotonic() - started < 40
    assert result.exit_code == 1
    assert f"{prefix}.txt: {message}" in result.output
    assert "3 extracted, 0 skipped, 1 failed" in result.output
    assert sorted(p.name for p in (tmp_path / "out").glob("*.json")) == [n.replace(".txt", ".json")
                                                                         for n in SAMPLE_NAMES[1:4]]


def test_stale_temporary_files_of_dead_writers_are_removed_and_live_ones_kept(tmp_path):
    dead = tmp_path / ".r.json.999999999.abc.tmp"
    live = tmp_path / f".r.json.{os.getpid()}.abc.tmp"
    other = tmp_path / ".notes.tmp"
    for path in (dead, live, other):
        path.write_text("{")
    assert remove_stale_temps(tmp_path) == 1
    assert not dead.exists() and live.exists() and other.exists()


def test_records_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        _extract(str(SAMPLE), "-o", str(tmp_path / "out"))
    finally:
        os.umask(old)
    assert (tmp_path / "out" / SAMPLE.with_suffix(".json").name).stat().st_mode & 0o777 == 0o644


def test_an_unreadable_record_stops_the_dataset_with_a_clear_error_and_keeps_the_records(tmp_path, monkeypatch):
    from pipeline import crossyear

    def corrupt(keys):
        keys = list(keys)
        Path(keys[0].report).write_text("{", encoding="utf-8")  # as if edited by hand meanwhile
        return crossyear.Pairing()

    monkeypatch.setattr(batch, "apply_cross_year", corrupt)
    result = _extract(str(SAMPLES), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "nianbao: ERROR (output)" in result.output and "record not readable for the dataset" in result.output
    assert len(list((tmp_path / "out").glob("*.json"))) == len(SAMPLE_NAMES)


def test_pipeline_version_names_the_package_and_the_code():
    version = batch.pipeline_version()
    assert version.startswith("0.") and len(version.split("+")[1]) == 12
    assert version == batch.pipeline_version()


def test_benchmark_kill_half_way_and_restart_gives_every_report_exactly_once(tmp_path):
    """The committed benchmark (evals/bench_batch.py) at CI size: 200 generated reports."""
    result = bench_batch.bench(200, 2, tmp_path)
    assert result["problems"] == [] and result["ok"], result
    assert 0 < result["killed_after"] < 200
    assert result["restart"] == {"extracted": 200 - result["killed_after"], "skipped": result["killed_after"],
                                 "failed": 0}
    assert result["peak_rss_mb"] > 0 and result["reports_per_second"] > 0
