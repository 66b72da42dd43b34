"""Outages and the CLI's LLM options (issue 9): the endpoint refusing connections or hanging,
Ctrl-C, `--resume` after a failed LLM step, no API key, nonsense numbers.

Batches run in this process through the CLI (after a warm-up, so the timings are the run's, not
the seconds openai and instructor take to import), Ctrl-C in a real `nianbao` process; the
endpoints are on 127.0.0.1 (`tests/llm_server.py`): nothing here needs a network.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Config
from pipeline.extract import extract_document
from pipeline.ingest import ingest
from tests.conftest import SAMPLE_NAMES, SAMPLES
from tests.llm_server import HungServer, Rule, ScriptedServer, refused_url, text

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
NIANBAO = [sys.executable, "-c", "from pipeline.cli import main; main()"]


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pipeline.llm.breaker import reset

    monkeypatch.setenv("OPENAI_API_KEY", "sk-outage-test")
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NIANBAO_MODEL", raising=False)
    reset()


def records(out: Path) -> dict[str, dict[str, object]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.json"))}


def cli(*args: str, base_url: str) -> Result:
    """`nianbao` in this process (imports already paid for), against `base_url`."""
    return runner.invoke(app, [*args, "--base-url", base_url] if "--model" in args else list(args))


def test_connection_refused_finishes_the_batch_in_seconds_with_one_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    warm_up()
    out = tmp_path / "out"
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        result = cli("extract", str(SAMPLES), "-o", str(out), "--model", "scripted-test-model", base_url=refused_url())
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert elapsed < 10, elapsed  # ~2-4 s: back-off until the breaker opens, then no more calls
    got = records(out)
    assert len(got) == len(SAMPLE_NAMES)
    assert {r["llm"]["status"] for r in got.values()} <= {"failed", "skipped"}  # type: ignore[index]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "consecutive transport failures" in warnings[0], warnings
    assert "rerun with --resume" in result.output


def warm_up() -> None:
    """Import openai and instructor and build a client once: seconds on a slow machine, not the timeout's."""
    import instructor
    import openai

    instructor.from_openai(openai.OpenAI(api_key="x", base_url="http://127.0.0.1:9/v1"))


def test_a_hung_endpoint_is_bounded_by_the_read_timeout(tmp_path: Path) -> None:
    warm_up()
    hung = HungServer()
    try:
        config = Config(model="scripted-test-model", base_url=hung.base_url, cache_dir=tmp_path, use_cache=False,
                        read_timeout_s=0.5, max_retries=1, backoff_base_s=0)
        started = time.monotonic()
        record = extract_document(ingest(SAMPLES / SAMPLE_NAMES[3]), config)
        elapsed = time.monotonic() - started
    finally:
        hung.stop()
    assert elapsed < 4, elapsed  # two attempts of 0.5 s per request, requests in parallel
    assert record.llm is not None and record.llm.status in ("failed", "skipped")
    assert record.facts  # the deterministic record is all there


def test_read_timeout_from_the_command_line(tmp_path: Path) -> None:
    warm_up()
    hung = HungServer()
    try:
        started = time.monotonic()
        result = cli("extract", str(SAMPLES / SAMPLE_NAMES[3]), "-o", str(tmp_path), "--model", "m",
                     "--read-timeout", "0.5", "--max-retries", "0", base_url=hung.base_url)
        elapsed = time.monotonic() - started
    finally:
        hung.stop()
    assert result.exit_code == 0 and elapsed < 4, (elapsed, result.output)
    assert "LLM step failed" in result.output


