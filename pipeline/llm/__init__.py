"""The LLM layer: narrative facts, problems and claims, and the table fallback (issue 3).

Entry point: `enrich(record, doc, sections, config)`, called by `pipeline.extract` when
`config.llm_enabled`. See the README's LLM section.
"""

from __future__ import annotations

from pipeline.llm.enrich import enrich, prompt_version
from pipeline.llm.usage import total_usage

__all__ = ["enrich", "prompt_version", "total_usage"]
