"""The analyst's dataset of a batch, beside the per-report records.

    OUT/records.jsonl                one record per line (compact JSON), in input order
    OUT/dataset/<table>.parquet      reports, cells, findings, facts, pairs
    OUT/dataset/nianbao.duckdb       the same tables + views agency_year_totals, reports_with_errors
    OUT/dataset/csv/<table>.csv      with `csv=True`

Column names are stable (documented in README, "Batches and the dataset"). Records are read one
at a time and their rows streamed to temporary CSV files that DuckDB loads, so memory stays flat.
Every file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.core import OutputError
from pipeline.crossyear import Pairing, agency_key

TABLES_IN_RECORD = ("active_disclosure", "applications", "review_litigation")
KEY = "report VARCHAR, agency VARCHAR, year INTEGER"
COLUMNS: dict[str, str] = {
    "reports": f"{KEY}, record VARCHAR, name VARCHAR, sha256 VARCHAR, agency_key VARCHAR, template VARCHAR, "
               "title VARCHAR, cells INTEGER, cells_read INTEGER, errors INTEGER, warnings INTEGER, facts INTEGER, "
               "pipeline VARCHAR",
    "cells": f"{KEY}, template VARCHAR, table_name VARCHAR, row_name VARCHAR, column_name VARCHAR, value DOUBLE, "
             "span_start INTEGER, span_end INTEGER, read_by VARCHAR",
    "findings": f"{KEY}, rule VARCHAR, severity VARCHAR, cells VARCHAR, expected DOUBLE, found DOUBLE, message VARCHAR",
    "facts": f"{KEY}, section VARCHAR, subject VARCHAR, value DOUBLE, unit VARCHAR, quote VARCHAR, "
             "span_start INTEGER, span_end INTEGER",
    "pairs": "agency_key VARCHAR, prev_report VARCHAR, prev_year INTEGER, next_report VARCHAR, next_year INTEGER",
}
MEMORY_LIMIT = "128MB"
TOTALS = {  # agency_year_totals: column -> cell path
    "new_received": "applications.new_received.total", "carried_over": "applications.carried_over.total",
    "total_processed": "applications.total_processed.total", "carried_forward": "applications.carried_forward.total",
    "granted": "applications.granted.total", "review": "review_litigation.review.total",
    "litigation_direct": "review_litigation.litigation_direct.total",
    "litigation_after_review": "review_litigation.litigation_after_review.total",
}


def write_dataset(records: Iterable[Path], out: Path, pairing: Pairing | None = None, csv: bool = False) -> Path:
    """Write records.jsonl and OUT/dataset/ from the record files `records`; returns the folder."""
    out = Path(out)
    folder = out / "dataset"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".build.") as tmp:
        staging = Path(tmp)
        reports = _stream(records, out, staging)
        _write_pairs(pairing, reports, staging)
        _load(staging, csv)
        for item in sorted(staging.iterdir()):
            if item.suffix in (".parquet", ".duckdb") or item.name == "csv":
                _replace(item, folder / item.name)
        os.replace(staging / "records.jsonl", out / "records.jsonl")
    return folder


def _replace(src: Path, dst: Path) -> None:
    if dst.is_dir():
        shutil.rmtree(dst)
    os.replace(src, dst)


Seen = dict[str, tuple[str, int | None, str]]


def _stream(records: Iterable[Path], out: Path, staging: Path) -> Seen:
    """Records → records.jsonl + one CSV per table. Returns record path -> (report, year, agency key)."""
    seen: Seen = {}
    writers = {name: _CsvFile(staging / f"{name}.csv") for name in COLUMNS if name != "pairs"}
    with open(staging / "records.jsonl", "w", encoding="utf-8") as jsonl:
        for path in records:
            text, data = _read(path)
            compact = text.count("\n") == 1 and text.endswith("\n")  # as the batch writes it by default
            jsonl.write(text if compact else json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
            key = _key(data)
            seen[str(path)] = (key[0], key[2], agency_key(key[1]))
            rows = _rows(data, key, Path(path).relative_to(out).as_posix())
            for name, table_rows in rows.items():
                writers[name].write(table_rows)
    for writer in writers.values():
        writer.close()
    return seen


def _read(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: record not readable for the dataset ({exc})", path=str(path)) from exc
    if not isinstance(data, dict):
        raise OutputError(f"{path}: not a record (a JSON object)", path=str(path))
    return text, data


class _CsvFile:
    def __init__(self, path: Path) -> None:
        self.fh = open(path, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.fh)

    def write(self, rows: Iterable[Iterable[Any]]) -> None:
        self.writer.writerows(rows)

    def close(self) -> None:
        self.fh.close()


def _key(data: dict[str, Any]) -> tuple[str, str | None, int | None]:
    source, meta = data.get("source") or {}, data.get("meta") or {}
    return source.get("path") or source.get("name", ""), meta.get("agency"), meta.get("year")


def _rows(data: dict[str, Any], key: tuple[str, str | None, int | None], record: str) -> dict[str, list[list[Any]]]:
    cells = list(_cells(data, key))
    findings = data.get("findings") or []
    errors = sum(1 for f in findings if f.get("severity") == "error")
    meta, source = data.get("meta") or {}, data.get("source") or {}
    report = [*key, record, source.get("name"), source.get("sha256"), agency_key(key[1]), meta.get("template"),
              meta.get("title"), len(cells), sum(1 for c in cells if c[7] is not None), errors,
              len(findings) - errors, len(data.get("facts") or []), data.get("pipeline")]
    return {
        "reports": [report],
        "cells": cells,
        "findings": [[*key, f["rule"], f["severity"], " ".join(f.get("cells") or []), f.get("expected"),
                      f.get("found"), f["message"]] for f in findings],
        "facts": [[*key, f["section"], f["subject"], f["value"], f["unit"], f["quote"], f["start"], f["end"]]
                  for f in data.get("facts") or []],
    }


def _cells(data: dict[str, Any], key: tuple[str, str | None, int | None]) -> Iterator[list[Any]]:
    provenance = data.get("provenance") or {}
    by_llm = set((data.get("llm") or {}).get("cells") or {})
    template = (data.get("meta") or {}).get("template")
    for table in TABLES_IN_RECORD:
        for row, columns in (data.get(table) or {}).items():
            if not isinstance(columns, dict):
                continue
            for column, value in columns.items():
                path = f"{table}.{row}.{column}"
                span = provenance.get(path) or {}
                yield [*key, template, table, row, column, value, span.get("start"), span.get("end"),
                       "llm" if path in by_llm else "parser"]


def _write_pairs(pairing: Pairing | None, reports: Seen, staging: Path) -> None:
    writer = _CsvFile(staging / "pairs.csv")
    for prev, nxt in (pairing.pairs if pairing else []):
        if prev in reports and nxt in reports:
            writer.write([[reports[prev][2], reports[prev][0], reports[prev][1], reports[nxt][0], reports[nxt][1]]])
    writer.close()


def _load(staging: Path, csv: bool) -> None:
    import duckdb

    db = staging / "nianbao.duckdb"
    con = duckdb.connect(str(db))
    try:
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")  # spills to disk: memory stays flat as batches grow
        con.execute(f"SET temp_directory = '{staging / 'spill'}'")
        for name, columns in COLUMNS.items():
            types = "{" + ", ".join(f"'{c.split()[0]}': '{c.split()[1]}'" for c in columns.split(", ")) + "}"
            source = f"read_csv('{staging / name}.csv', header=false, columns={types}, delim=',', quote='\"', escape='\"', auto_detect=false)"
            select = "* REPLACE (CASE WHEN coalesce(cells, '') = '' THEN []::VARCHAR[] ELSE string_split(cells, ' ') END AS cells)"
            con.execute(f"CREATE TABLE {name} AS SELECT {select if name == 'findings' else '*'} FROM {source}")
            con.execute(f"COPY {name} TO '{staging / name}.parquet' (FORMAT parquet)")
        _views(con)
        if csv:
            (staging / "csv").mkdir()
            for name in COLUMNS:
                con.execute(f"COPY {name} TO '{staging / 'csv' / name}.csv' (HEADER, DELIMITER ',')")
    finally:
        con.close()
    for name in COLUMNS:
        (staging / f"{name}.csv").unlink()


def _views(con: Any) -> None:
    sums = ", ".join(f"sum(c.value) FILTER (WHERE c.table_name || '.' || c.row_name || '.' || c.column_name = '{path}') "
                     f"AS {col}" for col, path in TOTALS.items())
    con.execute(f"""CREATE VIEW agency_year_totals AS
        WITH r AS (SELECT agency_key, any_value(agency) AS agency, year, count(*)::INTEGER AS reports,
                          sum(errors)::INTEGER AS errors, sum(warnings)::INTEGER AS warnings
                   FROM reports GROUP BY agency_key, year),
             t AS (SELECT p.agency_key, p.year, {sums} FROM cells c JOIN reports p ON c.report = p.report
                   GROUP BY p.agency_key, p.year)
        SELECT r.*, t.* EXCLUDE (agency_key, year) FROM r LEFT JOIN t USING (agency_key, year)
        ORDER BY agency_key, year""")
    con.execute("""CREATE VIEW reports_with_errors AS
        SELECT r.report, r.agency, r.year, r.errors, list(DISTINCT f.rule ORDER BY f.rule) AS rules
        FROM reports r JOIN findings f ON f.report = r.report AND f.severity = 'error'
        GROUP BY r.report, r.agency, r.year, r.errors ORDER BY r.report""")
