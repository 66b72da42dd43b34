"""`python -m evals ...` = `nianbao eval ...` (until the lead's CLI registers the command)."""

import typer

from evals.cli import eval_command

if __name__ == "__main__":
    typer.run(eval_command)
