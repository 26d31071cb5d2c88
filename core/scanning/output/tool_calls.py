"""The tool gate: which tools a model's answer may call, by the caller's policy.

An agent runs the tool calls a model answers with; a model talked into calling
``execute_python`` by a poisoned document is how a prompt injection becomes code execution.
The policy names the tools a key or workspace may be answered with (``"tools": {"allow":
[...]}``); a call to any other is a finding that blocks the answer before the call reaches
the agent, JSON and streamed alike (a streamed call's name arrives in its first delta, before
any of its arguments). With no allow-list, every tool may be called, as before this gate.

    >>> gate = ToolGate(frozenset({"read_file", "search"}))
    >>> gate.check("read_file") is None
    True
    >>> gate.check("execute_python").type
    'tool_not_allowed'
    >>> ToolGate(None).check("execute_python") is None
    True

The approval workflow (its own issue) extends this gate with ``hold``: a call that waits for a
person instead of being refused.
"""

from __future__ import annotations

from typing import Final

from shared.findings import Finding

__all__ = ["SCANNER", "TOOL_NOT_ALLOWED", "ToolGate"]

SCANNER: Final = "tool_gate"
TOOL_NOT_ALLOWED: Final = "tool_not_allowed"


class ToolGate:
    """Checks the name of each tool an answer calls against an allow-list (``None``: any)."""

    __slots__ = ("allow",)

    def __init__(self, allow: frozenset[str] | None) -> None:
        self.allow = allow

    def check(self, name: str) -> Finding | None:
        """The finding that blocks a call to ``name``, or ``None`` when it may be made."""
        if self.allow is None or name in self.allow:
            return None
        return Finding(SCANNER, TOOL_NOT_ALLOWED, 1.0, severity="high")
