"""What a site is built from: the records of a batch's output folder and, optionally, their sources.

Records hold only `source.name` and `source.sha256`, so the source text comes from a folder given at
build time (`nianbao review OUT --sources DIR`): a file of that name anywhere under DIR, whose bytes
have that sha256 (else the offsets of the record would point into other text). Only excerpts around
the spans a page needs are embedded, so the site stays small and opens without the sources.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.core import IngestError
from pipeline.ingest import ORIGINAL_SUFFIXES, decode, ingest_bytes
from schemas import Record

CONTEXT = 160  # characters of context kept on each side of a span
QUOTE = re.compile(r'^[\w.]+: "(.+?)" — ')


@dataclass
class Loaded:
    """One record of the batch: its file, the validated record and its plain JSON."""

    path: Path
    record: Record
    data: dict[str, Any]
    text: str | None = None  # the decoded source, when found
    source_note: str = ""  # why there is no source text
    source: Path | None = None  # the source file the text came from

    @property
    def stem(self) -> str:
        return self.path.stem


@dataclass
class Batch:
    reports: list[Loaded] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files that are not records, with the reason


def load_batch(out_dir: Path, sources: Path | None = None) -> Batch:
    """Every `*.json` record under `out_dir`; files that are not valid records become `problems`."""
    batch = Batch()
    files = _source_files(sources) if sources else {}
    for path in sorted(out_dir.glob("*.json")):
        try:
            raw = path.read_bytes()
            data = json.loads(raw)
            record = Record.model_validate(data)
        except (OSError, ValueError, ValidationError) as exc:
            batch.problems.append(f"{path.name}: not a record ({type(exc).__name__}: {str(exc).splitlines()[0]})")
            continue
        loaded = Loaded(path, record, data)
        if sources is not None:
            loaded.text, loaded.source_note = _source_text(record, files)
            loaded.source = files[record.source.name] if loaded.text is not None else None
        else:
            loaded.source_note = "built without --sources"
        batch.reports.append(loaded)
    return batch


def _source_files(folder: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(folder.rglob("*")) if p.is_file()}


def _source_text(record: Record, files: dict[str, Path]) -> tuple[str | None, str]:
    path = files.get(record.source.name)
    if path is None:
        return None, f"{record.source.name} is not in the sources folder"
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != record.source.sha256:
        return None, f"{path} is not the file this record was made from (sha256 differs)"
    try:
        if path.suffix.lower() in ORIGINAL_SUFFIXES:  # PDF, Word: the text their readers made
            return ingest_bytes(record.source.name, data).text, ""
        return decode(record.source.name, data), ""
    except IngestError as exc:
        return None, f"{path}: {exc}"


def quote_span(text: str, message: str) -> tuple[int, int] | None:
    """The span of the sentence a narrative finding quotes (`rule: "…" — …`), if it is in the text."""
    m = QUOTE.match(message)
    if not m:
        return None
    start = text.find(m.group(1))
    return None if start < 0 else (start, start + len(m.group(1)))


def excerpts(text: str, spans: list[tuple[int, int]], context: int = CONTEXT) -> list[tuple[int, str]]:
    """Merged windows of `text` around `spans`: `[(start, text), ...]`, in order."""
    windows: list[list[int]] = []
    for start, end in sorted(spans):
        lo, hi = max(0, start - context), min(len(text), end + context)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    return [(lo, text[lo:hi]) for lo, hi in windows]
