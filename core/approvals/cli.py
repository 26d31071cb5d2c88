"""``aegis approvals …``: held tool calls, a client of core's admin API
(:mod:`core.routes.approvals`).

    aegis approvals                         interactive: pending calls (tool, level, user, age,
                                            time left); "a N" approves row N, "r N" asks a
                                            reason and rejects it, Enter refreshes, "q" quits
                                            (it also refreshes by itself every few seconds)
    aegis approvals --list [--status S] [--json]
    aegis approvals approve ID [--json]
    aegis approvals reject ID --reason R [--json]
    aegis approvals stats [--since 1d] [--json]

Needs an admin key in ``AEGIS_API_KEY`` (a workspace admin sees its own workspace's calls).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import threading
from collections.abc import Mapping
from typing import Any, Final

import orjson

from core.cli.adminclient import AdminClient, AdminClientError

__all__ = ["add_parser", "run"]

_BASE: Final = "/api/v1/admin/approvals"
_REFRESH_S: Final = 3.0


def add_parser(groups: Any) -> None:
    approvals = groups.add_parser(
        "approvals",
        help="tool calls waiting for a person: list, approve, reject, stats (no command: "
        "interactive)",
    )
    approvals.add_argument("--list", action="store_true", help="print the calls and exit")
    approvals.add_argument(
        "--status",
        default="pending",
        choices=["pending", "approved", "rejected", "expired", "all"],
        help="with --list (default pending)",
    )
    approvals.add_argument("--json", action="store_true", help="print JSON")
    commands = approvals.add_subparsers(dest="command")
    approve = commands.add_parser("approve", help="let a held call through")
    approve.add_argument("id")
    approve.add_argument("--json", action="store_true", help="print JSON")
    reject = commands.add_parser("reject", help="refuse a held call, with a reason")
    reject.add_argument("id")
    reject.add_argument("--reason", required=True, help="what the agent reads")
    reject.add_argument("--json", action="store_true", help="print JSON")
    stats = commands.add_parser("stats", help="totals, approval rate per tool, timeouts")
    stats.add_argument("--since", default="1d", help="24h, 7d, or an ISO 8601 time")
    stats.add_argument("--json", action="store_true", help="print JSON")


async def run(args: argparse.Namespace) -> int:
    async with AdminClient.from_env("an admin") as client:
        if args.command == "approve":
            row = await client.call("POST", f"{_BASE}/{args.id}/approve")
            _said(row, args.json)
            return 0
        if args.command == "reject":
            row = await client.call(
                "POST", f"{_BASE}/{args.id}/reject", body={"reason": args.reason}
            )
            _said(row, args.json)
            return 0
        if args.command == "stats":
            data = await client.call("GET", f"{_BASE}/stats", params={"since": args.since})
            if args.json:
                print(orjson.dumps(data).decode())
            else:
                _print_stats(data)
            return 0
        if args.list:
            params = {} if args.status == "all" else {"status": args.status}
            data = await client.call("GET", _BASE, params=params)
            if args.json:
                print(orjson.dumps(data).decode())
            else:
                _print_rows(data["approvals"])
            return 0
        return await _interactive(client)


def _said(row: Mapping[str, Any], as_json: bool) -> None:
    if as_json:
        print(orjson.dumps(row).decode())
    else:
        print(f"{row['id']} {row['tool']} ({row['level']}) of {row['user_id']}: {row['status']}")


def _age(iso: str, now: dt.datetime) -> str:
    seconds = int((now - dt.datetime.fromisoformat(iso)).total_seconds())
    return _duration(seconds)


def _duration(seconds: int) -> str:
    seconds = max(seconds, 0)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


def _print_rows(rows: list[Mapping[str, Any]], numbered: bool = False) -> None:
    now = dt.datetime.now(dt.UTC)
    if not rows:
        print("no calls")
        return
    print(
        f"{'#' if numbered else 'ID':<{4 if numbered else 36}} {'TOOL':<18} {'LEVEL':<9} "
        f"{'USER':<14} {'WORKSPACE':<12} {'AGE':>5} {'LEFT':>5} {'STATUS':<9} PREVIEW"
    )
    for number, row in enumerate(rows, 1):
        left = int((dt.datetime.fromisoformat(row["expires_at"]) - now).total_seconds())
        ident = str(number) if numbered else row["id"]
        print(
            f"{ident:<{4 if numbered else 36}} {row['tool']:<18} {row['level']:<9} "
            f"{row['user_id']:<14} {row['workspace']:<12} {_age(row['requested_at'], now):>5} "
            f"{_duration(left) if row['status'] == 'pending' else '-':>5} {row['status']:<9} "
            f"{row['preview'][:60]}"
        )


def _print_stats(data: Mapping[str, Any]) -> None:
    mean = data["mean_decision_s"]
    rate = data["approval_rate"]
    print(
        f"since {data['since']}: {data['total']} requests, {data['approved']} approved, "
        f"{data['rejected']} rejected, {data['expired']} timed out, {data['pending']} pending"
    )
    print(
        f"approval rate {'-' if rate is None else f'{rate:.0%}'}; mean time to decision "
        f"{'-' if mean is None else f'{mean:.1f}s'}"
    )
    print(f"{'TOOL':<24} {'APPROVED':>8} {'REJECTED':>8} {'EXPIRED':>8} {'RATE':>6}")
    for tool in data["tools"]:
        rate = tool["approval_rate"]
        print(
            f"{tool['tool']:<24} {tool['approved']:>8} {tool['rejected']:>8} "
            f"{tool['expired']:>8} {'-' if rate is None else f'{rate:.0%}':>6}"
        )


async def _interactive(client: AdminClient) -> int:
    """Plain terminal input: the list, then a command; refreshed every few seconds."""
    lines: asyncio.Queue[str] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def read() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line.strip())
        loop.call_soon_threadsafe(lines.put_nowait, "q")

    threading.Thread(target=read, daemon=True).start()
    while True:
        data = await client.call("GET", _BASE, params={"status": "pending"})
        rows = data["approvals"]
        print(f"\n{len(rows)} pending (a N: approve, r N: reject, Enter: refresh, q: quit)")
        _print_rows(rows, numbered=True)
        print("> ", end="", flush=True)
        try:
            async with asyncio.timeout(_REFRESH_S):
                line = await lines.get()
        except TimeoutError:
            continue
        if not line:
            continue
        if line == "q":
            return 0
        action, _, number = line.partition(" ")
        if action not in ("a", "r") or not number.strip().isdigit():
            print("type 'a N' or 'r N' (N: the row's number), Enter, or q")
            continue
        index = int(number) - 1
        if not 0 <= index < len(rows):
            print(f"no row {number}")
            continue
        row = rows[index]
        try:
            if action == "a":
                done = await client.call("POST", f"{_BASE}/{row['id']}/approve")
            else:
                print("reason: ", end="", flush=True)
                reason = await lines.get()
                if not reason or reason == "q":
                    print("not rejected (a reason is needed)")
                    continue
                done = await client.call(
                    "POST", f"{_BASE}/{row['id']}/reject", body={"reason": reason}
                )
            _said(done, False)
        except AdminClientError as exc:
            print(f"aegis: {exc}")
