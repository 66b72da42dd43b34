"""The batch runner: find the inputs, run one worker per report in a process pool (or on a Dask
cluster), resume, show progress, then the cross-year checks and the dataset.

Every report runs in a worker process under a memory bound (RLIMIT_AS, set once per worker) and
a time bound (the pool kills a worker whose report runs too long and starts a new one); a report
over a bound fails alone and the batch goes on. Workers write their own record and return a small
`Outcome`, so the parent's memory does not grow with the records.
"""

from __future__ import annotations

import hashlib
import logging
import logging.handlers
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any, cast

from pipeline.config import Config
from pipeline.core import BatchError
from pipeline.crossyear import Pairing, ReportKey, apply_cross_year
from pipeline.output import (
    BatchProgress,
    Task,
    check_output,
    discover,
    remove_stale_temps,
)
from pipeline.worker import Job, LogOnce, Outcome, failed, run_job, worker_start

ROOT = Path(__file__).resolve().parent.parent


def pipeline_version() -> str:
    """`<package version>+<sha256 of the code, schemas and prompts>[:12]`: a resume key that moves
    whenever anything that shapes a record changes."""
    digest = hashlib.sha256()
    for folder in ("pipeline", "schemas", "prompts"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".toml", ".json") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    try:
        version = metadata.version("nianbao")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        version = "0"
    return f"{version}+{digest.hexdigest()[:12]}"


# ---- engines -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    jobs: int = 0  # 0: all cores
    engine: str = "local"  # "local" (process pool) or "dask"
    scheduler: str | None = None  # a Dask scheduler address; None: a LocalCluster on this machine
    timeout_s: float = 300.0
    max_memory_mb: int = 4096
    resume: bool = False
    pretty: bool = False
    quiet: bool = False
    dataset: bool = True
    csv: bool = False

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else len(os.sched_getaffinity(0))


def local_results(jobs: Iterator[Job], options: Options) -> Iterator[Outcome]:
    """A pebble process pool (workers forked from this process, modules already loaded): a per-task
    timeout, and a dead worker is replaced."""
    import multiprocessing

    from pebble import ProcessPool
    from pebble.common import ProcessExpired

    context = multiprocessing.get_context("fork")
    logs = context.Queue()
    listener = logging.handlers.QueueListener(logs, LogOnce())
    listener.start()
    pool = ProcessPool(max_workers=options.workers, initializer=worker_start,
                       initargs=(options.max_memory_mb, logs), context=context)
    try:
        yield from _drain(jobs, lambda j: pool.schedule(run_job, (j,), timeout=options.timeout_s),
                          lambda fs: wait(fs, return_when=FIRST_COMPLETED)[0],
                          lambda f, j: _result(f, j, options, ProcessExpired), options.workers * 4)
    except BaseException:  # Ctrl-C or an error: stop the workers now (records are atomic), do not wait
        pool.stop()
        pool.join()
        listener.stop()
        raise
    pool.close()
    pool.join()
    listener.stop()


def dask_results(jobs: Iterator[Job], options: Options) -> Iterator[Outcome]:
    """The same worker function on Dask distributed: `options.scheduler`, else a LocalCluster."""
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import wait as dask_wait
    except ImportError as exc:
        raise BatchError("--engine dask needs Dask: pip install 'nianbao[dask]'") from exc
    cluster = None
    if options.scheduler:
        client = Client(options.scheduler)
    else:
        cluster = LocalCluster(n_workers=options.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, memory_limit=f"{options.max_memory_mb}MiB")
        client = Client(cluster)
    try:
        window = 4 * max(1, sum(client.nthreads().values()))  # 4 reports in flight per worker thread
        yield from _drain(jobs, lambda j: client.submit(run_job, j, pure=False),
                          lambda fs: dask_wait(list(fs), return_when="FIRST_COMPLETED").done,
                          lambda f, j: _result(f, j, options, Exception), window)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _drain(jobs: Iterator[Job], submit: Callable[[Job], Any], wait_some: Callable[[Any], Any],
           collect: Callable[[Any, Job], Outcome], window: int) -> Iterator[Outcome]:
    """Keep at most `window` reports in flight (memory stays flat), yield outcomes as they finish."""
    pending: dict[Any, Job] = {}
    while True:
        while len(pending) < window and (job := next(jobs, None)) is not None:
            pending[submit(job)] = job
        if not pending:
            return
        for future in wait_some(pending):
            yield collect(future, pending.pop(future))


