"""The admin API for the audit trail: search, export, verify, match, prune.

    GET  /api/v1/admin/audit?user=&workspace=&decision=&action=&request_id=&since=&until=
                             &limit=100&before=CURSOR
         → {"rows": [...], "next": CURSOR or null}   newest first; next page: before=next
    GET  /api/v1/admin/audit/export?format=csv|jsonl&(the same filters)
         → every matching row, oldest first, streamed (hashes hex, times ISO 8601)
    GET  /api/v1/admin/audit/verify?since=24h        → core.audit.verify's report
    POST /api/v1/admin/audit/match  {"text", "since"?, "limit"?}   was this text sent?
    POST /api/v1/admin/audit/prune  {"retention_days"?, "dry_run"?, "expect"?: {name: rows}}
         → {"partitions": [dropped…], "changed": [kept: rows differ from "expect"]}

Search, export, verify and match need ``audit:read`` (auditor, admin); an admin confined to
a workspace gets that workspace's rows only, whatever ``workspace`` it asks for, and may not
verify (the chains run through every workspace). Prune needs
``admin:manage`` and a global admin (it drops whole months of every workspace). The
cursor is the last row's ``timestamp_us:log_id``: pages stay exact while rows arrive. A
match's text is hashed in memory (``AUDIT_HASH_KEY``) and never logged or stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any, Final

import asyncpg
import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from core.audit import store
from core.audit.verify import verify
from core.routes.admin import (
    authorized,
    authorized_call,
    database_pool,
    parse_int,
    parse_limit,
    parse_since,
    read_object,
    uses_database,
)
from core.state import core_state
from shared.errors import (
    ConflictError,
    InvalidRequestError,
    PermissionDeniedError,
    ServiceUnavailableError,
)
from shared.http import json_response
from shared.keyset import KeyIdentity
from shared.permissions import ADMIN_MANAGE, AUDIT_READ, sees_all_workspaces

__all__ = ["COLUMNS", "ROUTES"]

COLUMNS: Final = (
    "log_id",
    "timestamp",
    "request_id",
    "user_id",
    "workspace_id",
    "key_id",
    "role",
    "action",
    "model",
    "decision",
    "dry_run",
    "findings",
    "instruction_hash",
    "context_hash",
    "response_hash",
    "tokens_estimated",
    "tokens_used",
    "latency_ms",
    "stage_ms",
    "status",
    "ip_address",
    "user_agent",
    "bypassed",
    "writer_id",
    "seq",
    "prev_hash",
    "row_hash",
)
EXPORT_PAGE: Final = 2000
_VERIFY_CODECS: Final = ("uuid", "inet", "jsonb", "timestamptz")
MAX_FILTER_CHARS: Final = 256
MAX_MATCH_CHARS: Final = 1_000_000
_FILTERS: Final = {
    "user": "user_id",
    "workspace": "workspace_id",
    "decision": "decision",
    "action": "action",
    "request_id": "request_id",
}
_CURSOR = re.compile(r"([0-9]{1,19}):([0-9a-f-]{36})")
_NOT_TEXT = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# A cell a spreadsheet would run as a formula: exported with a leading quote.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_SELECT: Final = "SELECT " + ", ".join(f'"{c}"' for c in COLUMNS) + " FROM audit_logs"  # noqa: S608 - our column names


def _filters(request: Request, identity: KeyIdentity) -> tuple[list[str], list[Any]]:
    """WHERE clauses (with $n placeholders) and their values from the query string."""
    params = request.query_params
    clauses: list[str] = []
    values: list[Any] = []
    for name, column in _FILTERS.items():
        value = params.get(name)
        if value is None or value == "":
            continue
        if len(value) > MAX_FILTER_CHARS or _NOT_TEXT.search(value):
            raise InvalidRequestError(
                f"'{name}' must be at most {MAX_FILTER_CHARS} characters, without control "
                "characters.",
                param=name,
            )
        values.append(value)
        clauses.append(f"{column} = ${len(values)}")
    if not sees_all_workspaces(identity.role, identity.workspace):
        values.append(identity.workspace)
        clauses.append(f"workspace_id = ${len(values)}")
    now = dt.datetime.now(dt.UTC)
    for name, operator in (("since", ">="), ("until", "<")):
        value = params.get(name)
        if value:
            values.append(_time(value, name, now))
            clauses.append(f'"timestamp" {operator} ${len(values)}')
    return clauses, values


def _time(value: str, name: str, now: dt.datetime) -> dt.datetime:
    try:
        return parse_since(value, now)
    except InvalidRequestError:
        raise InvalidRequestError(
            f"'{name}' must be a duration like 24h, 30m, 7d or an ISO 8601 time.", param=name
        ) from None


def _cursor(value: str) -> tuple[dt.datetime, uuid.UUID]:
    match = _CURSOR.fullmatch(value)
    if match is None:
        raise InvalidRequestError("'before' must be a page's 'next' cursor.", param="before")
    try:
        moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(match[1]))
        return moment, uuid.UUID(match[2])
    except (ValueError, OverflowError):
        raise InvalidRequestError(
            "'before' must be a page's 'next' cursor.", param="before"
        ) from None


def _cursor_of(row: asyncpg.Record | Mapping[str, Any]) -> str:
    delta = row["timestamp"] - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}:{row['log_id']}"


def row_json(row: asyncpg.Record | Mapping[str, Any]) -> dict[str, Any]:
    """A row as JSON values: hashes in hex, times in ISO 8601, findings and stages parsed."""
    item: dict[str, Any] = {}
    for column in COLUMNS:
        value = row[column]
        if column in ("findings", "stage_ms") and isinstance(value, str):
            item[column] = orjson.loads(value)
        elif isinstance(value, bytes):
            item[column] = value.hex()
        elif isinstance(value, dt.datetime):
            item[column] = value.isoformat()
        elif value is None or isinstance(value, str | int | float | bool):
            item[column] = value
        else:
            item[column] = str(value)  # uuid, inet
    return item


async def _page(
    pool: asyncpg.Pool,
    clauses: list[str],
    values: list[Any],
    *,
    after: tuple[dt.datetime, uuid.UUID] | None,
    limit: int,
    newest_first: bool,
) -> list[asyncpg.Record]:
    where = list(clauses)
    args = list(values)
    if after is not None:
        args.extend(after)
        operator = "<" if newest_first else ">"
        where.append(f'("timestamp", log_id) {operator} (${len(args) - 1}, ${len(args)})')
    order = "DESC" if newest_first else "ASC"
    args.append(limit)
    sql = (
        _SELECT
        + (" WHERE " + " AND ".join(where) if where else "")
        + f' ORDER BY "timestamp" {order}, log_id {order} LIMIT ${len(args)}'
    )
    rows: list[asyncpg.Record] = await pool.fetch(sql, *args)
    return rows


async def search(request: Request) -> Response:
    state = core_state(request)
    identity = authorized(state, request, AUDIT_READ)
    clauses, values = _filters(request, identity)
    limit = parse_limit(request.query_params.get("limit"))
    before = request.query_params.get("before")
    rows = await _page(
        database_pool(state),
        clauses,
        values,
        after=_cursor(before) if before else None,
        limit=limit + 1,
        newest_first=True,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return json_response(
        {
            "rows": [row_json(row) for row in rows],
            "next": _cursor_of(rows[-1]) if more and rows else None,
        }
    )


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


async def export(request: Request) -> Response:
    state = core_state(request)
    identity = authorized(state, request, AUDIT_READ)
    form = request.query_params.get("format", "jsonl")
    if form not in ("csv", "jsonl"):
        raise InvalidRequestError("'format' must be csv or jsonl.", param="format")
    clauses, values = _filters(request, identity)
    pool = database_pool(state)
    # The first page before the answer starts: a failure is still a clean error status.
    first = await _page(pool, clauses, values, after=None, limit=EXPORT_PAGE, newest_first=False)

    async def lines() -> AsyncIterator[bytes]:
        rows = first
        if form == "csv":
            yield _csv_line(COLUMNS)
        while rows:
            for row in rows:
                item = row_json(row)
                if form == "csv":
                    yield _csv_line([_csv_cell(item[c]) for c in COLUMNS])
                else:
                    yield orjson.dumps(item) + b"\n"
            if len(rows) < EXPORT_PAGE:
                return
            last = rows[-1]
            rows = await _page(
                pool,
                clauses,
                values,
                after=(last["timestamp"], last["log_id"]),
                limit=EXPORT_PAGE,
                newest_first=False,
            )

    media = "text/csv; charset=utf-8" if form == "csv" else "application/x-ndjson"
    return StreamingResponse(
        lines(),
        media_type=media,
        headers={"content-disposition": f'attachment; filename="audit.{form}"'},
    )


def _csv_line(cells: Any) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue().encode()


async def verify_chains(request: Request) -> Response:
    state = core_state(request)
    identity = authorized(state, request, AUDIT_READ)
    if not sees_all_workspaces(identity.role, identity.workspace):
        # The chains run through every workspace's rows: their counts and a broken row's
        # ids would tell a workspace's admin about the others.
        raise PermissionDeniedError(
            "Verifying the audit trail reads every workspace's rows: it takes an auditor's "
            "or a global admin's key."
        )
    since = request.query_params.get("since")
    moment = _time(since, "since", dt.datetime.now(dt.UTC)) if since else None
    async with database_pool(state).acquire() as connection:
        try:
            report = await verify(connection, moment)  # type: ignore[arg-type]
        finally:
            # verify gives the connection codecs of its own: the pool's next user (the
            # audit writer's COPY, a search) must get the standard ones back.
            for name in _VERIFY_CODECS:
                await connection.reset_type_codec(name, schema="pg_catalog")
    return json_response(report.as_dict())


async def match(request: Request) -> Response:
    state = core_state(request)
    identity = authorized(state, request, AUDIT_READ)
    audit = state.audit
    if audit is None:
        raise ConflictError("The audit trail is off on this core (AUDIT_ENABLED=false).")
    body = await read_object(request, limit=4 * MAX_MATCH_CHARS)
    text = body.get("text")
    if not isinstance(text, str) or not text:
        raise InvalidRequestError("'text' must be the exact text to look for.", param="text")
    since = body.get("since")
    if since is not None and not isinstance(since, str):
        raise InvalidRequestError("'since' must be a duration or an ISO 8601 time.", param="since")
    limit = body.get("limit", 1000)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
        raise InvalidRequestError("'limit' must be 1 to 10000.", param="limit")
    moment = _time(since, "since", dt.datetime.now(dt.UTC)) if since else None
    async with database_pool(state).acquire() as connection:
        found = await store.match(connection, audit.hasher.digest(text), since=moment, limit=limit)
    scope = None if sees_all_workspaces(identity.role, identity.workspace) else identity.workspace
    return json_response(
        {"matches": [m.as_dict() for m in found if scope is None or m.workspace_id == scope]}
    )


async def prune(request: Request) -> Response:
    state = core_state(request)
    identity, exchange = authorized_call(state, request, ADMIN_MANAGE)
    if not sees_all_workspaces(identity.role, identity.workspace):
        raise PermissionDeniedError("Only a global admin may prune the audit trail.")
    body = await read_object(request)
    days = body.get("retention_days", state.settings.audit_retention_days)
    if isinstance(days, bool) or not isinstance(days, int):
        days = parse_int(str(days), "retention_days", minimum=1, maximum=100_000)
    if not 1 <= days <= 100_000:
        raise InvalidRequestError("'retention_days' must be 1 to 100000.", param="retention_days")
    dry_run = body.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise InvalidRequestError("'dry_run' must be true or false.", param="dry_run")
    expect = _expect(body.get("expect"))
    pool = database_pool(state)
    try:
        async with pool.acquire() as connection:
            pruned = await store.prune(
                connection,
                retention_days=days,
                now=dt.datetime.now(dt.UTC),
                dry_run=dry_run,
                expect=expect,
            )
    except OSError as exc:
        raise ServiceUnavailableError("The audit trail could not be pruned.") from exc
    dropped = [(partition, count) for partition, count in pruned if count >= 0]
    if dropped and not dry_run:
        exchange.admin_changes = tuple(
            ("audit_prune", f"{partition.name} rows={count}") for partition, count in dropped
        )
    return json_response(
        {
            "retention_days": days,
            "dry_run": dry_run,
            "partitions": [
                {
                    "name": partition.name,
                    "start": partition.start.isoformat(),
                    "end": partition.end.isoformat(),
                    "rows": count,
                }
                for partition, count in dropped
            ],
            # Kept: rows came or went since the caller exported them (see ``expect``).
            "changed": [
                {
                    "name": partition.name,
                    "rows": -1 - count,
                    "expected": (expect or {})[partition.name],
                }
                for partition, count in pruned
                if count < 0
            ],
        }
    )


def _expect(value: Any) -> dict[str, int] | None:
    """``expect``: the partitions the caller exported, each with its number of rows; only
    those are dropped, each only while it holds exactly that many (none: no condition)."""
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or len(value) > 10_000
        or not all(
            isinstance(name, str)
            and len(name) <= 64
            and isinstance(rows, int)
            and not isinstance(rows, bool)
            and 0 <= rows < 2**63
            for name, rows in value.items()
        )
    ):
        raise InvalidRequestError(
            "'expect' must map partition names to the number of rows exported from each.",
            param="expect",
        )
    return value


ROUTES: Final = [
    Route("/api/v1/admin/audit", uses_database(search), methods=["GET"]),
    Route("/api/v1/admin/audit/export", uses_database(export), methods=["GET"]),
    Route("/api/v1/admin/audit/verify", uses_database(verify_chains), methods=["GET"]),
    Route("/api/v1/admin/audit/match", uses_database(match), methods=["POST"]),
    Route("/api/v1/admin/audit/prune", uses_database(prune), methods=["POST"]),
]
