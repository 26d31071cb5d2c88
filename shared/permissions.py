"""Roles and what each may do: the one table core and the edge both enforce.

A key has one role; the role grants permissions. Core checks them on every route (model
calls, inspection, the admin API); the edge checks ``llm:call`` on every route it serves
before forwarding anything, so an auditor's model call is refused even while the edge fails
open past a stopped core. Core publishes each key's permissions with its identity
(``shared.keyset``); an entry published without them (by a core older than this table) gets
its role's permissions from here.

    >>> sorted(role_permissions("auditor"))
    ['audit:read', 'bypass:read', 'bypass:review', 'policy:read']
    >>> role_permissions("root")
    frozenset()

On top of its role a user may hold per-user grants (core's ``user_permissions`` table, e.g.
``tools:call`` for one developer); core adds them to each of the user's keys before it
publishes the key set, so the edge enforces them too. :func:`call_permissions` says what a
model call needs: ``llm:call``, and ``tools:call`` when it offers the model tools.

Workspaces: a key belongs to one workspace. An admin key in the workspace :data:`ALL_WORKSPACES`
(``*``) is a global admin; any other admin sees and manages its own workspace's keys and audit
rows only. Auditors read every workspace's rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "ADMIN_MANAGE",
    "ALL_WORKSPACES",
    "AUDIT_READ",
    "BYPASS_READ",
    "BYPASS_REVIEW",
    "LLM_CALL",
    "PERMISSIONS",
    "POLICY_READ",
    "POLICY_WRITE",
    "ROLES",
    "ROLE_PERMISSIONS",
    "TOOLS_CALL",
    "call_permissions",
    "role_permissions",
    "sees_all_workspaces",
]

LLM_CALL: Final = "llm:call"
"""Call the models: chat, completions, embeddings, the model list, and ``/api/v1/validate``."""
TOOLS_CALL: Final = "tools:call"
ADMIN_MANAGE: Final = "admin:manage"
AUDIT_READ: Final = "audit:read"
BYPASS_READ: Final = "bypass:read"
BYPASS_REVIEW: Final = "bypass:review"
POLICY_READ: Final = "policy:read"
POLICY_WRITE: Final = "policy:write"

ROLE_PERMISSIONS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "developer": frozenset({LLM_CALL}),
        "ai-developer": frozenset({LLM_CALL, TOOLS_CALL}),
        "admin": frozenset(
            {
                LLM_CALL,
                TOOLS_CALL,
                ADMIN_MANAGE,
                AUDIT_READ,
                BYPASS_READ,
                BYPASS_REVIEW,
                POLICY_READ,
                POLICY_WRITE,
            }
        ),
        # Security staff: read audit trails, bypass events and policies; never call models.
        "auditor": frozenset({AUDIT_READ, BYPASS_READ, BYPASS_REVIEW, POLICY_READ}),
    }
)

ROLES: Final = tuple(ROLE_PERMISSIONS)
PERMISSIONS: Final = tuple(sorted(ROLE_PERMISSIONS["admin"]))
"""Every permission there is: what a grant may name."""
ALL_WORKSPACES: Final = "*"
_TOOL_FIELDS: Final = ("tools", "functions")


def role_permissions(role: str) -> frozenset[str]:
    """What ``role`` may do; nothing for a role this table does not know."""
    return ROLE_PERMISSIONS.get(role, frozenset())


def call_permissions(body: Mapping[str, object]) -> tuple[str, ...]:
    """What a model call with this request body needs: ``llm:call``, and ``tools:call`` when
    it offers the model tools (a non-empty ``tools`` or legacy ``functions`` list).

    >>> call_permissions({"messages": []})
    ('llm:call',)
    >>> call_permissions({"tools": [{"type": "function"}]})
    ('llm:call', 'tools:call')
    """
    if any(isinstance(body.get(name), list) and body.get(name) for name in _TOOL_FIELDS):
        return (LLM_CALL, TOOLS_CALL)
    return (LLM_CALL,)


def sees_all_workspaces(role: str, workspace: str) -> bool:
    """Whether a key reads (and an admin key manages) every workspace, not only its own:
    auditors, and admins of the workspace ``*``.

    >>> sees_all_workspaces("admin", "*"), sees_all_workspaces("admin", "payments")
    (True, False)
    >>> sees_all_workspaces("auditor", "security")
    True
    """
    return role == "auditor" or (role == "admin" and workspace == ALL_WORKSPACES)
