"""Stage 6: write records and one-line summaries. Writes are atomic: a crash loses no finished file."""

from __future__ import annotations

import functools
import json
import os
import tempfile
from pathlib import Path

from schemas import Record

SUFFIXES = (".txt", ".md", ".html", ".htm", ".xhtml", ".pdf", ".docx", ".doc", ".wps")


def record_path(out_dir: Path, source: Path) -> Path:
    return Path(out_dir) / f"{Path(source).stem}.json"


def write_record(record: Record, path: Path) -> Path:
    text = json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2)
    return write_atomic(path, text + "\n")


def write_atomic(path: Path, text: str) -> Path:
    """Write `text` to `path` through a temporary file and a rename: a reader sees the old file or the
    new one, never half of one. The file gets the mode `open()` would give it (0666 less the umask)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it; put it straight back
    os.umask(mask)
    return mask


def is_done(path: Path, sha256: str, need_llm: bool = False) -> bool:
    """True when `path` holds a record of the same source bytes (for resumable batches) and, when
    `need_llm` (a model is configured), whose LLM step completed (`llm.status == "ok"`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not (isinstance(data, dict) and isinstance(data.get("source"), dict)
            and data["source"].get("sha256") == sha256):
        return False
    return not need_llm or (isinstance(data.get("llm"), dict) and data["llm"].get("status") == "ok")


def summary(record: Record) -> str:
    total = filled = 0
    for table in (record.active_disclosure, record.applications, record.review_litigation):
        if table is None:
            continue
        for row in table.model_dump().values():
            if isinstance(row, dict):
                total += len(row)
                filled += sum(1 for v in row.values() if v is not None)
    errors = sum(1 for f in record.findings if f.severity == "error")
    warnings = len(record.findings) - errors
    template = record.meta.template or "?"
    if not total:
        return f"{record.source.name}: no 年报 tables found; {len(record.sections)} sections, {len(record.facts)} facts"
    line = (f"{record.source.name}: template {template}, {filled}/{total} cells read, "
            f"{len(record.facts)} facts, {errors} errors, {warnings} warnings")
    if record.llm is not None:
        u = record.llm.usage
        line += f"; LLM {u.calls} calls, {u.prompt_tokens}+{u.completion_tokens} tokens, {u.cache_hits} cached"
        if record.llm.status != "ok":
            line += f", LLM step {record.llm.status}"
    return line


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; directories expanded to their report files, sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out
