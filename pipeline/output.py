"""Stage 6: write records and one-line summaries. Writes are atomic: a crash loses no finished file.

A temporary file is named `.<target>.<pid>.<random>.tmp` in the target's folder and renamed over
the target when complete; `remove_stale_temps` deletes those left by a process that no longer runs
(a killed batch), and never one of a live process.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core import BatchError
from pipeline.ingest import SUPPORTED_SUFFIXES
from schemas import Record

SUFFIXES = tuple(sorted(SUPPORTED_SUFFIXES))
_TEMP = re.compile(r"^\..+\.(\d+)\.[^.]+\.tmp$")


def record_path(out_dir: Path, source: Path, relative: str | None = None) -> Path:
    """`OUT/<relative path without suffix>.json`; `relative` defaults to the source's file name."""
    rel = Path(relative) if relative else Path(Path(source).name)
    return Path(out_dir) / rel.with_suffix(".json")


def record_text(record: Record, pretty: bool = False) -> str:
    """Compact JSON by default (pydantic-core's encoder); indented for people with `pretty`."""
    return record.model_dump_json(indent=2 if pretty else None) + "\n"


def write_record(record: Record, path: Path, pretty: bool = False) -> Path:
    return write_text(path, record_text(record, pretty))


def write_text(path: Path, text: str) -> Path:
    """Write `text` to `path` atomically (temp file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_stale_temps(folder: Path) -> int:
    """Delete temporary files of writers that are no longer running; returns how many."""
    removed = 0
    for tmp in Path(folder).rglob(".*.tmp"):
        match = _TEMP.match(tmp.name)
        if match and not _alive(int(match.group(1))):
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_record_data(path: Path) -> dict[str, Any] | None:
    """The JSON object in `path`, or None when it is missing or not a complete JSON object."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_done(path: Path, sha256: str, pipeline: str | None = None, need_llm: bool = False) -> bool:
    """True when `path` holds a record of the same source bytes (and, if given, the same program) and,
    when `need_llm` (a model is configured), whose LLM step completed (`llm.status == "ok"`)."""
    data = read_record_data(path)
    return data is not None and done_data(data, sha256, pipeline, need_llm)


def done_data(data: dict[str, Any], sha256: str, pipeline: str | None, need_llm: bool = False) -> bool:
    source, llm = data.get("source"), data.get("llm")
    same_source = isinstance(source, dict) and source.get("sha256") == sha256
    same_program = pipeline is None or data.get("pipeline") == pipeline
    llm_done = not need_llm or (isinstance(llm, dict) and llm.get("status") == "ok")
    return same_source and same_program and llm_done


def summary(record: Record, label: str | None = None) -> str:
    """One line: `<label or file name>: template …, cells read, facts, errors, warnings[, LLM …]`."""
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
    name = label or record.source.name
    if not total:
        return f"{name}: no 年报 tables found; {len(record.sections)} sections, {len(record.facts)} facts"
    line = (f"{name}: template {template}, {filled}/{total} cells read, "
            f"{len(record.facts)} facts, {errors} errors, {warnings} warnings")
    if record.llm is not None:
        u = record.llm.usage
        line += f"; LLM {u.calls} calls, {u.prompt_tokens}+{u.completion_tokens} tokens, {u.cache_hits} cached"
        if record.llm.status != "ok":
            line += f", LLM step {record.llm.status}"
    return line


# ---- batch inputs and output folder -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    source: Path  # the file to read
    shown: str  # the path as found (argument + relative path): `Source.path`
    target: Path  # its record
    label: str  # the path relative to its folder argument (a file argument: its name): the lines printed


def discover(paths: list[Path], out: Path) -> list[Task]:
    """Files as given, folders searched for supported suffixes; record names from the path relative
    to the folder argument. Raises `BatchError` when nothing can be read or two inputs would write
    the same record."""
    tasks: list[Task] = []
    seen: set[Path] = set()
    for arg in paths:
        for source, relative in _files(arg):
            if source.resolve() not in seen:
                seen.add(source.resolve())
                tasks.append(Task(source, source.as_posix(), record_path(out, source, relative), relative))
    if not tasks:
        raise BatchError("no input files given", paths=[str(p) for p in paths])
    _refuse_collisions(tasks)
    return tasks


def _files(arg: Path) -> list[tuple[Path, str]]:
    if not arg.is_dir():
        return [(arg, arg.name)]
    found = sorted(f for f in arg.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
                   and not any(part.startswith(".") for part in f.relative_to(arg).parts))
    if not found:
        raise BatchError(f"{arg}: no report files in this folder (looked for {' '.join(sorted(SUPPORTED_SUFFIXES))})",
                         path=str(arg))
    return [(f, f.relative_to(arg).as_posix()) for f in found]


def _refuse_collisions(tasks: list[Task]) -> None:
    by_target: dict[Path, list[str]] = {}
    for task in tasks:
        by_target.setdefault(task.target, []).append(task.shown)
    clashes = {t: s for t, s in by_target.items() if len(s) > 1}
    if clashes:
        lines = [f"  {t}: {', '.join(s)}" for t, s in sorted(clashes.items())]
        raise BatchError("two inputs would write the same record; rename one or run them apart:\n" + "\n".join(lines),
                         clashes={str(t): s for t, s in clashes.items()})


def check_output(out: Path) -> None:
    """Refuse, before any work, an output path that is a file or a folder that cannot be written."""
    if out.exists() and not out.is_dir():
        raise BatchError(f"output path {out} is a file, not a folder", path=str(out))
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".nianbao-write-test.{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BatchError(f"output folder {out} cannot be written: {exc.strerror or exc}", path=str(out)) from exc


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; directories expanded to their report files, sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out


class BatchProgress:
    """A `rich` progress bar on stderr (only on a terminal): done, failed, findings, tokens, ETA."""

    def __init__(self, total: int, show_tokens: bool = False) -> None:
        import sys

        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(file=sys.stderr)
        columns = [BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[status]}"), TimeRemainingColumn()]
        self._progress = Progress(*columns, console=console, disable=not console.is_terminal)
        self._task = self._progress.add_task("reports", total=total, status="")
        self._tokens = show_tokens

    def __enter__(self) -> BatchProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, totals: Any) -> None:
        status = (f"failed {totals.failed} · findings {totals.errors} err {totals.warnings} warn"
                  + (f" · tokens {totals.tokens}" if self._tokens else ""))
        self._progress.update(self._task, completed=totals.done + totals.skipped + totals.failed, status=status)
