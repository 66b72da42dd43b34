"""Damaged and hostile input: each case asserts the record it must give or the error it must raise
(a small, seeded version of the fuzzing), and the resource bombs end within seconds under a memory bound."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
import textwrap

import pytest

from evals.damage import KINDS, damage, one_paragraph, span_bomb
from pipeline.extract import extract_document
from pipeline.ingest import ingest_bytes
from schemas import Record
from tests.conftest import ROOT, SAMPLE_NAMES, SAMPLES


def _honest(record: Record, text: str, data: bytes) -> None:
    """What every record of damaged input must still be: of these bytes, every span inside the text, and
    every cell value written at its provenance span (no `grounding` error)."""
    assert record.source.sha256 == hashlib.sha256(data).hexdigest()
    assert all(0 <= s.start <= s.end <= len(text) for s in record.sections)
    assert all(0 <= span.start <= span.end <= len(text) for span in record.provenance.values())
    assert not [f for f in record.findings if f.rule == "grounding"]


def _cells(record: Record) -> dict[str, object]:
    out = {}
    for table in ("active_disclosure", "applications", "review_litigation"):
        for row, values in (getattr(record, table).model_dump() if getattr(record, table) else {}).items():
            if isinstance(values, dict):
                out.update({f"{table}.{row}.{col}": v for col, v in values.items()})
    return out


# Damage that keeps every number with its own label: whatever cell is read must be what the intact report
# gives (a cell may be lost, never changed). Shuffled or dropped lines can pair a label with another row's
# numbers, and changed digits change values: those records are only held to `_honest`.
KEEPS_PAIRS = {"truncated", "one-line", "noise"}


@pytest.mark.parametrize("kind", KINDS)
def test_damaged_samples_give_an_honest_record(kind):
    rng = random.Random(kind)
    for name in SAMPLE_NAMES:
        source = (SAMPLES / name).read_text(encoding="utf-8")
        text = damage(source, kind, rng)
        data = text.encode("utf-8")
        record = extract_document(ingest_bytes(name, data))
        _honest(record, text, data)
        if kind in KEEPS_PAIRS:
            intact = _cells(extract_document(ingest_bytes(name, source.encode("utf-8"))))
            changed = {k: (v, intact.get(k)) for k, v in _cells(record).items() if v is not None and v != intact.get(k)}
            assert not changed, (name, changed)


def test_changed_digits_are_caught_by_the_arithmetic():
    """Re-digited tables: every sample's record reports at least one arithmetic error, never silence."""
    rng = random.Random("digits-changed")
    for name in SAMPLE_NAMES:
        text = damage((SAMPLES / name).read_text(encoding="utf-8"), "digits-changed", rng)
        record = extract_document(ingest_bytes(name, text.encode("utf-8")))
        assert any(f.severity == "error" and f.rule.startswith("applications.") for f in record.findings), name


_NO_TABLES = ["active_disclosure", "applications", "review_litigation"]


@pytest.mark.parametrize(("html", "sections"), [
    pytest.param("<html><body><![if !supportLists]><p>一、总体情况</p><![i <table><tr><td>1", ["overview"],
                 id="bad-marked-section"),
    pytest.param("<table><tr><td rowspan=99999 colspan=abc>规章</td><td>0</td></tr>", [], id="absurd-spans"),
    pytest.param("<table>" * 50 + "<tr><td>行政许可</td><td>5</td></tr>", [], id="unclosed-nesting"),
    pytest.param("<p>一、总体情况</p><p>&#99999999999999999999;收到申请5件。</p>", ["overview"], id="charref-overflow"),
])
def test_malformed_html_gives_a_record_without_tables(html, sections):
    record = extract_document(ingest_bytes("p.html", html.encode("utf-8")))
    assert [s.key for s in record.sections] == sections
    assert all(getattr(record, t) is None for t in _NO_TABLES)
    missing = {f.message.split(":")[0] for f in record.findings if f.rule == "tables.missing"}
    assert set(_NO_TABLES) <= missing


def test_charref_overflow_keeps_the_rest_of_the_page():
    html = "<p>一、总体情况</p><p>&#99999999999999999999;共收到申请5件。</p>"
    record = extract_document(ingest_bytes("p.html", html.encode("utf-8")))
    assert [(f.value, f.unit) for f in record.facts] == [(5, "件")]


# ---- resource bombs: run in a child process under an address-space limit -----------------------

MEMORY_LIMIT = 2 * 1024**3  # RLIMIT_AS of the child: a regression fails with MemoryError, not the OOM killer
RSS_BOUND_MB = 700  # what the child may have used at most (measured: about 100 MB bomb, 300 MB 19 MB prose)
TIME_BOUND_S = 60  # wall clock, generous for a loaded CI machine (measured: under 1 s and about 3 s)

_CHILD = textwrap.dedent("""
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from pipeline.extract import extract_document
    from pipeline.ingest import ingest_bytes
    name, data = sys.argv[1], open(sys.argv[2], "rb").read()
    record = extract_document(ingest_bytes(name, data))
    size = len(json.dumps(record.model_dump(mode="json"), ensure_ascii=False).encode())
    print(json.dumps({{"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "record_bytes": size,
                      "facts": len(record.facts), "rules": sorted({{f.rule for f in record.findings}})}}))
""").format(limit=MEMORY_LIMIT)


def _run_bounded(tmp_path, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", _CHILD, name, str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=TIME_BOUND_S)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict = json.loads(done.stdout)
    assert result["rss_mb"] < RSS_BOUND_MB, result
    return result


def test_span_bomb_ends_within_seconds_under_the_memory_bound(tmp_path):
    result = _run_bounded(tmp_path, "bomb.html", span_bomb())
    assert "tables.missing" in result["rules"]


def test_nineteen_mb_paragraph_ends_within_seconds_with_a_bounded_record(tmp_path):
    data = one_paragraph()
    assert len(data) > 19e6
    result = _run_bounded(tmp_path, "long.txt", data)
    assert "prose.limit" in result["rules"]  # the record says the finders stopped
    assert result["record_bytes"] < 5e6 and result["facts"] > 1000
