"""Structured claims made by the prose, which the narrative rules check.

Produced offline by the rule-based finder (`pipeline.narrative`) and by the LLM layer
(`pipeline.llm`); checked by the same functions. Offsets are into the decoded source text.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Claim(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quote: str
    start: int
    end: int
    source: Literal["rules", "llm"] = "rules"


class PercentClaim(_Claim):
    """`part` of `whole` is stated to be `percent` % (e.g. 720 of 787 items, 占比91.36%)."""

    part: float
    whole: float
    percent: float


class PartsClaim(_Claim):
    """`parts` are stated to make up `whole` (e.g. 219件，其中…97件…122件)."""

    whole: float
    parts: list[float]


class TableClaim(_Claim):
    """A prose figure that restates a table cell, named by its dotted path."""

    path: str
    value: float


class Claims(BaseModel):
    model_config = ConfigDict(extra="forbid")
    percents: list[PercentClaim] = []
    parts: list[PartsClaim] = []
    table: list[TableClaim] = []
