"""The admin API for security staff: bypass events (list, show, review).

    GET  /api/v1/admin/bypass-events?since=24h&unreviewed=true&limit=100&before_id=N
         → {"events": [...], "next": N or null}   next page: the same query, before_id=next
    GET  /api/v1/admin/bypass-events/{ref}           ref: number, event id or request id
    POST /api/v1/admin/bypass-events/{ref}/review    {"note": "..."}
    GET  /api/v1/admin/bypass-dead-letters?limit=100 stream entries core could not store

Only keys whose role has ``bypass:read`` / ``bypass:review`` (admin and auditor) may call
them; the reviewer recorded is the key's user. ``aegis bypass …`` is a client of this API.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any, Final

import asyncpg
import structlog
from asyncpg.exceptions import _base as asyncpg_base
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.bypass.store import BypassStore, ReviewConflict
from core.db.pool import DB_ERRORS
from core.lifecycle.exchange import Exchange
from core.lifecycle.run import begin
from core.state import CoreState, core_state
from shared.errors import (
    ConflictError,
    DatabaseUnavailableError,
    InvalidRequestError,
    NotFoundError,
)
from shared.http import Handler, json_response, read_json_body, request_info
from shared.keyset import KeyIdentity
from shared.wire import load_object

__all__ = [
    "ROUTES",
    "authorized",
    "authorized_call",
    "database_pool",
    "parse_int",
    "parse_limit",
    "parse_since",
    "path_text",
    "read_object",
    "uses_database",
]

_log = structlog.get_logger("aegis.core.admin")

MAX_LIMIT: Final = 1000
MAX_NOTE_CHARS: Final = 4000
MAX_PATH_TEXT_CHARS: Final = 256
_DURATION = re.compile(r"([0-9]{1,6})([smhd])")
_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# ASCII digits only: str.isdigit() and int() accept other scripts' digits, and not the same
# ones ("²" is a digit to one and not the other).
_NUMBER = re.compile(r"[0-9]{1,18}")
# What no name or id holds and PostgreSQL's text cannot take (NUL) or asyncpg cannot encode
# (a lone surrogate, from a percent-encoded path).
_NOT_TEXT = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# The client's own data PostgreSQL or asyncpg refused (a character it cannot store, a value
# out of range): a 400, not an outage. The door checks should leave none to reach it.
_CLIENT_DATA_ERRORS = (asyncpg.exceptions.DataError, asyncpg_base.DataError)


def parse_since(value: str, now: dt.datetime) -> dt.datetime:
    """``24h``, ``30m``, ``7d``, ``90s`` before ``now``, or an ISO 8601 time (UTC if naive),
    as a UTC time; 400 for anything else, or a time before year 1 or after 9999.

    >>> parse_since("2h", dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)).hour
    10
    """
    text = value.strip()
    match = _DURATION.fullmatch(text)
    try:
        if match:
            return now - dt.timedelta(seconds=int(match[1]) * _UNITS[match[2]])
        moment = dt.datetime.fromisoformat(text)
        return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except ValueError:
        raise InvalidRequestError(
            "'since' must be a duration like 24h, 30m, 7d or an ISO 8601 time.", param="since"
        ) from None
    except OverflowError:
        raise InvalidRequestError("'since' is out of range.", param="since") from None


def parse_int(value: str, name: str, *, minimum: int, maximum: int) -> int:
    """A query parameter of ASCII digits from ``minimum`` to ``maximum``; 400 naming it.

    >>> parse_int("25", "limit", minimum=1, maximum=1000)
    25
    """
    if _NUMBER.fullmatch(value) is None or not minimum <= int(value) <= maximum:
        raise InvalidRequestError(f"'{name}' must be {minimum} to {maximum}.", param=name)
    return int(value)


def parse_limit(value: str | None, default: int = 100) -> int:
    """The ``limit`` query parameter: 1 to ``MAX_LIMIT``, ``default`` when absent."""
    if value is None:
        return default
    return parse_int(value, "limit", minimum=1, maximum=MAX_LIMIT)


def path_text(request: Request, name: str, max_chars: int = MAX_PATH_TEXT_CHARS) -> str:
    """A path parameter that names something (an id, a workspace): 400 if no name could be
    it (a control character, a lone surrogate, over ``max_chars``), before any query.

    A NUL would otherwise reach PostgreSQL, which refuses it as an encoding error.
    """
    return _named(request.path_params[name], name, max_chars)


def query_text(request: Request, name: str, max_chars: int = MAX_PATH_TEXT_CHARS) -> str | None:
    """A query parameter that names something (a paging cursor), checked as
    :func:`path_text` checks a path parameter; None when absent."""
    value = request.query_params.get(name)
    return None if value is None else _named(value, name, max_chars)


def _named(value: str, name: str, max_chars: int) -> str:
    if len(value) > max_chars or _NOT_TEXT.search(value):
        raise InvalidRequestError(
            f"'{name}' must be at most {max_chars} characters, without control characters.",
            param=name,
        )
    return value


def authorized(state: CoreState, request: Request, permission: str) -> KeyIdentity:
    """The caller's identity; 401, or 403 unless it holds ``permission``. The call is an
    audit row (action ``admin``) whatever its outcome, a refusal included."""
    return authorized_call(state, request, permission)[0]


def authorized_call(
    state: CoreState, request: Request, permission: str
) -> tuple[KeyIdentity, Exchange]:
    """:func:`authorized`, and the call's exchange, where a change adds what it changed
    (``exchange.admin_changes``) for its audit row."""
    exchange = begin(request, state)
    identity = state.keys.authenticate(request.headers.get("authorization"))
    exchange.identify(identity)
    info = request_info(request)
    info.key_id = identity.key_id
    state.keys.authorize(identity, permission)
    return identity, exchange


def database_pool(state: CoreState) -> asyncpg.Pool:
    """The pool, or 503 while PostgreSQL is not connected."""
    pool = state.database.pool
    if pool is None:
        raise DatabaseUnavailableError()
    return pool


def _store(state: CoreState) -> BypassStore:
    return BypassStore(database_pool(state))


def _flag(value: str | None, name: str) -> bool:
    if value is None:
        return False
    lowered = value.lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no", ""):
        return False
    raise InvalidRequestError(f"'{name}' must be true or false.", param=name)


async def read_object(request: Request, limit: int = 64 * 1024) -> dict[str, Any]:
    """The request's body as a JSON object; 400 for anything else, 408 if it is not sent."""
    read_timeout = core_state(request).settings.body_read_timeout_ms / 1000
    return load_object(await read_json_body(request, limit, read_timeout))


