"""The call gate: one tool call in, a verdict out (allow, refuse, or hold for a person). Pure.

A call is judged once its name and arguments are complete, in this order: the name is a tool
name; the policy's ``tools.allow`` (when set) lists it; the caller's key holds the tool's
permission (the catalogue's, e.g. ``tools:call``: a developer key's ``write_file`` is
refused, an ai-developer's passes); the arguments pass :func:`core.tools.arguments.
check_arguments` (size, JSON object, paths, shell patterns, URLs). The first that fails
refuses the call.

A call that passes at level HIGH or CRITICAL is one a person should approve: with the
approval workflow on (``APPROVAL_WORKFLOW_ENABLED``, :mod:`core.approvals`) the gate gets
``hold_levels`` and such a call gets :attr:`Outcome.HOLD` (the output layer waits for the
decision); with it off the call is let through to a caller who holds the permission. Either
way it is recorded: a ``tool_level`` finding with the level as its score and severity, so
the audit trail and ``aegis_output_findings_total`` show every such call.

    >>> from core.tools.arguments import Egress
    >>> from core.tools.catalogue import load_catalogue
    >>> gate = CallGate(load_catalogue(), frozenset({"llm:call"}), Egress.parse(""))
    >>> verdict = gate.judge("write_file", '{"path": "notes.md", "text": "hi"}')
    >>> verdict.outcome, verdict.type, verdict.level
    (<Outcome.REFUSE: 'refuse'>, 'tool_permission', <Level.HIGH: 'HIGH'>)
    >>> gate.judge("read_file", '{"path": "README.md"}').outcome
    <Outcome.ALLOW: 'allow'>

Findings name the check and the tool, ``tool_permission:write_file``, with the level as the
score (LOW 0.3, MEDIUM 0.6, HIGH 0.85, CRITICAL 1.0) and severity; never argument text. A
name that is not a tool name is not repeated (``tool_name_invalid``).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from core.tools.arguments import (
    ARGUMENTS_INVALID,
    ARGUMENTS_TOO_LARGE,
    PATH_ESCAPE,
    PATH_EXTENSION,
    SHELL_PATTERN,
    URL_NOT_ALLOWED,
    Egress,
    check_arguments,
)
from core.tools.catalogue import Catalogue, Level, valid_tool_name
from shared.findings import Finding

__all__ = [
    "HOLD_LEVELS",
    "SCANNER",
    "TOOL_APPROVAL_LIMIT",
    "TOOL_APPROVAL_UNAVAILABLE",
    "TOOL_EXPIRED",
    "TOOL_HOLD",
    "TOOL_LEVEL",
    "TOOL_NAME_INVALID",
    "TOOL_NOT_ALLOWED",
    "TOOL_PERMISSION",
    "TOOL_REJECTED",
    "CallGate",
    "CallVerdict",
    "Outcome",
    "refusal_text",
]

SCANNER: Final = "tool_gate"
TOOL_NOT_ALLOWED: Final = "tool_not_allowed"
TOOL_PERMISSION: Final = "tool_permission"
TOOL_NAME_INVALID: Final = "tool_name_invalid"
TOOL_LEVEL: Final = "tool_level"
# The approval workflow's refusals (core.approvals).
TOOL_HOLD: Final = "tool_hold"  # held where nothing can wait (a stream cut before its finish)
TOOL_REJECTED: Final = "tool_rejected"
TOOL_EXPIRED: Final = "tool_approval_expired"
TOOL_APPROVAL_LIMIT: Final = "tool_approval_limit"
TOOL_APPROVAL_UNAVAILABLE: Final = "tool_approval_unavailable"
# The levels a person approves once the approval workflow exists.
HOLD_LEVELS: Final = frozenset({Level.HIGH, Level.CRITICAL})

_REASONS: Final = {
    TOOL_NAME_INVALID: "its name is not a valid tool name",
    TOOL_NOT_ALLOWED: "this workspace's policy does not allow this tool",
    TOOL_PERMISSION: "the caller may not use this tool (it needs the permission {permission})",
    ARGUMENTS_INVALID: "its arguments are not a JSON object this tool accepts",
    ARGUMENTS_TOO_LARGE: "its arguments are larger than this tool accepts",
    PATH_ESCAPE: "the path in '{argument}' leaves the workspace",
    PATH_EXTENSION: "the file type in '{argument}' is not one this tool may use",
    SHELL_PATTERN: "'{argument}' contains a dangerous command pattern",
    URL_NOT_ALLOWED: "the URL in '{argument}' is not an allowed destination",
    TOOL_HOLD: "it needs an admin's approval, and the answer ended before it could wait for one",
    TOOL_REJECTED: "an admin rejected it",
    TOOL_EXPIRED: "no admin approved it in time (expired)",
    TOOL_APPROVAL_LIMIT: "it needs an admin's approval, and too many calls are waiting for "
    "one already; try again later",
    TOOL_APPROVAL_UNAVAILABLE: "it needs an admin's approval, and the approval queue cannot "
    "be reached",
}


class Outcome(enum.Enum):
    ALLOW = "allow"
    REFUSE = "refuse"
    HOLD = "hold"  # wait for a person (the approval workflow)


@dataclass(frozen=True, slots=True)
class CallVerdict:
    """What the gate decided about one call, and why (never the arguments' text)."""

    outcome: Outcome
    name: str | None  # None: not a valid tool name (never repeated)
    level: Level
    permission: str
    type: str | None = None  # the refusal's finding type
    argument: str | None = None  # the catalogue's argument name a check failed on
    detail: str | None = None  # the refusal's own words (an admin's rejection and reason)

    @property
    def finding(self) -> Finding | None:
        """What the audit trail and metrics record: a refusal, or a HIGH/CRITICAL call."""
        kind = self.type
        if kind is None:
            if self.level not in HOLD_LEVELS:
                return None
            kind = TOOL_LEVEL
        if self.name is not None:
            kind = f"{kind}:{self.name}"
        return Finding(SCANNER, kind, self.level.score, severity=self.level.severity)

    def reason(self) -> str:
        """Why the call was refused, for the agent and the person reading its log."""
        assert self.type is not None  # noqa: S101 - only refusals have one
        if self.detail is not None:
            return self.detail
        return _REASONS.get(self.type, "it failed the gateway's checks").format(
            permission=self.permission, argument=self.argument or "arguments"
        )

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "level": self.level.value, "type": self.type}


