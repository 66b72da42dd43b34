"""CI gate: the evaluation on the seeds and on the robustness suite stays at its committed level."""

from __future__ import annotations

import json

from evals.cli import _check, headline
from evals.robust import run_robust
from evals.run import evaluate
from tests.conftest import GOLD, ROOT, SAMPLES

BASELINE = json.loads((ROOT / "evals" / "baseline.json").read_text(encoding="utf-8"))


def test_seed_evaluation_at_or_above_the_committed_level():
    run = evaluate(GOLD, SAMPLES, None)[0]
    assert _check(run, "seeds", ROOT / "evals" / "baseline.json", None) == [], headline(run)


def test_robustness_suite_at_or_above_the_committed_level(tmp_path):
    settings = BASELINE["robust"]
    run = run_robust(settings["n"], seed=settings["seed"], out=tmp_path)
    figures = headline(run)
    assert _check(run, "robust", ROOT / "evals" / "baseline.json", None) == [], figures
