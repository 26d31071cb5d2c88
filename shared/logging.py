"""structlog configuration: one JSON line per event, with prompt text and secrets removed.

Every process calls :func:`configure_logging` once. The request middleware puts the request
in :data:`REQUEST_CONTEXT`, so each line of the request carries its ``request_id``,
``client_ip`` and ``key_id``. :class:`RedactSensitive` drops fields that could hold prompt or
response text or a credential, whatever a caller passes by mistake.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterable, MutableMapping
from contextvars import ContextVar
from typing import Any, BinaryIO, Final, Protocol

import orjson
import structlog

__all__ = [
    "REQUEST_CONTEXT",
    "SENSITIVE_KEYS",
    "CoalescingBytesLogger",
    "LineFields",
    "RedactSensitive",
    "add_request_context",
    "configure_logging",
]

SENSITIVE_KEYS: Final = frozenset(
    {
        "prompt",
        "messages",
        "content",
        "text",
        "input",
        "response",
        "body",
        "authorization",
        "api_key",
        "key",
        "password",
        "secret",
        "token",
    }
)


class RequestContext(Protocol):
    request_id: str
    client_ip: str
    key_id: str | None


# The request being handled (shared.http's RequestInfo), set once per request by its
# middleware: one context variable instead of structlog's one per bound key, which cost
# ~5 µs a request in binding and merging.
REQUEST_CONTEXT: Final[ContextVar[RequestContext | None]] = ContextVar(
    "aegis_request", default=None
)


def add_request_context(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Adds ``request_id``, ``client_ip`` and, once known, ``key_id`` of the current request."""
    request = REQUEST_CONTEXT.get()
    if request is not None:
        event_dict.setdefault("request_id", request.request_id)
        event_dict.setdefault("client_ip", request.client_ip)
        if request.key_id is not None:
            event_dict.setdefault("key_id", request.key_id)
    return event_dict


class RedactSensitive:
    """Replace the values of sensitive keys with ``"[redacted]"``.

    Shaped like structlog's ``EventRenamer``: a small callable processor.

    >>> RedactSensitive()(None, "info", {"event": "x", "prompt": "hello"})
    {'event': 'x', 'prompt': '[redacted]'}
    """

    def __init__(self, keys: Iterable[str] = SENSITIVE_KEYS) -> None:
        self._keys = frozenset(k.lower() for k in keys)
        # Field names seen, and whether they are sensitive: names come from code, so they
        # are few, and a line every request writes should not lower-case each one.
        self._seen: dict[str, bool] = {}

    def __call__(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        seen = self._seen
        for name in event_dict:
            sensitive = seen.get(name)
            if sensitive is None:
                sensitive = name.lower() in self._keys
                if len(seen) < 4096:
                    seen[name] = sensitive
            if sensitive:
                event_dict[name] = "[redacted]"
        return event_dict


class CoalescingBytesLogger:
    """structlog's ``BytesLogger``, but under a running event loop the lines written within
    :data:`FLUSH_S` go out in one write: a flush (a system call) per line is a measurable part
    of a request's CPU time. Outside a loop (start-up, worker threads, the CLI) each line is
    flushed at once; at exit whatever is buffered is flushed. A process killed outright may
    lose the last ``FLUSH_S`` of lines.
    """

    FLUSH_S: Final = 0.05

    def __init__(self, file: BinaryIO) -> None:
        self._write = file.write
        self._flush = file.flush
        self._scheduled = False
        atexit.register(self.flush)

    def msg(self, message: bytes) -> None:
        self._write(message + b"\n")
        if self._scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._flush()
            return
        self._scheduled = True
        loop.call_later(self.FLUSH_S, self.flush)

    def flush(self) -> None:
        self._scheduled = False
        with contextlib.suppress(ValueError, OSError):  # closed or gone at exit
            self._flush()

    log = debug = info = warn = warning = error = critical = exception = fatal = failure = msg


class LineFields:
    """Everything a line gets, in one processor (one call, not six, on a line every request
    writes): the request's ids (:data:`REQUEST_CONTEXT`), ``level``, an ISO UTC
    ``timestamp``, ``service``, and :class:`RedactSensitive`."""

    _LEVELS: Final = {"warn": "warning", "exception": "error"}

    def __init__(self, service: str) -> None:
        self._service = service
        self._redact = RedactSensitive()
        self._second = -1
        self._prefix = ""

    def __call__(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        add_request_context(logger, method_name, event_dict)
        event_dict["level"] = self._LEVELS.get(method_name, method_name)
        event_dict["timestamp"] = self._timestamp()
        event_dict.setdefault("service", self._service)
        return self._redact(logger, method_name, event_dict)

    def _timestamp(self) -> str:
        """``2026-11-23T18:34:24.834450Z``, the date and time formatted once a second."""
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int((now - second) * 1_000_000):06d}Z"


def _level_number(level: str) -> int:
    return logging.getLevelNamesMapping().get(level.upper(), logging.INFO)


def configure_logging(level: str = "info", *, service: str) -> None:
    """Configure structlog for a process: JSON lines on stdout, ``service`` on every line."""

    shared_processors: list[Any] = [
        LineFields(service),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared_processors, structlog.processors.JSONRenderer(serializer=orjson.dumps)],
        wrapper_class=structlog.make_filtering_bound_logger(_level_number(level)),
        logger_factory=_factory(CoalescingBytesLogger(sys.stdout.buffer)),
        cache_logger_on_first_use=True,
    )

    # Libraries (uvicorn, asyncio, aiohttp) log through the standard library: same JSON lines.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared_processors,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(_level_number(level), logging.INFO))
    # uvicorn's access log would duplicate our own request line.
    logging.getLogger("uvicorn.access").disabled = True


def _factory(logger: CoalescingBytesLogger) -> Callable[..., CoalescingBytesLogger]:
    """One output for every structlog logger of the process (one buffer, one flush timer)."""
    return lambda *_: logger
