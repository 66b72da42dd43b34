"""The batch's per-report worker: one report from file to written record, in a worker process
(or a Dask worker). Never raises: a failure is an `Outcome` with a clear message.

`Job` and `Outcome` are what travels between the parent and a worker: a task and its settings in,
a small summary out (the record itself stays on disk), so the parent's memory does not grow with
the records.
"""

from __future__ import annotations

import logging
import logging.handlers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.core import NianbaoError
from pipeline.extract import extract_document
from pipeline.ingest import ingest
from pipeline.output import Task, done_data, read_record_data, summary, write_record


@dataclass(frozen=True)
class Job:
    task: Task
    config: Config
    pipeline: str
    resume: bool = False
    pretty: bool = False


@dataclass
class Outcome:
    shown: str
    target: str
    status: str  # "done" | "skipped" | "failed"
    line: str
    agency: str | None = None
    year: int | None = None
    errors: int = 0
    warnings: int = 0
    usage: dict[str, int] = field(default_factory=dict)  # the record's llm.usage
    llm_incomplete: bool = False  # a model is configured and the record's LLM step did not complete

    @property
    def tokens(self) -> int:
        return self.usage.get("prompt_tokens", 0) + self.usage.get("completion_tokens", 0)


def run_job(job: Job) -> Outcome:
    """One report, start to finish, in a worker. Never raises: a failure is an `Outcome`."""
    task = job.task
    try:
        return _run(job)
    except NianbaoError as exc:
        return failed(task, f"ERROR ({exc.stage}) {exc}")
    except MemoryError:
        return failed(task, "ERROR (limit) over the worker's memory bound (--max-memory); report skipped")
    except RecursionError:
        return failed(task, "ERROR (limit) nesting too deep to process; report skipped")
    except Exception as exc:  # noqa: BLE001 - one bad report must not stop a batch
        return failed(task, f"ERROR (internal) {type(exc).__name__}: {exc}")


def _run(job: Job) -> Outcome:
    task = job.task
    doc = ingest(task.source)
    if job.resume:
        data = read_record_data(task.target)
        if data is not None and done_data(data, doc.sha256, job.pipeline, need_llm=job.config.llm_enabled):
            meta = data.get("meta") or {}
            return Outcome(task.shown, str(task.target), "skipped", f"{task.label}: already done, skipped",
                           meta.get("agency"), meta.get("year"))
    record = extract_document(doc, job.config)
    record.source.path = task.shown
    record.pipeline = job.pipeline
    write_record(record, task.target, job.pretty)
    errors = sum(1 for f in record.findings if f.severity == "error")
    usage = record.llm.usage.model_dump() if record.llm else {}
    return Outcome(task.shown, str(task.target), "done", summary(record, task.label), record.meta.agency,
                   record.meta.year, errors, len(record.findings) - errors, usage,
                   record.llm is not None and record.llm.status != "ok")


def failed(task: Task, message: str) -> Outcome:
    return Outcome(task.shown, str(task.target), "failed", f"{task.label}: {message}")


def worker_start(max_mb: int, logs: Any) -> None:
    """Worker initializer: send log records to the parent (`logs`, a queue), and cap the address
    space at what the loaded program uses + `max_mb`, so one report cannot exhaust the machine (an
    allocation past it raises MemoryError in that report)."""
    import logging.handlers

    logging.getLogger().handlers = [logging.handlers.QueueHandler(logs)]
    if max_mb > 0:
        import resource

        limit = _address_space() + max_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class LogOnce(logging.Handler):
    """Re-emits the workers' log records in this process, each distinct message once (a warning
    such as "the LLM cache cannot be written" comes from every worker)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[str, int, str]] = set()

    def emit(self, record: logging.LogRecord) -> None:
        key = (record.name, record.levelno, record.getMessage())
        if key not in self.seen:
            self.seen.add(key)
            logging.getLogger(record.name).handle(record)


def _address_space() -> int:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:  # pragma: no cover - not Linux
        return 0
    return next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmSize:")), 0)
