"""``aegis tools …``: the tool catalogue and its per-workspace overrides, a client of core's
admin API (:mod:`core.routes.tools`).

    aegis tools list [--workspace W] [--json]
    aegis tools set NAME [--workspace W] [--level LOW|MEDIUM|HIGH|CRITICAL]
                         [--permission llm:call|tools:call|…] [--path-arg A]… [--extension .md]…
                         [--command-arg A]… [--url-arg A]… [--max-bytes N] [--json]
    aegis tools delete NAME [--workspace W]

Without ``--workspace`` a workspace admin acts on its own workspace, a global admin on ``*``
(every workspace). ``set`` replaces the tool's whole stored override there: a field not given
inherits the repository's catalogue. ``--no-path-args`` (and ``--no-extensions``,
``--no-command-args``, ``--no-url-args``) store an empty list: no argument checked that way
(no extension at all, for ``--no-extensions``). Needs an admin key in ``AEGIS_API_KEY``.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote

import orjson

from core.cli.adminclient import AdminClient, AdminClientError
from core.tools.catalogue import Level

__all__ = ["add_parser", "run"]

_BASE: Final = "/api/v1/admin/tools"
_LISTS: Final = (
    ("path_arg", "paths", "path-args"),
    ("extension", "extensions", "extensions"),
    ("command_arg", "commands", "command-args"),
    ("url_arg", "urls", "url-args"),
)


def add_parser(groups: Any) -> None:
    tools = groups.add_parser(
        "tools", help="tool calls: the catalogue's levels, permissions and argument rules"
    ).add_subparsers(dest="command", required=True)
    listing = tools.add_parser("list", help="every tool as it applies in a workspace")
    listing.add_argument(
        "--workspace", help="default: your key's workspace ('*' for a global admin)"
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    put = tools.add_parser(
        "set",
        help="store a tool's override in a workspace, replacing the previous one",
        description="Store the override of tool NAME. This REPLACES its whole stored override "
        "in that workspace: a field not given here inherits the repository's catalogue.",
    )
    put.add_argument("name")
    put.add_argument("--workspace", help="default: your key's workspace ('*' for a global admin)")
    put.add_argument("--level", type=str.upper, choices=[level.value for level in Level])
    put.add_argument("--permission", help="what the caller's key must hold, e.g. tools:call")
    for dest, _, flag in _LISTS:
        singular = flag[:-1]
        put.add_argument(
            f"--{singular}", dest=dest, action="append", default=None, help="repeatable"
        )
        put.add_argument(
            f"--no-{flag}", dest=f"no_{dest}", action="store_true", help="store an empty list"
        )
    put.add_argument("--max-bytes", type=int, help="the largest arguments a call may carry")
    put.add_argument("--json", action="store_true", help="print JSON")
    delete = tools.add_parser("delete", help="remove a tool's override in a workspace")
    delete.add_argument("name")
    delete.add_argument(
        "--workspace", help="default: your key's workspace ('*' for a global admin)"
    )


async def run(args: argparse.Namespace) -> int:
    async with AdminClient.from_env("an admin") as client:
        if args.command == "list":
            params = {} if args.workspace is None else {"workspace": args.workspace}
            data = await client.call("GET", _BASE, params=params)
            if args.json:
                print(orjson.dumps(data).decode())
            else:
                _print_table(data)
            return 0
        workspace = args.workspace or await _own_workspace(client)
        path = f"{_BASE}/{quote(workspace, safe='')}/{quote(args.name, safe='')}"
        if args.command == "delete":
            await client.call("DELETE", path)
            print(f"deleted the override of {args.name} in workspace {workspace}")
            return 0
        row = await client.call("PUT", path, body=_settings(args))
        if args.json:
            print(orjson.dumps(row).decode())
        else:
            words = " ".join(f"{k}={_shown(v)}" for k, v in row["settings"].items()) or "(none)"
            print(f"{args.name} in workspace {row['workspace']}: {words}")
        return 0


async def _own_workspace(client: AdminClient) -> str:
    """The workspace the key acts on by default: what core's listing answers for it."""
    data = await client.call("GET", _BASE)
    workspace: str = data["workspace"]
    return workspace


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if args.level is not None:
        settings["level"] = args.level
    if args.permission is not None:
        settings["permission"] = args.permission
    for dest, field, flag in _LISTS:
        values = getattr(args, dest)
        if getattr(args, f"no_{dest}"):
            if values:
                raise AdminClientError(f"--{flag[:-1]} and --no-{flag} together")
            settings[field] = []
        elif values:
            settings[field] = list(dict.fromkeys(values))
    if args.max_bytes is not None:
        settings["max_bytes"] = args.max_bytes
    return settings


def _shown(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value) or "none"
    return str(value)


def _print_table(data: Mapping[str, Any]) -> None:
    print(
        f"workspace {data['workspace']}; unknown tools {data['unknown_level']}; "
        f"egress: {', '.join(data['egress']) or 'none'}"
    )
    print(f"{'TOOL':<24} {'LEVEL':<9} {'PERMISSION':<12} {'CHECKS':<40} OVERRIDDEN")
    for tool in data["tools"]:
        checks = [
            f"{field}={_shown(tool[field])}"
            for field in ("paths", "commands", "urls")
            if tool[field]
        ]
        if tool["extensions"] is not None:
            checks.append(f"ext={_shown(tool['extensions'])}")
        checks.append(f"max={tool['max_bytes']}")
        print(
            f"{tool['name']:<24} {tool['level']:<9} {tool['permission']:<12} "
            f"{' '.join(checks):<40} {'yes' if tool['overridden'] else ''}"
        )
    for name in data.get("invalid", []):
        print(f"skipped (no longer valid): {name}")
