"""``aegis bypass …``: security staff's commands, a client of core's admin API.

    aegis bypass list [--since 24h] [--unreviewed] [--limit N] [--before ID | --all] [--json]
    aegis bypass show ID            ID: the event's number, its event id or its request id
    aegis bypass review ID --note "checked with the team: load test"
    aegis bypass dead-letters [--limit N] [--json]

``list`` shows one page, newest first, and then the command for the next page if there is
one (``--before ID``); ``--all`` follows the pages to the end (``--limit`` is then the page
size). ``dead-letters`` lists the stream entries core could not store (malformed, or refused
by PostgreSQL), without their content.

It calls core at ``AEGIS_CORE_URL`` (default ``http://127.0.0.1:8081``) with the key in
``AEGIS_API_KEY`` (see :mod:`core.cli.adminclient`), whose role must be admin or auditor; the
review is recorded under that key's user.
"""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import quote

import orjson

from core.cli.adminclient import AdminClient

__all__ = ["add_parser", "run"]


def add_parser(groups: Any) -> None:
    bypass = groups.add_parser(
        "bypass", help="requests the edges sent past core (fail-open)"
    ).add_subparsers(dest="command", required=True)
    listing = bypass.add_parser("list", help="list bypass events, newest first")
    listing.add_argument("--since", help="a duration (24h, 30m, 7d) or an ISO 8601 time")
    listing.add_argument("--unreviewed", action="store_true", help="only events not reviewed")
    listing.add_argument("--limit", type=int, default=100, help="events per page (1 to 1000)")
    pages = listing.add_mutually_exclusive_group()
    pages.add_argument("--before", type=int, metavar="ID", help="the page after event ID")
    pages.add_argument("--all", action="store_true", help="every page, to the oldest event")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = bypass.add_parser("show", help="show one bypass event")
    show.add_argument("id")
    show.add_argument("--json", action="store_true", help="print JSON")
    review = bypass.add_parser("review", help="record that you reviewed an event")
    review.add_argument("id")
    review.add_argument("--note", required=True)
    review.add_argument("--json", action="store_true", help="print JSON")
    dead = bypass.add_parser("dead-letters", help="stream entries core could not store")
    dead.add_argument("--limit", type=int, default=100)
    dead.add_argument("--json", action="store_true", help="print JSON")


async def run(args: argparse.Namespace) -> int:
    base = "/api/v1/admin/bypass-events"
    async with AdminClient.from_env("an admin or auditor") as client:
        if args.command == "list":
            return await _list(client, base, args)
        if args.command == "dead-letters":
            data = await client.call(
                "GET", "/api/v1/admin/bypass-dead-letters", params={"limit": str(args.limit)}
            )
            letters = data["dead_letters"]
            if args.json:
                print(orjson.dumps(letters).decode())
            elif not letters:
                print("no dead letters")
            else:
                for letter in letters:
                    print(_dead_line(letter))
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


async def _list(client: AdminClient, base: str, args: argparse.Namespace) -> int:
    params = {"limit": str(args.limit)}
    if args.since:
        params["since"] = args.since
    if args.unreviewed:
        params["unreviewed"] = "true"
    if args.before is not None:
        params["before_id"] = str(args.before)
    events: list[dict[str, Any]] = []
    while True:
        data = await client.call("GET", base, params=params)
        page: list[dict[str, Any]] = data["events"]
        if not args.json:
            for event in page:
                print(_line(event))
        events.extend(page)
        after = data.get("next")
        if after is None or not args.all:
            break
        params["before_id"] = str(after)
    if args.json:
        print(orjson.dumps(events).decode())
    elif not events:
        print("no bypass events")
    elif after is not None:
        print(f"more: aegis bypass list --before {after} (or --all)")
    return 0


def _dead_line(letter: dict[str, Any]) -> str:
    return (
        f"{letter['id']:>6}  {letter['dead_at'][:19]}  {letter['reason']:<9} "
        f"{letter['error']:<28} entry {letter['entry_id']}  "
        f"request {letter['request_id'] or '-'}  sha256 {letter['entry_sha256'][:16]}…  "
        f"{letter['entry_bytes']} bytes"
    )


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
