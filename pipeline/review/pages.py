"""The one way pages are made: Jinja2 templates in `pipeline/review/templates`, one stylesheet and
one script in `pipeline/review/static` (the review site and the evaluation report share them)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

ASSETS = ("site.css", "site.js")


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("pipeline.review", "templates"),
                      autoescape=select_autoescape(enabled_extensions=("html", "j2")),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return env


def render(template: str, **context: Any) -> str:
    """Render `templates/<template>` with `context`."""
    return environment().get_template(template).render(**context)


@cache
def asset(name: str) -> str:
    """The text of a static file (`site.css`, `site.js`)."""
    return resources.files("pipeline.review").joinpath("static", name).read_text(encoding="utf-8")
