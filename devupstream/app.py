"""The development upstream's Starlette app (see the package docstring)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from devupstream.fixturemodel import (
    FIXTURE_MODEL,
    FIXTURES_DIR,
    Answer,
    Fixture,
    FixtureError,
    completion_choices,
    fixture_name,
    known,
    load_fixtures,
    stream_choices,
)

__all__ = ["DEFAULT_MODEL", "FIXTURE_MODEL", "UpstreamKnobs", "UpstreamStats", "create_app"]

DEFAULT_MODEL = "aegis-dev-echo"
EMBEDDING_DIMENSIONS = 16


@dataclass
class UpstreamKnobs:
    """Server-wide defaults; a request's ``devupstream`` object overrides them."""

    model: str = DEFAULT_MODEL
    delay_ms: float = 0.0
    chunks: int = 4
    status: int = 200
    drop_after: int | None = None
    stamp: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> UpstreamKnobs:
        drop = environ.get("DEVUPSTREAM_DROP_AFTER")
        return cls(
            model=environ.get("DEVUPSTREAM_MODEL", DEFAULT_MODEL),
            delay_ms=float(environ.get("DEVUPSTREAM_DELAY_MS", "0")),
            chunks=int(environ.get("DEVUPSTREAM_CHUNKS", "4")),
            status=int(environ.get("DEVUPSTREAM_STATUS", "200")),
            drop_after=int(drop) if drop else None,
        )

    def merged(self, override: object) -> UpstreamKnobs:
        if not isinstance(override, dict):
            return self
        drop = override.get("drop_after", self.drop_after)
        return UpstreamKnobs(
            model=self.model,
            delay_ms=float(override.get("delay_ms", self.delay_ms)),
            chunks=max(1, int(override.get("chunks", self.chunks))),
            status=int(override.get("status", self.status)),
            drop_after=None if drop is None else int(drop),
            stamp=override.get("stamp") is True,
        )


@dataclass
class UpstreamStats:
    """What the upstream saw; ``GET /devupstream/stats`` returns it."""

    requests: int = 0
    completed: int = 0
    cancelled: int = 0
    active: int = 0
    last_headers: dict[str, str] = field(default_factory=dict)
    # SHA-256 of the last prompt text generated for (what a gateway let the model see),
    # so tests can check it without the upstream keeping any text.
    last_prompt_sha256: str = ""
    # The same of the system (and developer) messages, joined by blank lines.
    last_system_sha256: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "completed": self.completed,
            "cancelled": self.cancelled,
            "active": self.active,
            "last_headers": self.last_headers,
            "last_prompt_sha256": self.last_prompt_sha256,
            "last_system_sha256": self.last_system_sha256,
        }


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status, media_type="application/json")


def _error(
    status: int, message: str, code: str | int | None = None, param: str | None = None
) -> Response:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return _json(
        {
            "error": {
                "message": message,
                "type": kind,
                "code": status if code is None else code,
                "param": param,
            }
        },
        status,
    )


def _fixture_answer(
    fixtures: dict[str, Fixture], kind: str, prompt: str, body: dict[str, Any]
) -> Answer | Response:
    name = fixture_name(prompt)
    param = "messages" if kind == "chat" else "prompt"
    if name is None:
        message = f"{FIXTURE_MODEL} answers a last user message fixture:NAME"
        return _error(
            400, f"{message}; known fixtures: {known(fixtures)}", "fixture_required", param
        )
    if name not in fixtures:
        message = f"{FIXTURE_MODEL} has no fixture {name!r}"
        return _error(
            404, f"{message}; known fixtures: {known(fixtures)}", "fixture_not_found", param
        )
    try:
        answer = fixtures[name].answer(body.get("messages") if kind == "chat" else None)
    except FixtureError as exc:
        return _error(exc.status, str(exc), "fixture_unusable", "messages")
    if kind != "chat" and answer.tool_calls:
        return _error(
            400, f"fixture {name} calls tools: ask /v1/chat/completions", "fixture_unusable"
        )
    return answer


