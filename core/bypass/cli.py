"""``aegis bypass …``: security staff's commands, a client of core's admin API.

    aegis bypass list [--since 24h] [--unreviewed] [--limit N] [--json]
    aegis bypass show ID            ID: the event's number or its request id
    aegis bypass review ID --note "checked with the team: load test"

It calls core at ``AEGIS_CORE_URL`` (default ``http://127.0.0.1:8081``) with the key in
``AEGIS_API_KEY``, whose role must be admin or auditor; the review is recorded under that
key's user. Going through the API, not the database, is what enforces those roles.
"""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson

from shared.config import EnvReader

__all__ = ["add_parser", "run"]

DEFAULT_CORE_URL = "http://127.0.0.1:8081"
_TIMEOUT = aiohttp.ClientTimeout(total=30)


class BypassCliError(Exception):
    """A failure to report as one line and exit status 1."""


def add_parser(groups: Any) -> None:
    bypass = groups.add_parser(
        "bypass", help="requests the edges sent past core (fail-open)"
    ).add_subparsers(dest="command", required=True)
    listing = bypass.add_parser("list", help="list bypass events, newest first")
    listing.add_argument("--since", help="a duration (24h, 30m, 7d) or an ISO 8601 time")
    listing.add_argument("--unreviewed", action="store_true", help="only events not reviewed")
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = bypass.add_parser("show", help="show one bypass event")
    show.add_argument("id")
    show.add_argument("--json", action="store_true", help="print JSON")
    review = bypass.add_parser("review", help="record that you reviewed an event")
    review.add_argument("id")
    review.add_argument("--note", required=True)
    review.add_argument("--json", action="store_true", help="print JSON")


async def run(args: argparse.Namespace) -> int:
    env = EnvReader()
    core_url = env.url("AEGIS_CORE_URL", default=DEFAULT_CORE_URL)
    key = env.secret("AEGIS_API_KEY")
    env.finish()
    if not key:
        raise BypassCliError("set AEGIS_API_KEY to an admin or auditor key")
    base = core_url + "/api/v1/admin/bypass-events"
    async with aiohttp.ClientSession(
        headers={"authorization": "Bearer " + key.get()}, timeout=_TIMEOUT
    ) as session:
        if args.command == "list":
            params = {"limit": str(args.limit)}
            if args.since:
                params["since"] = args.since
            if args.unreviewed:
                params["unreviewed"] = "true"
            data = await _call(session, "GET", base, core_url, params=params)
            events = data["events"]
            if args.json:
                print(orjson.dumps(events).decode())
            elif not events:
                print("no bypass events")
            else:
                for event in events:
                    print(_line(event))
            return 0
        url = f"{base}/{quote(args.id, safe='')}"
        if args.command == "show":
            event = await _call(session, "GET", url, core_url)
        else:
            event = await _call(
                session, "POST", url + "/review", core_url, body={"note": args.note}
            )
        if args.json:
            print(orjson.dumps(event).decode())
        else:
            for name, value in event.items():
                print(f"{name + ':':<19}{_shown(value)}")
        return 0


async def _call(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    core_url: str,
    *,
    params: dict[str, str] | None = None,
    body: dict[str, str] | None = None,
) -> Any:
    try:
        async with session.request(method, url, params=params, json=body) as response:
            raw = await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise BypassCliError(
            f"cannot reach core at {core_url} ({type(exc).__name__}); set AEGIS_CORE_URL"
        ) from exc
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BypassCliError(f"core answered {status} with a body that is not JSON") from None
    if status != 200:
        message = data.get("error", {}).get("message") if isinstance(data, dict) else None
        raise BypassCliError(f"core answered {status}: {message or 'no message'}")
    return data


def _line(event: dict[str, Any]) -> str:
    reviewed = f"reviewed by {event['reviewed_by']}" if event["reviewed_by"] else "UNREVIEWED"
    return (
        f"{event['id']:>6}  {event['occurred_at'][:19]}  {event['request_id']}  "
        f"{event['user'] or '-':<12} {event['workspace'] or '-':<12} {event['reason']:<16} "
        f"{event['status']}  {reviewed}"
    )


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "-"
    return str(value)
