"""``aegis bypass …``: security staff's commands, a client of core's admin API.

    aegis bypass list [--since 24h] [--unreviewed] [--limit N] [--json]
    aegis bypass show ID            ID: the event's number or its request id
    aegis bypass review ID --note "checked with the team: load test"

It calls core at ``AEGIS_CORE_URL`` (default ``http://127.0.0.1:8081``) with the key in
``AEGIS_API_KEY`` (see :mod:`core.adminclient`), whose role must be admin or auditor; the
review is recorded under that key's user.
"""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import quote

import orjson

from core.adminclient import AdminClient

__all__ = ["add_parser", "run"]


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
    base = "/api/v1/admin/bypass-events"
    async with AdminClient.from_env("an admin or auditor") as client:
        if args.command == "list":
            params = {"limit": str(args.limit)}
            if args.since:
                params["since"] = args.since
            if args.unreviewed:
                params["unreviewed"] = "true"
            data = await client.call("GET", base, params=params)
            events = data["events"]
            if args.json:
                print(orjson.dumps(events).decode())
            elif not events:
                print("no bypass events")
            else:
                for event in events:
                    print(_line(event))
            return 0
        path = f"{base}/{quote(args.id, safe='')}"
        if args.command == "show":
            event = await client.call("GET", path)
        else:
            event = await client.call("POST", path + "/review", body={"note": args.note})
        if args.json:
            print(orjson.dumps(event).decode())
        else:
            for name, value in event.items():
                print(f"{name + ':':<19}{_shown(value)}")
        return 0


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
