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
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "ADMIN_MANAGE",
    "AUDIT_READ",
    "BYPASS_READ",
    "BYPASS_REVIEW",
    "LLM_CALL",
    "POLICY_READ",
    "POLICY_WRITE",
    "ROLES",
    "ROLE_PERMISSIONS",
    "TOOLS_CALL",
    "role_permissions",
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


def role_permissions(role: str) -> frozenset[str]:
    """What ``role`` may do; nothing for a role this table does not know."""
    return ROLE_PERMISSIONS.get(role, frozenset())
