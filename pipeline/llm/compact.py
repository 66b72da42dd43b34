"""Compact JSON Schemas for the models sent to the LLM: no `title`s (but the top one), no `default`s, no `description`s.

instructor pastes the response model's `model_json_schema()` into every request (JSON mode) or
sends it as a tool (tools mode); pydantic's titles and defaults are about a third of its tokens
and tell the model nothing the field names don't.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=type[BaseModel])
_DROP = ("title", "default", "description")  # descriptions come from our docstrings: not for the model


def strip_schema(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: strip_schema(v) for k, v in schema.items()
                if not (k in _DROP and not isinstance(v, dict))}
    if isinstance(schema, list):
        return [strip_schema(v) for v in schema]
    return schema


class Compact(BaseModel):
    """Base of the LLM-facing answer models."""

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        schema = super().model_json_schema(*args, **kwargs)
        return {**strip_schema(schema), "title": schema.get("title", cls.__name__)}  # tools mode names by title


@lru_cache(maxsize=16)
def compact(model: M) -> M:
    """A subclass of a record model (e.g. `Applications2019`) whose schema is compact."""
    return type(model.__name__, (Compact, model), {"__module__": __name__})  # type: ignore[return-value]
