"""``aegis policy …``: scanning policy overrides, a client of core's admin API.

    aegis policy list [--json]
    aegis policy show SCOPE [NAME] [--json]            SCOPE: global, workspace or key
    aegis policy set SCOPE [NAME] --threshold classifier=0.6 --threshold regex:en.x=off
                                  [--action pii:KR_RRN=block] [--action regex=drop]
                                  [--dry-run on|off|inherit]
                                  [--output-action pii:PHONE_NUMBER=redact]
                                  [--output-action injection=block] [--allow-tool read_file]
                                  [--json]
    aegis policy delete SCOPE [NAME]
    aegis policy effective [--key-id K] [--workspace W] [--json]

``global`` takes no NAME; ``workspace`` takes the workspace's name, ``key`` the key's id.
A threshold is a number from 0 to 1 (a finding scoring at least that blocks) or ``off``
(report only); core refuses a scanner it does not know or a value under a scanner's floor.
An action (for ``pii`` or ``pii:ENTITY``) is block, mask, redact, hash, pseudonymize or
allow; for the injection scanners (``regex``, ``classifier``, or ``SCANNER:TYPE``) block or
``drop``: a tool result they would block is replaced by a notice and the request goes on
(core refuses ``drop`` for pii). An output action (what happens to such a value in an
answer) is a PII action but pseudonymize, and ``injection=block`` cuts answers relaying
instructions (``allow``: report).
``--allow-tool`` (repeatable) lists the only tools an answer may call.
``set`` replaces the whole stored policy of that scope (the API's PUT): a threshold or
``--dry-run`` not given is no longer overridden there. Reading needs an admin or auditor
key in ``AEGIS_API_KEY``, ``set`` and ``delete`` an admin key (see
:mod:`core.cli.adminclient`).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote

import orjson

from core.cli.adminclient import AdminClient, AdminClientError
from core.scanning.policy import ACTIONS, INJECTION_ACTIONS, OUTPUT_ACTIONS

__all__ = ["add_parser", "parse_actions", "parse_thresholds", "run"]

SCOPES: Final = ("global", "workspace", "key")
DRY_RUN_VALUES: Final = {"on": True, "off": False, "inherit": None}
REPORT_ONLY: Final = "off"
_BASE: Final = "/api/v1/admin/policies"


def add_parser(groups: Any) -> None:
    policy = groups.add_parser(
        "policy", help="scanning policy overrides per key, workspace or globally"
    ).add_subparsers(dest="command", required=True)
    listing = policy.add_parser("list", help="the defaults and every stored override")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = policy.add_parser("show", help="one stored override")
    _add_target(show)
    show.add_argument("--json", action="store_true", help="print JSON")
    put = policy.add_parser(
        "set",
        help="store the override of a scope, replacing the whole previous one",
        description="Store the policy of SCOPE [NAME]. This REPLACES the whole stored policy "
        "of that scope: thresholds and --dry-run not given here are no longer overridden "
        "there. Every core applies it within moments.",
    )
    _add_target(put)
    put.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="SCANNER[:TYPE]=VALUE",
        help="block at this score (0 to 1), or 'off' to only report; repeatable, e.g. "
        "classifier=0.6, regex:en.developer_mode=off",
    )
    put.add_argument(
        "--action",
        action="append",
        default=[],
        metavar="SCANNER[:TYPE]=ACTION",
        help=f"what to do with PII and secrets: {', '.join(ACTIONS)}; with injection in a "
        "tool result (regex, classifier): block or drop (replaced by a notice); "
        "repeatable, e.g. pii:KR_RRN=block, pii=pseudonymize, classifier=drop",
    )
    put.add_argument(
        "--output-action",
        action="append",
        default=[],
        metavar="pii[:ENTITY]=ACTION|injection=ACTION",
        help=f"what to do with such a value in an answer: {', '.join(OUTPUT_ACTIONS)}; "
        "injection=block cuts answers relaying instructions (allow: report); repeatable",
    )
    put.add_argument(
        "--allow-tool",
        action="append",
        default=[],
        metavar="NAME",
        help="a tool answers may call; repeatable; not given: any tool",
    )
    put.add_argument(
        "--dry-run",
        choices=tuple(DRY_RUN_VALUES),
        help="on: decide and record but let requests through; off: enforce; "
        "inherit (the same as leaving it out): what the wider scope or DRY_RUN says",
    )
    put.add_argument("--json", action="store_true", help="print JSON")
    delete = policy.add_parser("delete", help="remove a stored override")
    _add_target(delete)
    effective = policy.add_parser(
        "effective", help="the policy a request of this key and workspace gets"
    )
    effective.add_argument("--key-id")
    effective.add_argument("--workspace")
    effective.add_argument("--json", action="store_true", help="print JSON")


def _add_target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scope", choices=SCOPES)
    parser.add_argument("name", nargs="?", help="the workspace, or the key id (not for global)")


def parse_thresholds(items: Sequence[str]) -> dict[str, float | None]:
    """``["classifier=0.6", "regex:en.x=off"]`` → ``{"classifier": 0.6, "regex:en.x": None}``.

    Raises :class:`AdminClientError` naming the item that is not ``NAME=VALUE`` with a value
    from 0 to 1 or ``off``; which names exist, and each scanner's floor, core checks.
    """
    thresholds: dict[str, float | None] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise AdminClientError(f"--threshold '{item}' is not SCANNER[:TYPE]=VALUE")
        if name in thresholds:
            raise AdminClientError(f"--threshold {name} is given twice")
        if value.lower() == REPORT_ONLY:
            thresholds[name] = None
            continue
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not 0.0 <= number <= 1.0:
            raise AdminClientError(
                f"--threshold {name}={value}: the value must be a number from 0 to 1, "
                f"or '{REPORT_ONLY}' to only report"
            )
        thresholds[name] = number
    return thresholds


# Every action --action takes; which applies to which scanner, core checks.
_INPUT_ACTIONS: Final = tuple(dict.fromkeys((*ACTIONS, *INJECTION_ACTIONS)))


def parse_actions(
    items: Sequence[str], *, flag: str = "--action", allowed: Sequence[str] = ACTIONS
) -> dict[str, str]:
    """``["pii:KR_RRN=block", "pii=mask"]`` → ``{"pii:KR_RRN": "block", "pii": "mask"}``.

    Raises :class:`AdminClientError` naming the item that is not ``NAME=ACTION`` with a known
    action; which entity names exist, core checks.
    """
    actions: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip().lower()
        if not sep or not name:
            raise AdminClientError(f"{flag} '{item}' is not SCANNER[:TYPE]=ACTION")
        if name in actions:
            raise AdminClientError(f"{flag} {name} is given twice")
        if value not in allowed:
            raise AdminClientError(
                f"{flag} {name}={value}: the action must be one of {', '.join(allowed)}"
            )
        actions[name] = value
    return actions


def _path(scope: str, name: str | None) -> str:
    if scope == "global":
        if name is not None:
            raise AdminClientError("the global policy has no NAME")
        return f"{_BASE}/global"
    if not name:
        raise AdminClientError(f"name the {scope}: aegis policy … {scope} NAME")
    return f"{_BASE}/{scope}/{quote(name, safe='')}"


async def run(args: argparse.Namespace) -> int:
    # Checked before any call, so a mistake never reaches core.
    path = _path(args.scope, args.name) if args.command in ("show", "set", "delete") else _BASE
    document: dict[str, Any] = {}
    if args.command == "set":
        document = {
            "thresholds": parse_thresholds(args.threshold),
            "actions": parse_actions(args.action, allowed=_INPUT_ACTIONS),
        }
        if args.output_action:
            document["output_actions"] = parse_actions(
                args.output_action, flag="--output-action", allowed=OUTPUT_ACTIONS
            )
        if args.allow_tool:
            document["tools"] = {"allow": sorted(set(args.allow_tool))}
        if args.dry_run is not None:
            document["dry_run"] = DRY_RUN_VALUES[args.dry_run]
        if not (
            args.threshold
            or args.action
            or args.output_action
            or args.allow_tool
            or args.dry_run is not None
        ):
            raise AdminClientError(
                "give --threshold, --action, --output-action, --allow-tool or --dry-run "
                "(to remove the policy: aegis policy delete)"
            )
    role = "an admin" if args.command in ("set", "delete") else "an admin or auditor"
    async with AdminClient.from_env(role) as client:
        if args.command == "list":
            data = await client.call("GET", _BASE)
            if args.json:
                _print_json(data)
            else:
                print(f"{'defaults':<32} {_settings(data['defaults'])}")
                for row in data["policies"]:
                    print(_line(row))
                if not data["policies"]:
                    print("no overrides")
            return 0
        if args.command == "effective":
            params = {"key_id": args.key_id, "workspace": args.workspace}
            data = await client.call(
                "GET",
                _BASE + "/effective",
                params={name: value for name, value in params.items() if value is not None},
            )
            if args.json:
                _print_json(data)
            else:
                print(_settings(data))
            return 0
        if args.command == "delete":
            await client.call("DELETE", path)
            print(f"deleted the {_target(args.scope, args.name)} policy")
            return 0
        if args.command == "show":
            row = await client.call("GET", path)
        else:
            row = await client.call("PUT", path, body=document)
        if args.json:
            _print_json(row)
        else:
            print(f"{'policy:':<12}{_target(row['scope'], row['subject'])}")
            print(f"{'settings:':<12}{_settings(row)}")
            print(f"{'updated:':<12}{row['updated_at'][:19]} by {row['updated_by']}")
        return 0


def _print_json(data: Any) -> None:
    print(orjson.dumps(data).decode())


def _target(scope: str, subject: str | None) -> str:
    return "global" if scope == "global" else f"{scope} {subject}"


def _settings(policy: Mapping[str, Any]) -> str:
    """``classifier=0.6 regex:en.x=off pii:KR_RRN=block dry-run=inherit``: the words
    ``set`` takes."""
    words = [
        f"{name}={REPORT_ONLY if value is None else value}"
        for name, value in policy["thresholds"].items()
    ]
    words.extend(f"{name}={action}" for name, action in policy.get("actions", {}).items())
    words.extend(
        f"output:{name}={action}" for name, action in policy.get("output_actions", {}).items()
    )
    tools = (policy.get("tools") or {}).get("allow")
    if tools is not None:
        words.append("tools=" + (",".join(tools) or "none"))
    dry_run = policy["dry_run"]
    words.append("dry-run=" + ("inherit" if dry_run is None else "on" if dry_run else "off"))
    return " ".join(words)


def _line(row: Mapping[str, Any]) -> str:
    return (
        f"{_target(row['scope'], row['subject']):<32} {_settings(row)}  "
        f"({row['updated_at'][:19]} by {row['updated_by']})"
    )