def _text_of(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            part.get("text", "")
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


def _tokens(text: str) -> int:
    """Whitespace-separated words, counted 64 KB at a time: one ``split`` of a megabyte
    holds the GIL for tens of milliseconds, which core, served from the same process in
    tests (tests/e2e/test_heavy_scan.py), would wait out; a real model server is a process
    of its own."""
    step = 1 << 16
    words = 0
    for start in range(0, len(text), step):
        words += len(text[start : start + step].split())
        if start and not text[start - 1].isspace() and not text[start].isspace():
            words -= 1  # a word the slices' boundary cut in two
    return max(1, words)


def _split(text: str, parts: int) -> list[str]:
    size = max(1, -(-len(text) // parts))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _echo_choices(kind: str, reply: str, chunks: int) -> list[dict[str, Any]]:
    choices: list[dict[str, Any]] = []
    for index, piece in enumerate(_split(reply, chunks)):
        if kind == "chat":
            delta: dict[str, Any] = {"content": piece}
            if index == 0:
                delta["role"] = "assistant"
            choices.append({"index": 0, "delta": delta, "finish_reason": None})
        else:
            choices.append({"index": 0, "text": piece, "finish_reason": None, "logprobs": None})
    choices.append(
        {"index": 0, "delta": {}, "finish_reason": "stop"}
        if kind == "chat"
        else {"index": 0, "text": "", "finish_reason": "stop", "logprobs": None}
    )
    return choices


def create_app(knobs: UpstreamKnobs | None = None, fixtures_dir: Path = FIXTURES_DIR) -> Starlette:
    """The development upstream; ``fixtures_dir`` holds the fixture model's answers (a
    broken fixture file stops start-up)."""
    knobs = knobs or UpstreamKnobs()
    stats = UpstreamStats()
    fixtures = load_fixtures(fixtures_dir)

    async def read(request: Request) -> tuple[dict[str, Any], UpstreamKnobs] | Response:
        stats.requests += 1
        stats.last_headers = {
            k: v for k, v in request.headers.items() if k.startswith("x-") or k == "authorization"
        }
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return _error(400, "invalid JSON")
        if not isinstance(body, dict):
            return _error(400, "body must be an object")
        return body, knobs.merged(body.get("devupstream"))

    async def wait(request: Request, seconds: float) -> bool:
        """Sleep, but return False early if the client disconnects."""
        if seconds <= 0:
            return True
        sleeper = asyncio.ensure_future(asyncio.sleep(seconds))
        watcher = asyncio.ensure_future(_disconnected(request))
        done, _ = await asyncio.wait((sleeper, watcher), return_when=asyncio.FIRST_COMPLETED)
        sleeper.cancel()
        watcher.cancel()
        return sleeper in done

    async def generate(request: Request, kind: str) -> Response:
        parsed = await read(request)
        if isinstance(parsed, Response):
            return parsed
        body, k = parsed
        if k.status != 200:
            return _error(k.status, f"development upstream asked to fail with {k.status}")
        if kind == "chat":
            messages = body.get("messages") or []
            users = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
            prompt = _text_of(users[-1].get("content")) if users else ""
            system = "\n\n".join(
                _text_of(m.get("content"))
                for m in messages
                if isinstance(m, dict) and m.get("role") in ("system", "developer")
            )
            stats.last_system_sha256 = hashlib.sha256(system.encode()).hexdigest()
        else:
            raw = body.get("prompt", "")
            prompt = raw if isinstance(raw, str) else " ".join(str(p) for p in raw)
        stats.last_prompt_sha256 = hashlib.sha256(prompt.encode()).hexdigest()
        model = body.get("model", k.model)
        answer: Answer | None = None
        if model == FIXTURE_MODEL:
            found = _fixture_answer(fixtures, kind, prompt, body)
            if isinstance(found, Response):
                return found
            answer = found
        reply = "echo: " + prompt if answer is None else answer.generated
        created = int(time.time())
        ident = ("chatcmpl-" if kind == "chat" else "cmpl-") + hashlib.sha256(
            f"{created}{stats.requests}".encode()
        ).hexdigest()[:24]
        usage = {
            "prompt_tokens": _tokens(prompt),
            "completion_tokens": _tokens(reply),
            "total_tokens": _tokens(prompt) + _tokens(reply),
        }
        stats.active += 1
        if not body.get("stream"):
            try:
                if not await wait(request, k.delay_ms / 1000):
                    stats.cancelled += 1
                    return Response(status_code=499)
            finally:
                stats.active -= 1
            stats.completed += 1
            if kind == "chat":
                choice: dict[str, Any] = {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply}
                    if answer is None
                    else answer.message(),
                    "finish_reason": "stop" if answer is None else answer.finish_reason,
                }
                obj = "chat.completion"
            else:
                text = reply if answer is None else answer.content or ""
                choice = {"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}
                obj = "text_completion"
            return _json(
                {
                    "id": ident,
                    "object": obj,
                    "created": created,
                    "model": model,
                    "choices": [choice],
                    "usage": usage,
                }
            )
        head = {
            "id": ident,
            "object": "chat.completion.chunk" if kind == "chat" else "text_completion",
            "created": created,
            "model": model,
        }
        if answer is None:
            # The echo model sends usage with its last chunk, whatever the request asked.
            choices = _echo_choices(kind, reply, k.chunks)
            usage_mode = "final"
        else:
            # As vLLM: a chunk of its own with no choices, when stream_options asks for it.
            choices = stream_choices(answer) if kind == "chat" else completion_choices(answer)
            options = body.get("stream_options")
            asked = isinstance(options, dict) and options.get("include_usage") is True
            usage_mode = "chunk" if asked else "none"
        return StreamingResponse(
            _stream(head, choices, usage, usage_mode, k, stats),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache"},
        )

    async def chat(request: Request) -> Response:
        return await generate(request, "chat")

    async def completions(request: Request) -> Response:
        return await generate(request, "completion")

    async def embeddings(request: Request) -> Response:
        parsed = await read(request)
        if isinstance(parsed, Response):
            return parsed
        body, k = parsed
        if k.status != 200:
            return _error(k.status, f"development upstream asked to fail with {k.status}")
        inputs = body.get("input")
        items = inputs if isinstance(inputs, list) else [inputs]
        data = []
        for index, item in enumerate(items):
            digest = hashlib.sha256(orjson.dumps(item)).digest()
            vector = [(b - 128) / 128 for b in digest[:EMBEDDING_DIMENSIONS]]
            data.append({"object": "embedding", "index": index, "embedding": vector})
        stats.completed += 1
        tokens = sum(_tokens(str(i)) for i in items)
        return _json(
            {
                "object": "list",
                "data": data,
                "model": body.get("model", k.model),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )

    async def models(request: Request) -> Response:
        stats.last_headers = {
            k: v for k, v in request.headers.items() if k.startswith("x-") or k == "authorization"
        }
        return _json(
            {
                "object": "list",
                "data": [
                    {
                        "id": model,
                        "object": "model",
                        "created": 0,
                        "owned_by": "aegis-devupstream",
                    }
                    for model in dict.fromkeys((knobs.model, FIXTURE_MODEL))
                ],
            }
        )

    async def health(request: Request) -> Response:
        return Response(status_code=200)

    async def get_stats(request: Request) -> Response:
        return _json(stats.as_dict())

    app = Starlette(
        routes=[
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/v1/completions", completions, methods=["POST"]),
            Route("/v1/embeddings", embeddings, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
            Route("/devupstream/stats", get_stats, methods=["GET"]),
        ]
    )
    app.state.stats = stats
    app.state.knobs = knobs
    return app


async def _disconnected(request: Request) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def _stream(
    head: dict[str, Any],
    choices: list[dict[str, Any]],
    usage: dict[str, int],
    usage_mode: str,
    knobs: UpstreamKnobs,
    stats: UpstreamStats,
) -> AsyncIterator[bytes]:
    """Server-sent events: one chunk per choice (the last carries ``finish_reason``), usage
    per ``usage_mode`` (``final``: in the last chunk; ``chunk``: a chunk of its own with no
    choices; ``none``), then ``[DONE]``."""
    finished = False
    try:
        for index, choice in enumerate(choices):
            last = choice.get("finish_reason") is not None
            if not last:
                if knobs.drop_after is not None and index >= knobs.drop_after:
                    # Simulate a crash: end the response without the final chunk or [DONE].
                    raise ConnectionAbortedError("development upstream dropped the stream")
                if index and knobs.delay_ms:
                    await asyncio.sleep(knobs.delay_ms / 1000)
            chunk: dict[str, Any] = {**head, "choices": [choice]}
            if last and usage_mode == "final":
                chunk["usage"] = usage
            if knobs.stamp:
                chunk["aegis_dev_sent_ns"] = time.monotonic_ns()
            yield b"data: " + orjson.dumps(chunk) + b"\n\n"
        if usage_mode == "chunk":
            yield b"data: " + orjson.dumps({**head, "choices": [], "usage": usage}) + b"\n\n"
        yield b"data: [DONE]\n\n"
        finished = True
    finally:
        stats.active -= 1
        if finished:
            stats.completed += 1
        else:
            stats.cancelled += 1
