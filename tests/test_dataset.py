"""The batch dataset: records.jsonl, one row per cell and per finding, documented columns, the
views, CSV on request, and the README's DuckDB and pandas one-liners."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.dataset import COLUMNS, write_dataset
from tests.conftest import ROOT, SAMPLE_NAMES, SAMPLES

runner = CliRunner()


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dataset")
    result = runner.invoke(app, ["extract", str(SAMPLES), "-o", str(tmp / "out"), "-j", "2", "-q", "--csv"])
    assert result.exit_code == 0, result.output
    return tmp


def _records(out):
    return [json.loads((out / n.replace(".txt", ".json")).read_text(encoding="utf-8")) for n in SAMPLE_NAMES]


def _cells_of(record) -> int:
    return sum(len(cols) for t in ("active_disclosure", "applications", "review_litigation")
               for cols in (record.get(t) or {}).values() if isinstance(cols, dict))


def _sql(out, query):
    con = duckdb.connect(str(out / "dataset" / "nianbao.duckdb"), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_records_jsonl_holds_every_record_in_input_order(batch_out):
    lines = (batch_out / "out" / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == _records(batch_out / "out")


def test_one_row_per_cell_and_per_finding(batch_out):
    out = batch_out / "out"
    records = _records(out)
    for record in records:
        report = record["source"]["path"]
        assert _sql(out, f"select count(*) from cells where report = '{report}'") == [(_cells_of(record),)]
        assert _sql(out, f"select count(*) from findings where report = '{report}'") == [(len(record["findings"]),)]
        assert _sql(out, f"select count(*) from facts where report = '{report}'") == [(len(record["facts"]),)]
    assert sum(_cells_of(r) for r in records) == 992  # 198 × 4 (2019 form) + 200 (2021 form)


def test_a_cell_row_carries_its_value_span_and_reader(batch_out):
    out = batch_out / "out"
    record = _records(out)[4]  # 004: granted total is printed in the source
    span = record["provenance"]["applications.granted.total"]
    row = _sql(out, "select value, span_start, span_end, read_by, template, year from cells where report = "
                    f"'{record['source']['path']}' and table_name = 'applications' and row_name = 'granted' "
                    "and column_name = 'total'")
    assert row == [(record["applications"]["granted"]["total"], span["start"], span["end"], "parser", "2019",
                    record["meta"]["year"])]


def test_blank_cells_are_null_rows_not_zero(batch_out):
    out = batch_out / "out"
    record = _records(out)[0]  # 000: a damaged table, most cells unread
    nulls = sum(1 for t in ("active_disclosure", "applications", "review_litigation")
                for cols in (record.get(t) or {}).values() if isinstance(cols, dict)
                for v in cols.values() if v is None)
    assert nulls > 100
    assert _sql(out, f"select count(*) from cells where report = '{record['source']['path']}' and value is null") \
        == [(nulls,)]


def test_findings_keep_their_cells_as_a_list_and_the_error_view_lists_rules(batch_out):
    out = batch_out / "out"
    record = _records(out)[3]  # 003: narrative errors
    errors = sorted({f["rule"] for f in record["findings"] if f["severity"] == "error"})
    assert errors
    assert _sql(out, f"select rules from reports_with_errors where report = '{record['source']['path']}'") \
        == [(errors,)]
    first = record["findings"][0]
    assert _sql(out, f"select cells, message from findings where report = '{record['source']['path']}' limit 1") \
        == [(first["cells"], first["message"])]


def test_tables_have_the_documented_columns_in_parquet_csv_and_readme(batch_out):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for table, spec in COLUMNS.items():
        names = [c.split()[0] for c in spec.split(", ")]
        parquet = str(batch_out / "out" / "dataset" / f"{table}.parquet")
        assert [r[0] for r in duckdb.sql(f"describe select * from '{parquet}'").fetchall()] == names
        header = (batch_out / "out" / "dataset" / "csv" / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == names
        assert f"| `{table}` | {', '.join(names)} |" in readme


def test_agency_year_totals_sum_the_applications_totals(batch_out):
    out = batch_out / "out"
    record = _records(out)[1]
    row = _sql(out, "select reports, new_received, carried_forward from agency_year_totals "
                    f"where agency = '{record['meta']['agency']}' and year = {record['meta']['year']}")
    apps = record["applications"]
    assert row == [(1, apps["new_received"]["total"], apps["carried_forward"]["total"])]


def _readme_one_liners() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Batches and the dataset")[1].split("\n## ")[0]
    return re.findall(r'^python -c ".*"$', section, flags=re.M)


def test_the_readme_one_liners_work(batch_out):
    lines = _readme_one_liners()
    assert len(lines) == 2 and "duckdb" in lines[0] and "pandas" in lines[1]
    outputs = []
    for line in lines:
        argv = shlex.split(line)
        done = subprocess.run([sys.executable, *argv[1:]], cwd=batch_out, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert "003_a929f22f00d6b349.txt" in outputs[0] and "narrative.percent" in outputs[0]
    read = sum(1 for r in _records(batch_out / "out") for cols in r["applications"].values()
               if isinstance(cols, dict) for v in cols.values() if v is not None)
    assert re.search(rf"applications\s+{read}\n", outputs[1])  # non-null cells of table 三 over the samples


def test_dataset_can_be_rebuilt_from_records_alone(batch_out, tmp_path):
    out = batch_out / "out"
    paths = [out / n.replace(".txt", ".json") for n in SAMPLE_NAMES]
    folder = write_dataset(paths[:2], out.parent / "out")  # rewrites in place, atomically
    assert _sql(out, "select count(*) from reports") == [(2,)]
    assert folder == out / "dataset"
    write_dataset(paths, out)
    assert _sql(out, "select count(*) from reports") == [(5,)]
