"""Response cache: diskcache holding JSON text only.

diskcache pickles non-string values by default and unpickles whatever it finds, so this cache
uses a `Disk` that accepts only `str` keys and values and refuses to read a pickled entry.
Keys are SHA-256 digests of the request's identity (model, prompt version, schema, messages,
parameters) — never the API key or the endpoint URL.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import diskcache

from pipeline.core import LLMError


class JsonTextDisk(diskcache.Disk):  # type: ignore[misc]
    """A diskcache Disk for text keys and values: no pickle in, no pickle out."""

    def put(self, key: Any) -> Any:
        if not isinstance(key, str):
            raise LLMError(f"cache keys must be text, not {type(key).__name__}")
        return super().put(key)

    def get(self, key: Any, raw: bool) -> Any:
        if not raw:
            raise LLMError("refusing to unpickle a cache key")
        return super().get(key, raw)

    def store(self, value: Any, read: bool, key: Any = diskcache.UNKNOWN) -> Any:
        if not isinstance(value, str):
            raise LLMError(f"cache values must be JSON text, not {type(value).__name__}")
        return super().store(value, read, key=key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode == diskcache.core.MODE_PICKLE:
            raise LLMError("refusing to unpickle a cache entry")
        return super().fetch(mode, filename, value, read)


def digest(obj: Any) -> str:
    """SHA-256 of canonical JSON."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ResponseCache:
    """JSON objects by key. `None` directory = a cache that holds nothing (`--no-cache`)."""

    def __init__(self, directory: Path | None) -> None:
        self._cache = None if directory is None else diskcache.Cache(str(directory), disk=JsonTextDisk)

    def get(self, key: str) -> dict[str, Any] | None:
        if self._cache is None:
            return None
        text = self._cache.get(key)
        if text is None:
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: dict[str, Any]) -> None:
        if self._cache is not None:
            self._cache.set(key, json.dumps(value, ensure_ascii=False))

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
