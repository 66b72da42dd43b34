"""Response cache: one SQLite table of JSON text, nothing on disk but the database file.

Why not diskcache: diskcache keeps large values in side files whose names it reads back from its
own database, then opens and deletes them; a tampered row (`filename = '../../x'`) makes it read
and delete a file outside the cache. Configuring it to never write files does not stop it from
following a filename already in the table, and it unpickles by default. A table of
`(key TEXT PRIMARY KEY, value TEXT)` has no filenames and no pickles to follow.

Every value is checked on the way in and out: a JSON object, or it is refused (on write) and
ignored (on read). A cache that cannot be opened, read or written (junk, truncated, locked,
read-only) is bypassed with one warning per process and path: the record never depends on it.
Keys are SHA-256 digests of the request's identity — never the API key or the endpoint URL.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

from pipeline.core import LLMError

log = logging.getLogger(__name__)
FILENAME = "responses.sqlite"
MAX_VALUE = 4_000_000  # characters; an answer is a few KB
_SCHEMA = "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"
_warned: set[str] = set()
_warned_lock = threading.Lock()


def digest(obj: Any) -> str:
    """SHA-256 of canonical JSON."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _warn_once(path: Path, what: str, exc: BaseException) -> None:
    with _warned_lock:
        if str(path) in _warned:
            return
        _warned.add(str(path))
    log.warning("llm cache %s %s (%s: %s); running without it, records are not affected",
                path, what, type(exc).__name__, exc)


class ResponseCache:
    """JSON objects by key. `None` directory = a cache that holds nothing (`--no-cache`)."""

    def __init__(self, directory: Path | None) -> None:
        self.path = None if directory is None else Path(directory) / FILENAME
        self._db: sqlite3.Connection | None = None
        self._writable = True
        self._lock = threading.Lock()
        if self.path is not None:
            self._open(self.path)

    def _open(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=2.0, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA quick_check").fetchone()
            try:
                db.execute("PRAGMA journal_mode=WAL")  # worker processes read while one writes
                db.execute(_SCHEMA)
            except sqlite3.OperationalError as exc:  # read-only: reads may still work
                if "readonly" not in str(exc):
                    raise
                self._writable = False
            db.execute("SELECT count(*) FROM responses").fetchone()
            self._db = db
        except (sqlite3.Error, OSError) as exc:
            _warn_once(path, "cannot be used", exc)
            self._db = None

    def get(self, key: str) -> dict[str, Any] | None:
        if self._db is None:
            return None
        try:
            with self._lock:
                row = self._db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            assert self.path is not None
            _warn_once(self.path, "cannot be read", exc)
            self._db = None
            return None
        if row is None or not isinstance(row[0], str) or len(row[0]) > MAX_VALUE:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: dict[str, Any]) -> None:
        if not isinstance(key, str) or not isinstance(value, dict):
            raise LLMError(f"the cache stores JSON objects by text key, not {type(value).__name__}")
        text = json.dumps(value, ensure_ascii=False)
        if self._db is None or not self._writable or len(text) > MAX_VALUE:
            return
        try:
            with self._lock:
                self._db.execute("INSERT OR REPLACE INTO responses (key, value) VALUES (?, ?)", (key, text))
        except sqlite3.Error as exc:
            assert self.path is not None
            _warn_once(self.path, "cannot be written", exc)
            self._writable = False

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
