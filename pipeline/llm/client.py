"""One structured request to an OpenAI-compatible endpoint: cache, retries, backoff, usage.

Every HTTP request is exactly one instructor call with `max_retries=0`; this module does the
retrying, so that each attempt's tokens are counted. 429, 5xx, timeouts and connection errors
are retried with backoff (honouring `Retry-After`); an answer that is not valid JSON or does not
fit the schema is re-asked with the parse error; other API errors (400, 401, 404) fail at once.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import instructor
import openai
from pydantic import BaseModel, ValidationError

from pipeline.config import Config
from pipeline.core import LLMError
from pipeline.llm.breaker import STOP, breaker_for
from pipeline.llm.cache import ResponseCache, digest
from pipeline.llm.prompts import Message, PromptFile
from pipeline.llm.tokens import count_messages
from schemas.record import LlmUsage

log = logging.getLogger(__name__)
# instructor logs every failed attempt at ERROR; retries are this module's business and logged here.
logging.getLogger("instructor").setLevel(logging.CRITICAL)
T = TypeVar("T", bound=BaseModel)
MAX_DELAY_S = 30.0
_TRANSIENT = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError, openai.APIConnectionError)
_TRANSPORT = (openai.InternalServerError, openai.APIConnectionError)  # the endpoint is down or hung (not 429)


@dataclass
class Usage:
    """Thread-safe counters of one report's LLM work, in the record's terms."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LlmUsage.model_fields, 0))
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **amounts: int) -> None:
        with self._lock:
            for name, amount in amounts.items():
                self.counts[name] += amount

    def to_model(self) -> LlmUsage:
        with self._lock:
            return LlmUsage(**self.counts)


class LlmClient:
    """Structured requests for one run. Holds no key: the key goes straight into `openai.OpenAI`."""

    def __init__(self, config: Config, usage: Usage | None = None, sleep: Callable[[float], Any] = STOP.wait,
                 http_client: Any = None):
        if not config.model:
            raise LLMError("no model configured: set NIANBAO_MODEL or pass --model")
        self.config = config
        self.model: str = config.model
        self.usage = usage or Usage()
        self.cache = ResponseCache(config.cache_dir / "llm" if config.use_cache else None)
        self._sleep = sleep
        self._gate = threading.Semaphore(max(1, config.concurrency))
        self._backoff = config.backoff_base_s
        self.breaker = breaker_for(urlsplit(config.base_url or "https://api.openai.com").netloc.rpartition("@")[2],
                                   config.breaker_failures)
        self._http_client = http_client  # an httpx2.Client (e.g. with a mock transport), or None
        self._raw: openai.OpenAI | None = None
        self._client: Any = None
        self._client_lock = threading.Lock()

    def _instructor(self) -> Any:
        """The instructor client, made on the first cache miss: a fully cached run needs no key."""
        with self._client_lock:
            if self._client is None:
                mode = instructor.Mode.TOOLS if self.config.mode == "tools" else instructor.Mode.JSON
                self._raw = openai.OpenAI(base_url=self.config.base_url, api_key=self.config.api_key(),
                                          max_retries=0, http_client=self._http_client,
                                          timeout=openai.Timeout(self.config.read_timeout_s,
                                                                 connect=self.config.connect_timeout_s))
                self._client = instructor.from_openai(self._raw, mode=mode)
            return self._client

    def close(self) -> None:
        self.cache.close()
        if self._raw is not None:
            self._raw.close()

    def cache_key(self, messages: list[Message], response_model: type[BaseModel], prompt: PromptFile) -> str:
        return digest(
            {
                "model": self.model,
                "prompt": prompt.version_id,
                "schema": digest(response_model.model_json_schema()),
                "messages": messages,
                "params": prompt.params,
                "mode": self.config.mode,
            }
        )

    def ask(self, messages: list[Message], response_model: type[T], prompt: PromptFile) -> T:
        """The parsed answer, from the cache or the endpoint; `LLMError` when every attempt failed."""
        key = self.cache_key(messages, response_model, prompt)
        cached = self.cache.get(key)
        if cached is not None:
            try:
                answer = response_model.model_validate(cached["answer"])
            except (KeyError, ValidationError):
                answer = None
            if answer is not None:
                self.usage.add(cache_hits=1)
                return answer
        self.usage.add(cache_misses=1)
        answer = self._attempts(messages, response_model, prompt)
        if not _is_empty(answer):  # an empty answer is not kept: a later run asks again
            self.cache.set(key, {"answer": answer.model_dump(mode="json"), "prompt": prompt.version_id})
        return answer

    def _attempts(self, messages: list[Message], response_model: type[T], prompt: PromptFile) -> T:
        estimate = count_messages(messages, self.model, response_model.model_json_schema())
        log.debug("llm request %s: ~%d prompt tokens", prompt.version_id, estimate)
        self.breaker.check()
        client = self._instructor()
        current = list(messages)
        last_error, transport = "no attempt made", False
        for attempt in range(1, self.config.max_retries + 2):
            self.breaker.check()
            try:
                with self._gate:
                    answer, completion = client.chat.completions.create_with_completion(
                        model=self.model, messages=current, response_model=response_model, max_retries=0,
                        **prompt.params,
                    )
            except Exception as exc:  # classified below; nothing is swallowed silently
                self._count_failure(exc, estimate)
                last_error = _describe(exc)
                log.debug("llm attempt %d failed: %s", attempt, last_error, exc_info=exc)
                api_error = _api_error(exc)
                transport = isinstance(api_error, _TRANSPORT)
                if not transport:
                    self.breaker.success()  # the endpoint answered (a 429, a 400, a bad answer)
                elif self.breaker.failure():
                    raise LLMError(f"LLM request failed ({last_error}); endpoint cut off for this run",
                                   attempt=attempt, cut_off=True, transport=True) from exc
                if api_error is not None and not isinstance(api_error, _TRANSIENT):
                    raise LLMError(f"LLM request rejected: {last_error}", attempt=attempt) from exc
                if api_error is None:  # a bad answer: re-ask with the parse error
                    current = list(messages) + _correction(exc)
                elif attempt <= self.config.max_retries:
                    self._sleep(self._delay(attempt, api_error))
                continue
            self.breaker.success()
            self._count_success(completion, estimate)
            return answer
        raise LLMError(f"LLM request failed after {self.config.max_retries + 1} attempts: {last_error}",
                       transport=transport)

    def _count_success(self, completion: Any, estimate: int) -> None:
        prompt_tokens, completion_tokens = _tokens(getattr(completion, "usage", None), estimate)
        self.usage.add(calls=1, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)

    def _count_failure(self, exc: Exception, estimate: int) -> None:
        usage = getattr(exc, "total_usage", None)
        answered = getattr(exc, "last_completion", None) is not None
        prompt_tokens, completion_tokens = _tokens(usage, estimate) if answered else (0, 0)
        self.usage.add(calls=1, failed_calls=1, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)

    def _delay(self, attempt: int, error: Exception) -> float:
        retry_after = _retry_after(error)
        if retry_after is not None:
            return min(retry_after, MAX_DELAY_S)
        return min(self._backoff * 2 ** (attempt - 1) * (1 + random.random() / 4), MAX_DELAY_S)


