"""Run an evaluation: for each gold file, extract its input (or load a record already extracted),
score it, and sum the scores.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from evals.aggregate import summarise
from evals.score import gold_issues, score_report
from pipeline.core import NianbaoError

KINDS_FILE = Path(__file__).with_name("kinds.json")
INPUT_SUFFIXES = (".txt", ".html", ".htm", ".md", ".pdf", ".docx", ".doc")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}
SCRIPTED_NOTE = ("LLM answers came from the scripted test server on this machine: the figures test the "
                 "pipeline's plumbing, they are NOT model accuracy.")
Extractor = Callable[[Path], Any]


def load_golds(gold_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    return [(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(Path(gold_dir).glob("*.json"))]


def source_name(gold_path: Path, gold: dict[str, Any]) -> str:
    return (gold.get("source") or {}).get("name") or gold_path.stem


def find_input(inputs: Path, name: str) -> Path | None:
    direct = Path(inputs) / name
    if direct.is_file():
        return direct
    stem = Path(name).stem
    return next((Path(inputs) / (stem + s) for s in INPUT_SUFFIXES if (Path(inputs) / (stem + s)).is_file()), None)


def read_text(path: Path) -> str | None:
    """The source text as the pipeline reads it (offsets are indices into this): the decoded text,
    or for a PDF/Word file the text its reader renders. None when the input cannot be read."""
    from pipeline.core import NianbaoError
    from pipeline.ingest import ingest

    try:
        return ingest(path).text
    except NianbaoError:
        return None


def damage_kind(name: str, text: str | None) -> str:
    """The kind of damage of a report: from evals/kinds.json, else guessed from its layout."""
    known = json.loads(KINDS_FILE.read_text(encoding="utf-8")) if KINDS_FILE.exists() else {}
    stem = Path(name).stem
    if stem in known:
        return str(known[stem])
    if Path(name).suffix.lower() in (".html", ".htm") or (text and "<table" in text[:20000].lower()):
        return "html"
    lines = (text or "").splitlines()
    if sum(1 for line in lines if line.rstrip().endswith(" |")) > 20:
        return "pipe_cells"
    if sum(1 for line in lines if line.count("\t") >= 4) > 10:
        return "tab_rows"
    if sum(1 for line in lines if line.startswith("\t")) > 20:
        return "tab_cells"
    return "cells"


def default_extractor(model: str | None = None) -> Extractor:
    from pipeline.config import Config
    from pipeline.extract import extract

    config = Config.from_env(model=model)
    return lambda path: extract(path, config)


def llm_label(model: str | None, base_url: str | None, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Say which LLM produced the run, and flag the scripted test server."""
    models = sorted({str(m) for r in records if (m := (r.get("llm") or {}).get("model"))})
    if not model and not models:
        return {"mode": "none", "models": [], "note": "deterministic path only (no LLM configured)"}
    host = urlparse(base_url or "").hostname or ""
    if host in LOOPBACK or any("scripted" in m for m in models):
        return {"mode": "scripted", "models": models, "note": SCRIPTED_NOTE}
    return {"mode": "live" if base_url or model else "unknown", "models": models,
            "note": "LLM path measured against the configured endpoint"}


def _extract_one(extractor: Extractor, path: Path) -> tuple[dict[str, Any] | None, float, str | None]:
    start = time.perf_counter()
    try:
        record = extractor(path)
    except NianbaoError as exc:
        return None, time.perf_counter() - start, f"{exc.stage}: {exc}"
    except Exception as exc:  # noqa: BLE001 - a crash on one report is a scored failure, not the end of the run
        return None, time.perf_counter() - start, f"crash: {type(exc).__name__}: {exc}"
    wall = time.perf_counter() - start
    return (record.model_dump(mode="json") if hasattr(record, "model_dump") else dict(record)), wall, None


def _load_record(records_dir: Path, name: str) -> tuple[dict[str, Any] | None, str | None]:
    path = Path(records_dir) / (Path(name).stem + ".json")
    if not path.is_file():
        return None, f"no record {path.name} in {records_dir}"
    return json.loads(path.read_text(encoding="utf-8")), None


def score_one(gold_path: Path, gold: dict[str, Any], inputs: Path | None, records_dir: Path | None,
              extractor: Extractor | None, severity: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    name = source_name(gold_path, gold)
    src = find_input(inputs, name) if inputs else None
    text = read_text(src) if src else None
    wall: float | None = None
    if records_dir is not None:
        record, error = _load_record(records_dir, name)
    elif src is None or extractor is None:
        record, error = None, f"no input for {name} in {inputs}"
    else:
        record, wall, error = _extract_one(extractor, src)
    scored = score_report(gold, record or {"source": {"name": name}}, kind=damage_kind(name, text),
                          severity=severity)
    scored.update(name=name, error=error, gold_file=gold_path.name, gold_issues=gold_issues(gold, text))
    scored["cost"]["wall_s"] = wall
    return scored, record


def evaluate(gold_dir: Path, inputs: Path | None = None, records_dir: Path | None = None, *,
             model: str | None = None, extractor: Extractor | None = None,
             severity: str = "all") -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Score every gold file in `gold_dir`; return the run (JSON-ready) and the records by name."""
    if records_dir is None and extractor is None:
        extractor = default_extractor(model)
    reports, records = [], {}
    for gold_path, gold in load_golds(gold_dir):
        scored, record = score_one(gold_path, gold, inputs, records_dir, extractor, severity)
        reports.append(scored)
        if record is not None:
            records[scored["name"]] = record
    from pipeline.config import Config

    base_url = Config.from_env().base_url if records_dir is None else None
    run = {
        "run": {"mode": "records" if records_dir is not None else "extract", "gold": str(gold_dir),
                "inputs": str(inputs) if inputs else None, "records": str(records_dir) if records_dir else None,
                "finished": datetime.now(UTC).isoformat(timespec="seconds"), "severity": severity,
                "llm": llm_label(model, base_url, list(records.values()))},
        "overall": summarise(reports),
        "reports": [{**r, "summary": summarise([r])} for r in reports],
    }
    return run, records
