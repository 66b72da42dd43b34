"""The figures script: its rows come from measuring, not from text (a small, fast part of it here)."""

from __future__ import annotations

from evals.figures import fuzz_counts, seeds


def test_seed_rows_state_the_measured_cells_and_findings():
    rows = seeds()
    assert [command for _, command, _ in rows] == ["`nianbao eval`", "`nianbao eval`"]
    assert rows[0][2].startswith("983/983 cells, meta 15/15, blank-read-as-zero 0")
    assert "error findings P 100.0% · R 71.4% (5 of 7 expected, 0 unexpected)" in rows[1][2]


def test_fuzz_counts_records_errors_and_crashes():
    assert fuzz_counts(12) == (12, 0, 0)