def _result(future: Any, job: Job, options: Options, expired: type[BaseException]) -> Outcome:
    try:
        return cast(Outcome, future.result())
    except FutureTimeout:
        return failed(job.task, f"ERROR (limit) took longer than {options.timeout_s:g} s (--timeout); stopped")
    except expired as exc:
        return failed(job.task, f"ERROR (limit) the worker died ({exc}); over the memory bound?")
    except Exception as exc:  # noqa: BLE001 - a lost worker fails its report, not the batch
        return failed(job.task, f"ERROR (worker) {type(exc).__name__}: {exc}")


# ---- the run -----------------------------------------------------------------------------------


@dataclass
class Totals:
    reports: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    errors: int = 0
    warnings: int = 0
    tokens: int = 0
    llm_incomplete: int = 0
    usage: dict[str, int] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    pairs: Pairing | None = None

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(replace(outcome, line="", usage={}))  # keep the small part only
        setattr(self, outcome.status, getattr(self, outcome.status) + 1)
        self.errors += outcome.errors
        self.warnings += outcome.warnings
        self.tokens += outcome.tokens
        self.llm_incomplete += outcome.llm_incomplete
        for name, value in outcome.usage.items():
            self.usage[name] = self.usage.get(name, 0) + value


def run_batch(paths: list[Path], out: Path, config: Config, options: Options) -> Totals:
    """Extract every input into OUT, then cross-year checks and the dataset. Raises `BatchError`
    (before any work) for a batch that cannot start."""
    tasks = discover(paths, out)
    check_output(out)
    remove_stale_temps(out)
    version = pipeline_version()
    jobs = (Job(t, config, version, options.resume, options.pretty) for t in tasks)
    engine = dask_results if options.engine == "dask" else local_results
    totals = Totals(reports=len(tasks))
    started = time.perf_counter()
    with BatchProgress(len(tasks), show_tokens=config.llm_enabled) as progress:
        for outcome in engine(jobs, options):
            totals.add(outcome)
            _echo(outcome, options.quiet)
            progress.update(totals)
    _after(tasks, totals, out, options)
    _echo_summary(totals, time.perf_counter() - started, options, config.llm_enabled)
    return totals


def _after(tasks: list[Task], totals: Totals, out: Path, options: Options) -> None:
    written = [o for o in totals.outcomes if o.status != "failed"]
    totals.pairs = apply_cross_year(ReportKey(o.target, o.agency, o.year) for o in written)
    if options.dataset:
        from pipeline.dataset import write_dataset

        order = {str(t.target): i for i, t in enumerate(tasks)}
        records = sorted((Path(o.target) for o in written), key=lambda p: order[str(p)])
        write_dataset(records, out, totals.pairs, csv=options.csv)


def _echo(outcome: Outcome, quiet: bool) -> None:
    if outcome.status == "failed":
        print(outcome.line, file=sys.stderr, flush=True)
    elif not quiet:
        print(outcome.line, flush=True)


def _echo_summary(totals: Totals, seconds: float, options: Options, llm: bool) -> None:
    if llm:
        print("LLM run totals: " + (", ".join(f"{k} {v}" for k, v in totals.usage.items()) or "no LLM calls"))
        if totals.llm_incomplete:
            print(f"{totals.llm_incomplete} record(s) without a complete LLM step (llm.status); "
                  "rerun with --resume to redo exactly those")
    rate = totals.reports / seconds if seconds > 0 else 0.0
    line = (f"nianbao: {totals.reports} reports in {seconds:.1f} s ({rate:.0f}/s, {options.workers} "
            f"{options.engine} workers): {totals.done} extracted, {totals.skipped} skipped, {totals.failed} failed; "
            f"{totals.errors} error and {totals.warnings} warning findings")
    if totals.pairs is not None:
        line += f"; cross-year: {len(totals.pairs.pairs)} pairs, {totals.pairs.findings} findings"
    if totals.tokens:
        line += f"; LLM tokens {totals.tokens}"
    print(line, flush=True)
