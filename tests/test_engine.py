"""The Dask engine: the same 200-report batch on a Dask LocalCluster gives the records and the
dataset the local process pool gives, byte for byte."""

from __future__ import annotations

import duckdb
import pytest
from typer.testing import CliRunner

from evals.bench_batch import make_inputs
from pipeline.cli import app
from pipeline.dataset import COLUMNS
from tests.conftest import SAMPLE_NAMES, SAMPLES

pytest.importorskip("dask.distributed", reason="--engine dask needs `pip install 'nianbao[dask]'`")
runner = CliRunner()


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix in (".json", ".jsonl", ".parquet")}


def _tables(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [*COLUMNS, "agency_year_totals", "reports_with_errors"]
        return {n: con.execute(f"select * from {n} order by all").fetchall() for n in names}
    finally:
        con.close()


def test_dask_local_cluster_gives_identical_records_and_dataset(tmp_path):
    inputs = tmp_path / "in"
    assert make_inputs(inputs, 200) == 200
    local = runner.invoke(app, ["extract", str(inputs), "-o", str(tmp_path / "local"), "-j", "2", "-q"])
    dask = runner.invoke(app, ["extract", str(inputs), "-o", str(tmp_path / "dask"), "-j", "2", "-q",
                               "--engine", "dask"])
    assert local.exit_code == 0 and dask.exit_code == 0, local.output + dask.output
    assert "200 extracted, 0 skipped, 0 failed" in dask.output and "2 dask workers" in dask.output
    a, b = _files(tmp_path / "local"), _files(tmp_path / "dask")
    assert len([n for n in a if n.endswith(".json")]) == 200
    assert a.keys() == b.keys()
    assert [n for n in a if a[n] != b[n]] == []
    assert _tables(tmp_path / "local" / "dataset" / "nianbao.duckdb") == \
        _tables(tmp_path / "dask" / "dataset" / "nianbao.duckdb")


def test_a_running_scheduler_is_used_by_its_address(tmp_path):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = runner.invoke(app, ["extract", str(SAMPLES), "-o", str(tmp_path / "remote"), "-q",
                                     "--engine", "dask", "--scheduler", cluster.scheduler_address])
    local = runner.invoke(app, ["extract", str(SAMPLES), "-o", str(tmp_path / "local"), "-q", "-j", "1"])
    assert remote.exit_code == 0 and local.exit_code == 0, remote.output
    assert f"{len(SAMPLE_NAMES)} extracted" in remote.output
    assert _files(tmp_path / "remote") == _files(tmp_path / "local")


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["--engine", "spark"], "unknown engine 'spark'", id="unknown-engine"),
    pytest.param(["--scheduler", "tcp://127.0.0.1:8786"], "a scheduler address needs --engine dask",
                 id="scheduler-without-dask"),
])
def test_engine_options_are_checked(args, message):
    result = runner.invoke(app, ["extract", "samples", *args])
    assert result.exit_code == 2 and message in result.output
