"""One configuration object. The API key is read here and nowhere else."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pipeline.core import ConfigError

DEFAULT_CACHE_DIR = Path(os.environ.get("NIANBAO_CACHE_DIR", Path.home() / ".cache" / "nianbao"))


@dataclass(frozen=True)
class Config:
    """Settings for one run. `llm_enabled` is False when no model is configured."""

    model: str | None = None
    base_url: str | None = None
    mode: Literal["json", "tools"] = "json"
    cache_dir: Path = DEFAULT_CACHE_DIR
    use_cache: bool = True
    concurrency: int = 4
    max_retries: int = 3  # transport retries (429, 5xx, timeouts)
    max_reasks: int = 2  # validator-driven re-asks of a table
    chunk_tokens: int = 2000  # token budget per request's chunk
    timeout_s: float = 60.0
    backoff_base_s: float = 1.0  # first retry waits this long, doubling each time
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.model)

    @classmethod
    def from_env(cls, **overrides: object) -> Config:
        """Build from NIANBAO_* / OPENAI_* environment variables, then explicit overrides."""
        values: dict[str, object] = {
            "model": os.environ.get("NIANBAO_MODEL") or None,
            "base_url": os.environ.get("OPENAI_BASE_URL") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def api_key(self) -> str:
        """The one place the key is read. Never log, cache or write what this returns."""
        key = os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ConfigError(
                "No API key: set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI endpoint), "
                "e.g. `export OPENAI_API_KEY=sk-...`, or run without --model to skip the LLM layer.",
                setting="OPENAI_API_KEY",
            )
        return key
