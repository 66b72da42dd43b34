"""Per-run totals of the per-report LLM usage in `record.llm.usage`."""

from __future__ import annotations

from collections.abc import Iterable

from schemas.record import LlmUsage, Record


def total_usage(records: Iterable[Record]) -> LlmUsage:
    """The sum of every record's `llm.usage` (records without an LLM pass count as zero)."""
    totals = dict.fromkeys(LlmUsage.model_fields, 0)
    for record in records:
        if record.llm is not None:
            for name, value in record.llm.usage.model_dump().items():
                totals[name] += value
    return LlmUsage(**totals)
