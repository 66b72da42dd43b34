"""The `nianbao` command."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from pipeline.config import LIMITS, Config
from pipeline.core import BatchError, ConfigError, NianbaoError
from schemas import Record

if TYPE_CHECKING:
    from pipeline.batch import Options


class _Named:
    """Help that shows value names (PATH, DIR, N, json|tools) where typer would print Python types
    (`<list[Path]>`, `<bool>`)."""

    params: list[Any]

    def _name_params(self) -> None:
        for param in self.params:
            _name_values(param)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            _name_values(option)
        return option


class _Command(_Named, TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._name_params()


class _Group(_Named, TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._name_params()


def _name_values(param: Any) -> None:
    if hasattr(param, "display_type_rich") and not isinstance(param.display_type_rich, functools.partial):
        param.display_type_rich = functools.partial(_value_name, param, param.display_type_rich)


def _value_name(param: Any, typed: Callable[[Any], str | None], ctx: Any) -> str:
    if getattr(param, "is_flag", False):
        return ""
    if param.metavar is not None:
        return param.metavar
    name = (typed(ctx) or "").replace("<", "").replace(">", "")
    return name if "|" in name else name.upper()


app = typer.Typer(add_completion=False, no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]},
                  cls=_Group,
                  help="Extract 政府信息公开工作年度报告 into checked JSON records.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nianbao {version('nianbao')}")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit")] = False,
) -> None:
    """Extract 政府信息公开工作年度报告 into checked JSON records."""


@app.command("extract", cls=_Command)
def extract_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Report files or folders of them (searched recursively)",
                                                metavar="PATH...")],
    out: Annotated[Path, typer.Option("-o", "--out", metavar="DIR", help="Output folder: records, records.jsonl, dataset/")] = Path("out"),
    model: Annotated[Optional[str], typer.Option(metavar="NAME", help="LLM model name; omit to run without an LLM")] = None,  # noqa: UP045
    base_url: Annotated[Optional[str], typer.Option(metavar="URL", help="OpenAI-compatible endpoint (default $OPENAI_BASE_URL)")] = None,  # noqa: UP045
    mode: Annotated[Literal["json", "tools"], typer.Option(help="instructor mode")] = "json",
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the LLM cache")] = False,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Run without the LLM even if NIANBAO_MODEL is set")] = False,
    concurrency: Annotated[int, _bounded("concurrency", "Parallel LLM requests")] = 4,
    resume: Annotated[bool, typer.Option(help="Skip inputs whose record already exists for the same bytes and "
                                               "program (and, with a model, whose LLM step completed)")] = False,
    chunk_tokens: Annotated[int, _bounded("chunk_tokens", "Token budget of one LLM request's text")] = 2000,
    max_retries: Annotated[int, _bounded("max_retries", "Retries of a failed LLM request (429, 5xx, timeouts)")] = 3,
    max_reasks: Annotated[int, _bounded("max_reasks", "Validator-driven re-asks of an LLM table answer")] = 2,
    connect_timeout: Annotated[Optional[float], _bounded("connect_timeout_s", "LLM connect timeout, s [5]")] = None,  # noqa: UP045
    read_timeout: Annotated[Optional[float], _bounded("read_timeout_s", "LLM read timeout, s [60]")] = None,  # noqa: UP045
    breaker_failures: Annotated[Optional[int], _bounded(  # noqa: UP045
        "breaker_failures", "Consecutive transport failures before the run stops calling the LLM [3]")] = None,
    jobs: Annotated[int, typer.Option("-j", "--jobs", min=0, help="Worker processes (0: all cores)")] = 0,
    engine: Annotated[str, typer.Option(help="local (process pool) or dask")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address (default: a local cluster)")] = None,  # noqa: UP045
    timeout: Annotated[float, typer.Option(min=1, help="Seconds one report may take before it is stopped")] = 300.0,
    max_memory: Annotated[int, typer.Option(min=0, help="Memory one report may take in its worker, MB, on top of "
                                                        "the loaded program (0: no bound)")] = 4096,
    pretty: Annotated[bool, typer.Option("--pretty", help="Indented JSON records (compact by default)")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="No line per report; errors and the summary only")] = False,
    dataset: Annotated[bool, typer.Option(help="Write records.jsonl and the dataset (Parquet, DuckDB)")] = True,
    csv: Annotated[bool, typer.Option("--csv", help="Also write the dataset tables as CSV")] = False,
) -> None:
    """Extract each report into OUT/ (a record per input, named by its path under the folder given), then cross-year checks and the dataset."""
    from pipeline.batch import Options

    if engine not in ("local", "dask"):
        raise typer.BadParameter(f"unknown engine {engine!r}: local or dask", param_hint="--engine")
    if scheduler and engine != "dask":
        raise typer.BadParameter("a scheduler address needs --engine dask", param_hint="--scheduler")
    try:
        config = Config.from_env(model=model, base_url=base_url, mode=mode, use_cache=not no_cache,
                                 concurrency=concurrency, chunk_tokens=chunk_tokens, max_retries=max_retries,
                                 max_reasks=max_reasks, connect_timeout_s=connect_timeout,
                                 read_timeout_s=read_timeout, breaker_failures=breaker_failures)
        if no_llm:
            config = replace(config, model=None)
        if config.llm_enabled:
            config.api_key()  # no key: one clear error before any work
    except ConfigError as exc:
        typer.echo(f"nianbao: {exc}", err=True)
        raise typer.Exit(code=2) from None
    options = Options(jobs=jobs, engine=engine, scheduler=scheduler, timeout_s=timeout, max_memory_mb=max_memory,
                      resume=resume, pretty=pretty, quiet=quiet, dataset=dataset, csv=csv)
    try:
        _extract_all(paths, out, config, options)
    except KeyboardInterrupt:
        typer.echo("interrupted; every record written so far is complete (rerun with --resume)", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        # Records are written atomically and the cache commits each entry: nothing is pending. Exit
        # now rather than wait for LLM threads stuck in network reads to be torn down.
        os._exit(130)


def _bounded(name: str, help_text: str) -> typer.models.OptionInfo:
    low, high = LIMITS[name]
    metavar = "SECONDS" if name.endswith("_s") else "N"
    return typer.Option(min=low, max=high, metavar=metavar, help=help_text)  # type: ignore[no-any-return]


def _extract_all(paths: list[Path], out: Path, config: Config, options: Options) -> None:
    from pipeline.batch import run_batch

    if config.llm_enabled:
        from pipeline.llm.breaker import reset

        reset()  # the workers are forked from here: each starts with a closed breaker
    try:
        totals = run_batch(paths, out, config, options)
    except BatchError as exc:
        typer.echo(f"nianbao: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    except NianbaoError as exc:  # after the workers: the records are written, the dataset is not
        typer.echo(f"nianbao: ERROR ({exc.stage}) {exc}", err=True)
        raise typer.Exit(code=1) from exc
    if totals.failed:
        raise typer.Exit(code=1)


@app.command("schema", cls=_Command)
def schema_cmd() -> None:
    """Print the JSON Schema of the output record."""
    typer.echo(json.dumps(Record.model_json_schema(), ensure_ascii=False, indent=2))


@app.command("review")
def review_cmd(
    out: Annotated[Path, typer.Argument(help="A batch's output folder of <name>.json records")],
    site: Annotated[Optional[Path], typer.Option("-o", "--site", help="Site folder (default OUT/site)")] = None,  # noqa: UP045
    sources: Annotated[Optional[Path], typer.Option(help="Folder of the reports' source files, for the text of each cell")] = None,  # noqa: UP045
) -> None:
    """Build a static review site (index, one page per report, two years compared) from OUT."""
    from pipeline.review import build_site

    try:
        done = build_site(out, site or out / "site", sources)
    except NianbaoError as exc:
        typer.echo(f"ERROR ({exc.stage}) {exc}", err=True)
        raise typer.Exit(code=1) from exc
    for problem in done.problems:
        typer.echo(f"skipped {problem}", err=True)
    typer.echo(f"{done.site / 'index.html'}: {done.reports} reports, {done.comparisons} comparisons "
               f"({done.carry_breaks} carry breaks), {done.seconds:.1f} s")


def _register_eval() -> None:
    try:
        from evals.cli import eval_command
    except ImportError:  # pragma: no cover - evals not installed
        return
    app.command("eval", cls=_Command)(eval_command)


_register_eval()


def main() -> None:
    app()