async def list_events(request: Request) -> Response:
    state = core_state(request)
    authorized(state, request, "bypass:read")
    params = request.query_params
    since = params.get("since")
    limit = parse_limit(params.get("limit"))
    # Keyset paging: the events listed after event ``before_id`` (the previous page's "next").
    before_id = params.get("before_id")
    if before_id is not None and not (
        before_id.isascii() and before_id.isdigit() and len(before_id) < 19
    ):
        raise InvalidRequestError("'before_id' must be an event's number.", param="before_id")
    store = _store(state)
    page = await store.page(
        since=parse_since(since, dt.datetime.now(dt.UTC)) if since else None,
        unreviewed=_flag(params.get("unreviewed"), "unreviewed"),
        before_id=int(before_id) if before_id is not None else None,
        limit=limit,
    )
    return json_response(
        {"events": [record.as_dict() for record in page.events], "next": page.next}
    )


async def show_event(request: Request) -> Response:
    state = core_state(request)
    authorized(state, request, "bypass:read")
    ref = path_text(request, "ref")
    record = await _store(state).get(ref)
    if record is None:
        raise NotFoundError(f"No bypass event '{ref}'.")
    return json_response(record.as_dict())


async def review_event(request: Request) -> Response:
    state = core_state(request)
    identity, exchange = authorized_call(state, request, "bypass:review")
    ref = path_text(request, "ref")
    body = await read_object(request)
    note = body.get("note")
    if not isinstance(note, str) or not note.strip():
        raise InvalidRequestError("A review needs a non-empty 'note'.", param="note")
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidRequestError(
            f"'note' is longer than {MAX_NOTE_CHARS} characters.", param="note"
        )
    if "\x00" in note:
        raise InvalidRequestError("'note' must not contain NUL characters.", param="note")
    try:
        record = await _store(state).review(ref, reviewer=identity.user, note=note.strip())
    except ReviewConflict as exc:
        done = exc.record
        raise ConflictError(
            f"Bypass event {done.id} was reviewed by {done.reviewed_by} already."
        ) from None
    if record is None:
        raise NotFoundError(f"No bypass event '{ref}'.")
    exchange.admin_changes = (("bypass_review", str(record.id)),)
    _log.info("bypass_event_reviewed", bypass_id=record.id, reviewer=identity.user)
    return json_response(record.as_dict())


async def list_dead_letters(request: Request) -> Response:
    """Bypass stream entries core could not store (newest first), without their content."""
    state = core_state(request)
    authorized(state, request, "bypass:read")
    limit = parse_limit(request.query_params.get("limit"))
    letters = await _store(state).dead_letters(limit=limit)
    return json_response({"dead_letters": letters})


def uses_database(handler: Handler) -> Handler:
    """An admin handler whose PostgreSQL failures are a 503 ``database_unavailable``, never a
    500, and whose values PostgreSQL refused a 400: the one place the admin routes map
    database errors."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except _CLIENT_DATA_ERRORS as exc:
            raise InvalidRequestError(
                "A value in the request cannot be stored or searched for."
            ) from exc
        except DB_ERRORS as exc:
            raise DatabaseUnavailableError() from exc

    return wrapped


ROUTES: Final = [
    Route("/api/v1/admin/bypass-events", uses_database(list_events), methods=["GET"]),
    Route("/api/v1/admin/bypass-dead-letters", uses_database(list_dead_letters), methods=["GET"]),
    Route("/api/v1/admin/bypass-events/{ref}", uses_database(show_event), methods=["GET"]),
    Route(
        "/api/v1/admin/bypass-events/{ref}/review", uses_database(review_event), methods=["POST"]
    ),
]
