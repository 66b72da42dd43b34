"""Per-process state that outlives one report: the circuit breaker and the stop flag.

After `config.breaker_failures` consecutive transport failures (connection refused or reset,
connect/read timeouts, 5xx) against one endpoint, the breaker opens: every later request in this
process fails at once with `LLMError(cut_off=True)`, so a batch finishes deterministically, and the
trip is logged once. Any answer from the endpoint (even an unparsable one) resets the count.
`STOP` is set on Ctrl-C: retry loops and back-off waits end at once.

The state is module-global, so it is per process: with worker processes each worker has its own
breaker and trips on its own after N failures of its own requests.
"""

from __future__ import annotations

import logging
import threading

from pipeline.core import LLMError

log = logging.getLogger(__name__)
STOP = threading.Event()


class Breaker:
    """Consecutive transport failures of one endpoint; open = no more calls this run."""

    def __init__(self, endpoint: str, threshold: int) -> None:
        self.endpoint = endpoint
        self.threshold = threshold
        self.failures = 0
        self.is_open = False
        self._lock = threading.Lock()

    def check(self) -> None:
        """Raise `LLMError(cut_off=True)` when calls must not be made."""
        if STOP.is_set():
            raise LLMError("LLM step interrupted", cut_off=True)
        if self.is_open:
            raise LLMError(f"the endpoint was cut off after {self.threshold} consecutive transport failures; "
                           "no LLM call made", cut_off=True)

    def success(self) -> None:
        with self._lock:
            self.failures = 0

    def failure(self) -> bool:
        """Count one transport failure; True when the breaker is (now) open."""
        with self._lock:
            self.failures += 1
            tripped = not self.is_open and self.failures >= self.threshold
            if tripped:
                self.is_open = True
        if tripped:
            log.warning("llm: %d consecutive transport failures from %s; no more LLM calls in this run. Records "
                        "are finished without the LLM and marked llm.status = failed/skipped; re-run them with "
                        "--resume and a working endpoint.", self.threshold, self.endpoint)
        return self.is_open


_breakers: dict[tuple[str, int], Breaker] = {}
_registry_lock = threading.Lock()


def breaker_for(endpoint: str, threshold: int) -> Breaker:
    """The process's breaker for `endpoint` (made on first use)."""
    with _registry_lock:
        return _breakers.setdefault((endpoint, threshold), Breaker(endpoint, threshold))


def reset() -> None:
    """Forget every breaker and clear the stop flag (a new run in the same process, or a test)."""
    with _registry_lock:
        _breakers.clear()
    STOP.clear()
