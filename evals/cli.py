"""`nianbao eval`: score a run against gold, compare two runs, run the robustness suite, and fail
when accuracy falls below the committed baseline (evals/baseline.json).

The lead's CLI registers it as `app.command("eval")(evals.cli.eval_command)`; until then
`python -m evals ...` runs the same command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from pipeline.output import write_text

BASELINE = Path(__file__).with_name("baseline.json")


def write_reports(run: dict[str, Any], out: Path, stem: str, title: str) -> list[Path]:
    """`<stem>.json`, `<stem>.md`, `<stem>.html` in `out`."""
    from evals.report_html import render_html
    from evals.report_md import render_markdown

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.json", out / f"{stem}.md", out / f"{stem}.html"]
    write_text(paths[0], json.dumps(run, ensure_ascii=False, indent=1))
    write_text(paths[1], render_markdown(run, title))
    write_text(paths[2], render_html(run, title))
    return paths


def headline(run: dict[str, Any]) -> dict[str, float | None]:
    o = run["overall"]
    cells = o["cells"]
    figures: dict[str, float | None] = {"cell_accuracy": cells["accuracy"],
                                        "meta_accuracy": o["meta"]["all"]["accuracy"]}
    for key in ("facts", "findings", "problems"):
        part = o.get(key) or {}
        figures[f"{key}_precision"], figures[f"{key}_recall"] = part.get("precision"), part.get("recall")
    for kind, part in (o["cells"].get("by_kind") or {}).items():  # levels per damage kind: `cell_accuracy.<kind>`
        figures[f"cell_accuracy.{kind}"] = part.get("accuracy")
    warnings = (o.get("findings") or {}).get("warnings") or {}
    figures["warnings_precision"], figures["warnings_recall"] = warnings.get("precision"), warnings.get("recall")
    figures["blank_as_zero"] = float((cells.get("errors") or {}).get("blank_as_zero", 0))
    figures["ambiguous_wrong"] = float((cells.get("ambiguous") or {}).get("wrong", 0))
    figures["failed"] = float(o.get("failed") or 0)
    return figures


def check_levels(figures: dict[str, float | None], levels: dict[str, Any], tolerance: float = 0.0) -> list[str]:
    """Every figure below its committed level (a null level is not checked), and every count in
    `levels["at_most"]` above its committed maximum."""
    failures = []
    for key, level in levels.items():
        if key == "at_most":
            for name, most in (level or {}).items():
                value = figures.get(name)
                if value is None or value > most:
                    failures.append(f"{name} {'n/a' if value is None else f'{value:g}'} is above the committed {most:g}")
            continue
        if not isinstance(level, int | float) or isinstance(level, bool):
            continue
        value = figures.get(key)
        if value is None or value < level - tolerance:
            failures.append(f"{key} {'n/a' if value is None else f'{value:.4f}'} is below the committed {level:.4f}")
    return failures


def _check(run: dict[str, Any], section: str, baseline: Path | None, min_cell: float | None) -> list[str]:
    levels: dict[str, Any] = {}
    tolerance = 0.0
    if baseline is not None:
        data = json.loads(baseline.read_text(encoding="utf-8"))
        levels, tolerance = dict(data.get(section) or {}), float(data.get("tolerance", 0.0))
        levels = {k: v for k, v in levels.items() if k not in ("n", "seed")}  # run settings, not levels
    if min_cell is not None:
        levels["cell_accuracy"] = min_cell
    return check_levels(headline(run), levels, tolerance)


def _finish(failures: list[str]) -> None:
    for failure in failures:
        typer.echo(f"FAIL: {failure}", err=True)
    if failures:
        raise typer.Exit(1)


def _compare(pair: tuple[Path, Path], gold: Path | None, out: Path) -> None:
    from evals.compare import compare
    from evals.report_md import render_compare

    result = compare(pair[0], pair[1], gold)
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "compare.json", json.dumps(result, ensure_ascii=False, indent=1))
    text = render_compare(result)
    write_text(out / "compare.md", text)
    typer.echo(text)


def eval_command(
    gold: Annotated[Path, typer.Option(help="folder of gold JSON files")] = Path("evals/gold"),
    inputs: Annotated[Path, typer.Option(help="folder of the source reports the gold files name")] = Path("samples"),
    records: Annotated[Path | None, typer.Option(help="score records already extracted (a folder of "
                                                      "<name>.json) instead of running the extractor")] = None,
    out: Annotated[Path, typer.Option("-o", "--out", metavar="DIR", help="where to write eval.json / eval.md / eval.html")] = Path("eval-out"),
    compare: Annotated[tuple[Path, Path] | None, typer.Option(metavar="RUN_A RUN_B", help="RUN_A RUN_B: two eval JSON files, or two "
                                                                    "record folders (scored when --gold exists)")] = None,
    robust: Annotated[int, typer.Option(help="run the robustness suite on N generated reports instead")] = 0,
    seed: Annotated[int, typer.Option(help="random seed of the robustness generator")] = 0,
    model: Annotated[str | None, typer.Option(help="LLM model for the extractor (default: NIANBAO_MODEL)")] = None,
    severity: Annotated[Literal["all", "error"], typer.Option(help="findings counted")] = "all",
    check: Annotated[bool, typer.Option(help="fail when a figure drops below evals/baseline.json")] = False,
    baseline: Annotated[Path | None, typer.Option(help="baseline file to check against (implies --check)")] = None,
    min_cell_accuracy: Annotated[float | None, typer.Option(help="fail when cell accuracy is below this")] = None,
) -> None:
    """Evaluate extraction against gold labels: cells, meta, facts, findings, cost."""
    if compare:
        _compare(compare, gold if gold.is_dir() else None, out)
        return
    if baseline is None and check:
        baseline = BASELINE
    if robust:
        from evals.robust import run_robust

        run = run_robust(robust, seed=seed, out=out)
        section, stem, title = "robust", "robust", f"nianbao robustness suite ({robust} generated reports)"
    else:
        from evals.run import evaluate

        if not any(Path(gold).glob("*.json")):
            typer.echo(f"no gold files in {gold} (run from the repository root, or pass --gold DIR)", err=True)
            raise typer.Exit(code=2)
        run = evaluate(gold, inputs, records, model=model, severity=severity)[0]
        section, stem, title = "seeds", "eval", "nianbao evaluation"
    paths = write_reports(run, out, stem, title)
    from evals.report_md import render_markdown

    typer.echo(render_markdown({**run, "reports": []} if robust else run, title))
    typer.echo("wrote " + ", ".join(str(p) for p in paths))
    _finish(_check(run, section, baseline, min_cell_accuracy))