class CallGate:
    """Judges the calls of one request: the caller's catalogue, permissions and policy."""

    __slots__ = ("allow", "catalogue", "egress", "hold_levels", "permissions")

    def __init__(
        self,
        catalogue: Catalogue,
        permissions: frozenset[str],
        egress: Egress,
        *,
        allow: frozenset[str] | None = None,
        hold_levels: frozenset[Level] = frozenset(),
    ) -> None:
        self.catalogue = catalogue
        self.permissions = permissions
        self.egress = egress
        self.allow = allow
        self.hold_levels = hold_levels

    def judge(self, name: str, arguments: str) -> CallVerdict:
        """The verdict on a call to ``name`` with ``arguments`` (the JSON text the model
        wrote), both complete."""
        if not valid_tool_name(name):
            unknown = self.catalogue.spec("")
            return CallVerdict(
                Outcome.REFUSE, None, unknown.level, unknown.permission, TOOL_NAME_INVALID
            )
        spec = self.catalogue.spec(name)
        level, permission = spec.level, spec.permission
        if self.allow is not None and name not in self.allow:
            return CallVerdict(Outcome.REFUSE, name, level, permission, TOOL_NOT_ALLOWED)
        if permission not in self.permissions:
            return CallVerdict(Outcome.REFUSE, name, level, permission, TOOL_PERMISSION)
        problem = check_arguments(arguments, spec.rules, self.egress)
        if problem is not None:
            return CallVerdict(
                Outcome.REFUSE, name, level, permission, problem.type, problem.argument
            )
        outcome = Outcome.HOLD if level in self.hold_levels else Outcome.ALLOW
        return CallVerdict(outcome, name, level, permission)


def refusal_text(verdicts: Sequence[CallVerdict]) -> str:
    """What the agent reads in place of the refused calls: one line per call, saying it was
    not run and why, so the agent (and the model, when the message goes back to it) neither
    waits for a result nor retries the same call.

    >>> text = refusal_text([CallVerdict(Outcome.REFUSE, "execute_python", Level.CRITICAL,
    ...                                  "tools:call", "tool_permission")])
    >>> text.startswith("[Aegis] The tool call execute_python (CRITICAL) was refused")
    True
    >>> text.endswith("it was not run: the caller may not use this tool (it needs the "
    ...               "permission tools:call).")
    True
    """
    lines = []
    for verdict in verdicts:
        tool = verdict.name if verdict.name is not None else "with an invalid name"
        lines.append(
            f"[Aegis] The tool call {tool} ({verdict.level.value}) was refused and removed "
            f"from this answer; it was not run: {verdict.reason()}."
        )
    return "\n".join(lines)
