"""The real published reports in evals/real/ (hand-made gold): every determinable cell, the meta,
the expected findings and no error finding the gold does not list. Issue 7's acceptance test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.extract import extract
from tests.conftest import ROOT

REAL = ROOT / "evals" / "real"
GOLDS = sorted(REAL.glob("*.json"))
TABLES = ("active_disclosure", "applications", "review_litigation")


def _cells(tables: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for table in TABLES:
        for row, fields in (tables.get(table) or {}).items():
            if isinstance(fields, dict):
                out.update({f"{table}.{row}.{name}": value for name, value in fields.items()})
    return out


def _record(gold_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    source = REAL / gold["source"]["name"]
    return gold, extract(source).model_dump(mode="json")


@pytest.mark.parametrize("gold_path", GOLDS, ids=[p.stem for p in GOLDS])
def test_every_determinable_cell(gold_path):
    gold, record = _record(gold_path)
    ambiguous = set(gold.get("ambiguous", []))
    got = _cells(record)
    wrong = []
    for path, value in _cells(gold).items():
        ok = got.get(path) in (None, value) if path in ambiguous else path in got and got[path] == value
        if not ok:
            wrong.append(f"{path}: gold {value}, got {got.get(path, 'absent')}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("gold_path", GOLDS, ids=[p.stem for p in GOLDS])
def test_meta(gold_path):
    gold, record = _record(gold_path)
    for key in ("agency", "year", "template"):
        assert record["meta"][key] == gold["meta"][key], key


@pytest.mark.parametrize("gold_path", GOLDS, ids=[p.stem for p in GOLDS])
def test_expected_findings_and_no_undeserved_error(gold_path):
    gold, record = _record(gold_path)
    expected = {f if isinstance(f, str) else f["rule"] for f in gold.get("expected_findings", [])}
    rules = {f["rule"] for f in record["findings"]}
    errors = {f["rule"] for f in record["findings"] if f["severity"] == "error"}
    assert expected <= rules, f"missing {expected - rules}"
    assert errors <= expected, f"undeserved errors {errors - expected}"
