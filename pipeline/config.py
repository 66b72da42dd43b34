"""One configuration object. The API key is read here and nowhere else."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal

from pipeline.core import ConfigError

DEFAULT_CACHE_DIR = Path(os.environ.get("NIANBAO_CACHE_DIR", Path.home() / ".cache" / "nianbao"))

# Allowed ranges of the numeric settings (inclusive); the CLI uses the same bounds.
LIMITS: dict[str, tuple[float, float]] = {
    "concurrency": (1, 64),
    "max_retries": (0, 10),
    "max_reasks": (0, 5),
    "chunk_tokens": (200, 100_000),
    "connect_timeout_s": (0.1, 600),
    "read_timeout_s": (0.1, 3600),
    "breaker_failures": (1, 1000),
    "backoff_base_s": (0, 60),
}
# Environment variables for settings a deployment may want to fix without CLI flags.
ENV_FLOATS = {"connect_timeout_s": "NIANBAO_CONNECT_TIMEOUT", "read_timeout_s": "NIANBAO_READ_TIMEOUT"}
ENV_INTS = {"breaker_failures": "NIANBAO_BREAKER_FAILURES"}


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
    connect_timeout_s: float = 5.0  # short: an endpoint that is down answers nothing
    read_timeout_s: float = 60.0  # a long answer may take a while
    breaker_failures: int = 3  # consecutive transport failures before the run stops calling the endpoint
    backoff_base_s: float = 1.0  # first retry waits this long, doubling each time
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in ("json", "tools"):
            raise ConfigError(f"mode must be json or tools, not {self.mode!r}", setting="mode")
        for f in fields(self):
            if f.name in LIMITS:
                low, high = LIMITS[f.name]
                value = getattr(self, f.name)
                if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                    raise ConfigError(f"{f.name} must be a number from {low:g} to {high:g}, not {value!r}",
                                      setting=f.name)

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
        if os.environ.get("NIANBAO_CACHE_DIR"):
            values["cache_dir"] = Path(os.environ["NIANBAO_CACHE_DIR"])
        for name, var in [*ENV_FLOATS.items(), *ENV_INTS.items()]:
            raw = os.environ.get(var)
            if raw:
                try:
                    values[name] = int(raw) if name in ENV_INTS else float(raw)
                except ValueError as exc:
                    raise ConfigError(f"{var} must be a number, not {raw!r}", setting=var) from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def api_key(self) -> str:
        """The one place the key is read. Never log, cache or write what this returns."""
        key = os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ConfigError(
                "No API key: set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI endpoint), "
                "e.g. `export OPENAI_API_KEY=sk-...`, or pass --no-llm (or omit --model) to run without the LLM.",
                setting="OPENAI_API_KEY",
            )
        return key