def _is_empty(answer: BaseModel) -> bool:
    """True when every field of the answer is empty (`{}`, `{"facts": []}`, all null)."""
    return not any(v not in (None, [], {}, "") for v in answer.model_dump().values())


def _tokens(usage: Any, estimate: int) -> tuple[int, int]:
    prompt_tokens = getattr(usage, "prompt_tokens", None)
    completion_tokens = getattr(usage, "completion_tokens", None)
    return (prompt_tokens if prompt_tokens else estimate), (completion_tokens or 0)


def _api_error(exc: BaseException) -> openai.APIError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, openai.APIError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _describe(exc: BaseException) -> str:
    api_error = _api_error(exc)
    if isinstance(api_error, openai.APIStatusError):
        return f"HTTP {api_error.status_code}"
    if api_error is not None:
        return type(api_error).__name__
    cause = exc.__cause__ or exc
    return f"{type(cause).__name__}: {str(cause)[:300]}"


def _correction(exc: BaseException) -> list[Message]:
    """The bad answer and the parse error, as a follow-up turn."""
    completion = getattr(exc, "last_completion", None)
    content = ""
    try:
        message = completion.choices[0].message  # type: ignore[union-attr]
        content = message.content or "".join(c.function.arguments for c in message.tool_calls or [])
    except (AttributeError, IndexError, TypeError):
        pass
    reason = _parse_problem(exc)
    return [
        {"role": "assistant", "content": content},
        {"role": "user", "content": f"上面的回答无法解析：\n{reason}\n请只输出符合给定结构的 JSON。"},
    ]


def _parse_problem(exc: BaseException) -> str:
    """What was wrong with an answer, in words that do not change between library versions."""
    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        if isinstance(current, ValidationError):
            return "\n".join(f"{'.'.join(map(str, e['loc'])) or '(整体)'}: {e['type']}" for e in current.errors()[:8])
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    cause = exc.__cause__ or exc
    return type(cause).__name__


def _retry_after(error: Exception) -> float | None:
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                return None
    return None
