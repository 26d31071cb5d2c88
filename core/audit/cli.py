"""``aegis audit …``: the audit trail, through core's admin API.

    aegis audit search [--request-id ID] [--user U] [--workspace W] [--decision D]
                       [--action A] [--since 1h] [--until T] [--limit 50] [--json]
    aegis audit verify [--since 24h] [--json]
    aegis audit export --format csv|jsonl -o FILE [the search filters]
    aegis audit match (--text TEXT | --text-file PATH|-) [--since 30d] [--limit N] [--json]
    aegis audit prune [--export FILE] [--dry-run] [--retention-days N]

They call core (``AEGIS_CORE_URL``, ``AEGIS_API_KEY``): an auditor's or an admin's key for
search, verify, export and match (an admin of one workspace sees its rows only), a global
admin's for prune. ``search`` prints newest first, following pages until ``--limit`` rows.
``verify`` exits 0 when every chain is intact and 1 naming the first changed, inserted or
deleted row otherwise (:mod:`core.audit.verify`). ``export`` streams every matching row,
oldest first, to FILE, its progress on standard error. ``match`` has core hash the text with
the audit key and lists when it was sent or answered (exit 0), or says it was not found (exit
1); ``--text-file -`` reads standard input, which keeps the text out of the process list and
the shell's history (a file's last line break is dropped when the text with it is not
found). ``prune`` drops the monthly partitions past ``AUDIT_RETENTION_DAYS`` (core's; default
365), after exporting their rows to ``--export FILE`` (JSONL) when asked: each month is
exported on its own and core drops it only while it holds exactly the rows exported, so a row
that arrived in between is never dropped unexported (that month is kept, exit 1). ``verify``
takes an auditor's or a global admin's key: the chains run through every workspace.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Final

import orjson

from core.cli import CliError
from core.cli.adminclient import AdminClient

__all__ = ["add_parser", "run"]

_READER: Final = "an auditor or admin"
_PAGE: Final = 500
_FILTERS: Final = ("request_id", "user", "workspace", "decision", "action", "since", "until")


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--request-id", help="one request's row(s)")
    parser.add_argument("--user", help="rows of this user")
    parser.add_argument("--workspace", help="rows of this workspace")
    parser.add_argument("--decision", help="allow, mask, block, hold or error")
    parser.add_argument("--action", help="chat, completion, embedding, inspect, admin, …")
    parser.add_argument("--since", help="from then: a duration (1h, 7d) or ISO 8601")
    parser.add_argument("--until", help="before then: a duration (1h, 7d) or ISO 8601")


def add_parser(groups: Any) -> None:
    audit = groups.add_parser("audit", help="the audit trail").add_subparsers(
        dest="command", required=True
    )
    search = audit.add_parser("search", help="find audit rows, newest first")
    _add_filters(search)
    search.add_argument("--limit", type=int, default=50, help="rows at most (default 50)")
    search.add_argument("--json", action="store_true", help="print JSON (one array)")
    check = audit.add_parser("verify", help="check every hash chain; exit 1 if one is broken")
    check.add_argument("--since", help="only rows from then: a duration (24h, 7d) or ISO 8601")
    check.add_argument("--json", action="store_true", help="print JSON")
    export = audit.add_parser("export", help="write matching rows to a file (streamed)")
    export.add_argument("--format", choices=("csv", "jsonl"), required=True)
    export.add_argument("-o", "--output", type=Path, required=True, help="the file to write")
    _add_filters(export)
    find = audit.add_parser("match", help="was this text sent (or answered), and when?")
    source = find.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="the exact text (visible in the process list)")
    source.add_argument("--text-file", help="a file holding the exact text, or - for stdin")
    find.add_argument("--since", help="only rows from then: a duration (30d) or ISO 8601")
    find.add_argument("--limit", type=int, default=1000, help="rows at most (default 1000)")
    find.add_argument("--json", action="store_true", help="print JSON")
    prune = audit.add_parser("prune", help="drop the months past AUDIT_RETENTION_DAYS")
    prune.add_argument("--export", type=Path, help="append their rows to FILE (JSONL) first")
    prune.add_argument("--dry-run", action="store_true", help="only list what would go")
    prune.add_argument("--retention-days", type=int, help="overrides AUDIT_RETENTION_DAYS")


def _params(args: argparse.Namespace) -> dict[str, str]:
    return {name: str(getattr(args, name)) for name in _FILTERS if getattr(args, name)}


def _read_text(args: argparse.Namespace) -> str:
    if args.text is not None:
        return str(args.text)
    if args.text_file == "-":
        return sys.stdin.read()
    try:
        return Path(args.text_file).read_text("utf-8")
    except OSError as exc:
        raise CliError(f"cannot read {args.text_file}: {exc.strerror}") from None


async def run(args: argparse.Namespace) -> int:
    """Run ``aegis audit COMMAND`` against core; the exit status."""
    async with AdminClient.from_env(_READER) as client:
        if args.command == "search":
            return await _search(client, args)
        if args.command == "verify":
            params = {"since": args.since} if args.since else None
            report = await client.call("GET", "/api/v1/admin/audit/verify", params=params)
            return _print_report(report, as_json=args.json)
        if args.command == "export":
            await _export(client, args.output, args.format, _params(args))
            return 0
        if args.command == "match":
            return await _match(client, args)
        return await _prune(client, args)


async def _search(client: AdminClient, args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CliError("--limit must be 1 or more")
    params = _params(args)
    rows: list[dict[str, Any]] = []
    while len(rows) < args.limit:
        params["limit"] = str(min(_PAGE, args.limit - len(rows)))
        page = await client.call("GET", "/api/v1/admin/audit", params=params)
        rows.extend(page["rows"])
        if page["next"] is None:
            break
        params["before"] = page["next"]
    if args.json:
        print(orjson.dumps(rows).decode())
        return 0
    if not rows:
        print("no audit rows")
        return 0
    print(
        f"{'time (UTC)':<19}  {'request id':<24} {'user':<14} {'workspace':<12} "
        f"{'action':<10} {'decision':<8} {'status':>6} {'ms':>8}  findings"
    )
    for row in rows:
        found = ",".join(sorted({str(f.get("type")) for f in row["findings"]}))
        latency = row["latency_ms"]
        print(
            f"{row['timestamp'][:19].replace('T', ' '):<19}  {_cut(row['request_id'], 24):<24} "
            f"{_cut(row['user_id'], 14):<14} {_cut(row['workspace_id'], 12):<12} "
            f"{_cut(row['action'], 10):<10} {row['decision']:<8} {row['status'] or '':>6} "
            f"{'' if latency is None else f'{latency:.1f}':>8}  "
            f"{found}{'  BYPASSED' if row['bypassed'] else ''}".rstrip()
        )
    return 0


def _cut(value: str | None, width: int) -> str:
    text = value or "-"
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_report(report: dict[str, Any], *, as_json: bool) -> int:
    if as_json:
        print(orjson.dumps(report).decode())
        return 0 if report["ok"] else 1
    summary = (
        f"{report['rows']} rows in {report['writers']} chains"
        f" ({report['dead_letters']} dead letters) checked in {report['seconds']:.1f} s"
    )
    if report["ok"]:
        print(f"intact: {summary}")
        return 0
    print(f"BROKEN: {report['problem_count']} problems; {summary}")
    for problem in report["problems"]:
        where = f"writer {problem['writer_id']} seq {problem['seq']}"
        if problem["log_id"] is not None:
            where = (
                f"log_id {problem['log_id']} (request {problem['request_id']}, "
                f"{problem['timestamp']}, {where})"
            )
        print(f"  {problem['kind']}: {where}: {problem['detail']}")
    return 1


async def _export(
    client: AdminClient, output: Path, form: str, params: dict[str, str], *, append: bool = False
) -> int:
    """Write the rows matching ``params`` to ``output`` (or append them); how many rows."""
    started = time.monotonic()
    shown = [0.0]
    records = "rows" if form == "jsonl" else "lines"

    def progress(written: int, lines: int) -> None:
        now = time.monotonic()
        if now - shown[0] >= 0.5:
            shown[0] = now
            print(f"\r{lines} {records}, {written / 1e6:.1f} MB", end="", file=sys.stderr)

    try:
        with output.open("ab" if append else "wb") as out:
            written, lines = await client.download(
                "/api/v1/admin/audit/export",
                out,
                params={**params, "format": form},
                progress=progress,
            )
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror}") from None
    rows = lines - 1 if form == "csv" else lines
    print(
        f"\r{rows} rows, {written / 1e6:.1f} MB written to {output} in "
        f"{time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )
    return rows


async def _match(client: AdminClient, args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"text": _read_text(args), "limit": args.limit}
    if args.since:
        body["since"] = args.since
    matches = (await client.call("POST", "/api/v1/admin/audit/match", body=body))["matches"]
    text = body["text"]
    if not matches and args.text is None and text.endswith("\n"):
        # A file (or `echo … |`) ends with a line break the sent text seldom had.
        body["text"] = text[:-2] if text.endswith("\r\n") else text[:-1]
        matches = (await client.call("POST", "/api/v1/admin/audit/match", body=body))["matches"]
    if args.json:
        print(orjson.dumps(matches).decode())
    elif not matches:
        print("not found: no request or answer with that exact text")
    for found in [] if args.json else matches:
        print(
            f"{found['timestamp']}  {', '.join(found['matched']):<12}  "
            f"request {found['request_id']}  user {found['user_id']}  "
            f"workspace {found['workspace_id']}  key {found['key_id']}  {found['action']}  "
            f"{found['decision']}"
        )
    return 0 if matches else 1


async def _prune(client: AdminClient, args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"dry_run": True}
    if args.retention_days is not None:
        if args.retention_days < 1:
            raise CliError("--retention-days must be 1 or more")
        body["retention_days"] = args.retention_days
    path = "/api/v1/admin/audit/prune"
    planned = await client.call("POST", path, body=body)
    if args.dry_run or not planned["partitions"]:
        done = planned
    else:
        if args.export is not None:
            # Each month about to go, exported first; core drops a month only while it holds
            # exactly the rows exported (none arrived since), and only the months exported.
            body["expect"] = {
                month["name"]: await _export(
                    client,
                    args.export,
                    "jsonl",
                    {"since": month["start"], "until": month["end"]},
                    append=True,
                )
                for month in planned["partitions"]
            }
        done = await client.call("POST", path, body={**body, "dry_run": False})
    verb = "would drop" if args.dry_run else "dropped"
    for partition in done["partitions"]:
        print(f"{verb} {partition['name']} ({partition['start'][:7]}): {partition['rows']} rows")
    for kept in done.get("changed", ()):
        print(
            f"kept {kept['name']}: it holds {kept['rows']} rows, {kept['expected']} were exported"
            " (rows arrived since); run the prune again",
            file=sys.stderr,
        )
    if not done["partitions"] and not done.get("changed"):
        print(f"nothing older than {done['retention_days']} days")
    return 1 if done.get("changed") else 0
