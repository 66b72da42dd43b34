"""CI gate: the evaluation on the seeds and on the robustness suite stays at its committed level, and
the committed levels sit at what is measured (a level left far under the figure would let it fall)."""

from __future__ import annotations

import json

import pytest

from evals.cli import _check, check_levels, headline
from evals.robust import run_robust
from evals.run import evaluate
from tests.conftest import GOLD, ROOT, SAMPLES

BASELINE = json.loads((ROOT / "evals" / "baseline.json").read_text(encoding="utf-8"))
SLACK = 0.01  # a ratio level may sit this far under its measured figure, no further


def _at_measured(figures: dict, levels: dict) -> list[str]:
    return [f"{k}: measured {figures[k]:.4f}, committed {v}" for k, v in levels.items()
            if k not in ("n", "seed", "at_most") and figures.get(k) is not None and figures[k] - v > SLACK]


def test_seed_evaluation_at_or_above_the_committed_level():
    run = evaluate(GOLD, SAMPLES, None)[0]
    figures = headline(run)
    assert _check(run, "seeds", ROOT / "evals" / "baseline.json", None) == [], figures
    assert _at_measured(figures, BASELINE["seeds"]) == []


def test_robustness_suite_at_or_above_the_committed_level(tmp_path):
    settings = BASELINE["robust"]
    run = run_robust(settings["n"], seed=settings["seed"], out=tmp_path)
    figures = headline(run)
    assert _check(run, "robust", ROOT / "evals" / "baseline.json", None) == [], figures
    assert _at_measured(figures, settings) == []


@pytest.mark.parametrize("section", ["seeds", "robust"])
def test_every_figure_has_a_level(section):
    levels = BASELINE[section]
    needed = {"cell_accuracy", "meta_accuracy"} | ({"facts_precision", "facts_recall", "findings_precision",
                                                    "findings_recall", "problems_precision", "problems_recall"}
                                                   if section == "seeds" else set())
    assert needed <= set(levels)
    assert levels["at_most"] == {"blank_as_zero": 0, "ambiguous_wrong": 0, "failed": 0}
    assert BASELINE["tolerance"] == 0.0  # the deterministic path has no noise


@pytest.mark.parametrize(("figures", "failures"), [
    pytest.param({"cell_accuracy": 1.0, "blank_as_zero": 0.0}, 0, id="at-level"),
    pytest.param({"cell_accuracy": 0.999, "blank_as_zero": 0.0}, 1, id="below"),
    pytest.param({"cell_accuracy": 1.0, "blank_as_zero": 1.0}, 1, id="a-blank-read-as-zero"),
    pytest.param({"cell_accuracy": None, "blank_as_zero": None}, 2, id="not-measured"),
])
def test_check_levels(figures, failures):
    assert len(check_levels(figures, {"cell_accuracy": 1.0, "at_most": {"blank_as_zero": 0}})) == failures