def test_ctrl_c_stops_within_two_seconds(tmp_path: Path) -> None:
    hung = HungServer()
    env = {**os.environ, "OPENAI_BASE_URL": hung.base_url}
    try:
        proc = subprocess.Popen([*NIANBAO, "extract", str(SAMPLES), "-o", str(tmp_path), "--model", "m"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not hung.connections and time.monotonic() < deadline:  # start-up, then a request hangs
            time.sleep(0.05)
        assert hung.connections, "no request reached the hung endpoint"
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _, stderr = proc.communicate(timeout=30)
        stopped = time.monotonic() - sent
    finally:
        hung.stop()
    assert stopped < 2.0, stopped
    assert proc.returncode == 130 and "interrupted" in stderr


def test_resume_reruns_exactly_the_reports_whose_llm_step_failed(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    for name in SAMPLE_NAMES[:2]:
        shutil.copy(SAMPLES / name, inputs / name)
    empty = [Rule("", [text("{}")], repeat=True)]
    with ScriptedServer(empty) as server:  # 1: two reports with a working endpoint
        first = cli("extract", str(inputs), "-o", str(out), "--model", "m", base_url=server.base_url)
    assert first.exit_code == 0, first.output
    for name in SAMPLE_NAMES[2:]:
        shutil.copy(SAMPLES / name, inputs / name)
    second = cli("extract", str(inputs), "-o", str(out), "--model", "m", "--resume", base_url=refused_url())
    assert second.output.count("already done, skipped") == 2  # 2: the endpoint is down for the other three
    status = {k: r["llm"]["status"] for k, r in records(out).items()}  # type: ignore[index]
    assert [status[Path(n).stem] for n in SAMPLE_NAMES[:2]] == ["ok", "ok"]
    assert all(status[Path(n).stem] in ("failed", "skipped") for n in SAMPLE_NAMES[2:])
    with ScriptedServer(empty) as server:  # 3: back up: exactly the three failed ones are redone
        third = cli("extract", str(inputs), "-o", str(out), "--model", "m", "--resume", base_url=server.base_url)
    skipped = [line.split(":")[0] for line in third.output.splitlines() if "already done" in line]
    assert sorted(skipped) == SAMPLE_NAMES[:2]
    assert {r["llm"]["status"] for r in records(out).values()} == {"ok"}  # type: ignore[index]
    fourth = cli("extract", str(inputs), "-o", str(out), "--resume", base_url=refused_url())
    assert fourth.output.count("already done, skipped") == len(SAMPLE_NAMES)  # no model: any record will do


def test_no_key_is_one_clear_error_before_any_work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    result = runner.invoke(app, ["extract", str(SAMPLES), "-o", str(tmp_path / "out"), "--model", "m"])
    assert result.exit_code == 2
    assert "OPENAI_API_KEY" in result.output and "--no-llm" in result.output
    assert not (tmp_path / "out").exists()


def test_no_llm_runs_deterministically_even_with_a_model_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("NIANBAO_MODEL", "m")
    result = runner.invoke(app, ["extract", str(SAMPLES / SAMPLE_NAMES[1]), "-o", str(tmp_path), "--no-llm"])
    assert result.exit_code == 0, result.output
    assert records(tmp_path)[Path(SAMPLE_NAMES[1]).stem]["llm"] is None


@pytest.mark.parametrize(("name", "option", "value"), [
    ("no chunk", "--chunk-tokens", "0"),
    ("no concurrency", "--concurrency", "0"),
    ("negative retries", "--max-retries", "-1"),
    ("absurd retries", "--max-retries", "1000"),
    ("negative timeout", "--read-timeout", "-1"),
    ("zero connect timeout", "--connect-timeout", "0"),
    ("no breaker", "--breaker-failures", "0"),
    ("not a number", "--max-reasks", "two"),
])
def test_nonsense_numbers_are_rejected(name: str, option: str, value: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(SAMPLES), "-o", str(tmp_path / "out"), "--model", "m", option, value])
    assert result.exit_code == 2, name
    assert not (tmp_path / "out").exists(), name


@pytest.mark.parametrize(("name", "variable", "value"), [
    ("zero read timeout", "NIANBAO_READ_TIMEOUT", "0"),
    ("text", "NIANBAO_CONNECT_TIMEOUT", "soon"),
])
def test_nonsense_settings_from_the_environment_are_rejected(name: str, variable: str, value: str,
                                                             monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(variable, value)
    result = runner.invoke(app, ["extract", str(SAMPLES), "-o", str(tmp_path / "out"), "--model", "m"])
    assert result.exit_code == 2 and variable.removeprefix("NIANBAO_").lower()[:4] in result.output.lower(), name
