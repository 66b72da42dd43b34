"""`nianbao eval` over folders of records, the baseline check, and `--compare`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from evals.cli import check_levels, eval_command
from evals.compare import compare

GOLD = {
    "source": {"name": "r1.txt"},
    "meta": {"agency": "某局", "year": 2020, "template": "2019"},
    "applications": {"granted": {"natural_person": 3, "total": None}},
    "facts": [{"section": "overview", "subject": "信息", "value": 8, "unit": "条", "quote": "8条", "start": 10, "end": 12}],
    "expected_findings": ["narrative.percent"],
}


def _record(natural: int | None, total: int | None, facts: bool, rules: list[str]) -> dict[str, Any]:
    return {
        "source": {"name": "r1.txt", "sha256": "0"},
        "meta": {"agency": "某局", "year": 2020, "template": "2019"},
        "applications": {"template": "2019", "granted": {"natural_person": natural, "total": total}},
        "facts": GOLD["facts"] if facts else [],
        "findings": [{"rule": r, "severity": "error", "message": "m"} for r in rules],
    }


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / name for name in ("gold", "a", "b", "out")}
    for p in paths.values():
        p.mkdir()
    (paths["gold"] / "r1.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    runs = {"a": _record(3, 0, False, ["narrative.percent"]), "b": _record(3, None, True, ["grounding"])}
    for name, record in runs.items():
        (paths[name] / "r1.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return paths


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(eval_command)
    return app


def test_eval_over_records_writes_three_reports(folders: dict[str, Path]) -> None:
    result = CliRunner().invoke(_cli(), ["--gold", str(folders["gold"]), "--records", str(folders["a"]),
                                         "--out", str(folders["out"])])
    assert result.exit_code == 0, result.output
    run = json.loads((folders["out"] / "eval.json").read_text(encoding="utf-8"))
    assert run["overall"]["cells"]["ok"] == 1 and run["overall"]["cells"]["errors"] == {"blank_as_zero": 1}
    assert (folders["out"] / "eval.md").exists() and (folders["out"] / "eval.html").exists()
    assert "blank_as_zero" in result.output


def test_min_cell_accuracy_fails_the_run(folders: dict[str, Path]) -> None:
    args = ["--gold", str(folders["gold"]), "--records", str(folders["a"]), "--out", str(folders["out"])]
    result = CliRunner().invoke(_cli(), [*args, "--min-cell-accuracy", "0.9"])
    assert result.exit_code == 1
    baseline = folders["out"] / "baseline.json"
    baseline.write_text(json.dumps({"seeds": {"cell_accuracy": 0.5, "facts_recall": None}}), encoding="utf-8")
    assert CliRunner().invoke(_cli(), [*args, "--baseline", str(baseline)]).exit_code == 0


@pytest.mark.parametrize(
    ("figures", "levels", "failed"),
    [
        pytest.param({"cell_accuracy": 0.95}, {"cell_accuracy": 0.9}, 0, id="above"),
        pytest.param({"cell_accuracy": 0.85}, {"cell_accuracy": 0.9}, 1, id="below"),
        pytest.param({"cell_accuracy": None}, {"cell_accuracy": 0.9}, 1, id="missing-figure-fails"),
        pytest.param({"cell_accuracy": 0.1}, {"cell_accuracy": None, "n": True}, 0, id="unset-level-not-checked"),
    ],
)
def test_check_levels(figures: dict[str, Any], levels: dict[str, Any], failed: int) -> None:
    assert len(check_levels(figures, levels)) == failed


def test_compare_scored_record_folders(folders: dict[str, Path]) -> None:
    result = compare(folders["a"], folders["b"], folders["gold"])
    assert [c["path"] for c in result["cells"]["better"]] == ["applications.granted.total"]
    assert result["cells"]["worse"] == []
    assert [f["item"] for f in result["facts"]["better"]] == ["8条@10-12 8条"]
    worse = {f["item"] for f in result["findings"]["worse"]}
    assert worse == {"error narrative.percent", "error grounding"}  # lost a true finding, gained a false one
    assert result["headline"]["delta"]["cell_accuracy"] == pytest.approx(0.5)


def test_compare_eval_json_files_through_the_cli(folders: dict[str, Path]) -> None:
    for name in ("a", "b"):
        out = folders["out"] / name
        CliRunner().invoke(_cli(), ["--gold", str(folders["gold"]), "--records", str(folders[name]), "--out", str(out)])
    result = CliRunner().invoke(_cli(), ["--compare", str(folders["out"] / "a" / "eval.json"),
                                         str(folders["out"] / "b" / "eval.json"), "--out", str(folders["out"])])
    assert result.exit_code == 0, result.output
    assert "cells: better (1)" in result.output
    assert json.loads((folders["out"] / "compare.json").read_text(encoding="utf-8"))["scored"] is True


def test_compare_record_folders_without_gold_lists_changes(folders: dict[str, Path]) -> None:
    result = compare(folders["a"], folders["b"])
    assert result["scored"] is False
    assert result["cells"]["changed"] == [{"report": "r1", "path": "applications.granted.total", "a": 0, "b": None}]
    assert {"report": "r1", "added": "grounding "} in result["findings"]["changed"]
