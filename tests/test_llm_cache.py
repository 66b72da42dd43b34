"""The LLM response cache (issue 9): JSON in one SQLite table, never a file it follows, never a
reason to lose a record. A junk, truncated or read-only database is bypassed with one warning;
a tampered entry, whatever it says, touches no file."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.llm import cache as cache_module
from pipeline.llm.cache import FILENAME, ResponseCache
from tests.conftest import SAMPLE_NAMES, SAMPLES
from tests.llm_server import Rule, ScriptedServer, answer

runner = CliRunner()
NARRATIVE = {"facts": [], "problems": ["不在原文里的问题"], "percents": [], "parts": [], "table_refs": []}


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.llm.breaker import reset

    monkeypatch.setenv("OPENAI_API_KEY", "sk-cache-test")
    monkeypatch.setenv("NIANBAO_CACHE_DIR", "")
    monkeypatch.setattr(cache_module, "_warned", set())
    reset()


def junk(db: Path) -> None:
    db.write_bytes(b"this is not a database\n" * 200)


def truncated(db: Path) -> None:
    cache = ResponseCache(db.parent)
    for i in range(300):
        cache.set(f"k{i}", {"answer": {"text": "x" * 200}})
    cache.close()
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2 + 100])


def run_batch(tmp_path: Path, caplog: pytest.LogCaptureFixture, breakage) -> tuple[Path, list[str]]:  # type: ignore[no-untyped-def]
    cache_dir = tmp_path / "cache"
    os.environ["NIANBAO_CACHE_DIR"] = str(cache_dir)  # restored by the fixture
    (cache_dir / "llm").mkdir(parents=True, exist_ok=True)
    breakage(cache_dir / "llm" / FILENAME)
    out = tmp_path / "out"
    with ScriptedServer([Rule("", [answer(NARRATIVE)], repeat=True)]) as server:
        with caplog.at_level(logging.WARNING):
            result = runner.invoke(app, ["extract", str(SAMPLES), "-o", str(out), "--model", "m",
                                         "--base-url", server.base_url])
    assert result.exit_code == 0, result.output
    assert "ERROR" not in result.output
    return out, [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize(("name", "breakage"), [("junk", junk), ("truncated", truncated)])
def test_a_broken_cache_loses_no_record_and_warns_once(name: str, breakage, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                       caplog: pytest.LogCaptureFixture,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out, warnings = run_batch(tmp_path, caplog, breakage)
    assert len(list(out.glob("*.json"))) == len(SAMPLE_NAMES), name
    assert len(warnings) == 1 and "llm cache" in warnings[0], warnings


def test_a_read_only_cache_is_read_but_not_written(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    made = tmp_path / "cache" / "llm"
    ResponseCache(made).close()  # a good database, then opened read-only
    real_connect = sqlite3.connect

    def read_only_connect(path: object, *args: object, **kwargs: object) -> sqlite3.Connection:
        return real_connect(f"file:{path}?mode=ro", *args, uri=True, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_module.sqlite3, "connect", read_only_connect)
    out, warnings = run_batch(tmp_path, caplog, lambda db: None)
    assert len(list(out.glob("*.json"))) == len(SAMPLE_NAMES)
    assert len(warnings) == 1 and "cannot be written" in warnings[0], warnings


def test_a_tampered_entry_touches_no_file(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    before = victim.stat()
    cache_dir = tmp_path / "cache" / "llm"
    cache = ResponseCache(cache_dir)
    cache.set("k", {"answer": {}})
    cache.close()
    db = sqlite3.connect(cache_dir / FILENAME)
    tampered = ["../../victim.txt", str(victim), json.dumps({"filename": "../../victim.txt"}), "[1, 2]", "{"]
    for i, value in enumerate(tampered):
        db.execute("INSERT OR REPLACE INTO responses VALUES (?, ?)", (f"t{i}", value))
    # A diskcache-style table beside it, with rows naming the victim: nothing here reads it.
    db.execute("CREATE TABLE Cache (rowid INTEGER PRIMARY KEY, key BLOB, raw INTEGER, store_time REAL, "
               "expire_time REAL, access_time REAL, access_count INTEGER, tag BLOB, size INTEGER, mode INTEGER, "
               "filename TEXT, value BLOB)")
    db.execute("INSERT INTO Cache (key, raw, mode, filename) VALUES ('k', 1, 2, '../../victim.txt')")
    db.commit()
    db.close()
    cache = ResponseCache(cache_dir)
    for i, value in enumerate(tampered):
        expected = {"filename": "../../victim.txt"} if value.startswith('{"') else None
        assert cache.get(f"t{i}") == expected  # a JSON object is data, never a path; anything else ignored
        cache.set(f"t{i}", {"answer": {"rewritten": i}})  # rewriting an entry deletes nothing
    cache.close()
    after = victim.stat()
    assert victim.read_text(encoding="utf-8") == "precious"
    assert (after.st_mtime_ns, after.st_size, after.st_ino) == (before.st_mtime_ns, before.st_size, before.st_ino)
    assert sorted(p.name for p in cache_dir.iterdir()) == [FILENAME]  # no side files


def test_empty_answers_are_not_cached(tmp_path: Path) -> None:
    from pipeline.config import Config
    from pipeline.extract import extract_document
    from pipeline.ingest import ingest

    doc = ingest(SAMPLES / SAMPLE_NAMES[3])
    with ScriptedServer([Rule("", [answer({})], repeat=True)]) as server:
        config = Config(model="m", base_url=server.base_url, cache_dir=tmp_path, max_retries=0)
        first = extract_document(doc, config)
        second = extract_document(doc, config)
    assert first.llm is not None and second.llm is not None
    assert first.llm.usage.cache_misses == second.llm.usage.cache_misses > 0 and second.llm.usage.cache_hits == 0
