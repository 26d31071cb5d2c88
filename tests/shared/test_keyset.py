"""The role → permissions table and the key set's encoding, as core publishes and edges read it."""

from __future__ import annotations

import orjson
import pytest

from shared.errors import PermissionDeniedError
from shared.keyset import (
    KeyIdentity,
    authorize,
    decode_identity,
    encode_identity,
    keyset_digest,
)
from shared.permissions import LLM_CALL, ROLE_PERMISSIONS, ROLES, role_permissions


@pytest.mark.parametrize(
    ("role", "may_call_models"),
    [
        pytest.param("developer", True, id="developer"),
        pytest.param("ai-developer", True, id="ai-developer"),
        pytest.param("admin", True, id="admin"),
        pytest.param("auditor", False, id="auditor"),
        pytest.param("root", False, id="unknown-role"),
    ],
)
def test_which_roles_may_call_models(role: str, may_call_models: bool) -> None:
    """Every role but auditor may call models; a role the table does not know may do nothing."""
    assert (LLM_CALL in role_permissions(role)) is may_call_models


def test_auditor_reads_and_reviews_but_never_writes() -> None:
    """The auditor reads audit trails, bypass events and policies, and may review bypasses."""
    assert role_permissions("auditor") == {
        "audit:read",
        "bypass:read",
        "bypass:review",
        "policy:read",
    }
    assert role_permissions("admin") > role_permissions("auditor")
    assert role_permissions("root") == frozenset()


def test_roles_are_the_table_keys() -> None:
    """The roles keys may have (``aegis keys create --role``) are exactly the table's."""
    assert ROLES == ("developer", "ai-developer", "admin", "auditor")
    assert set(ROLES) == set(ROLE_PERMISSIONS)


def test_identity_round_trips_with_permissions() -> None:
    """What core encodes, an edge decodes to the same identity, permissions included."""
    identity = KeyIdentity(
        key_id="k1",
        user="u",
        workspace="w",
        role="ai-developer",
        max_requests=7,
        tokens_per_minute=None,
        permissions=role_permissions("ai-developer"),
    )
    encoded = encode_identity(identity)
    assert orjson.loads(encoded)["permissions"] == ["llm:call", "tools:call"]
    assert decode_identity(encoded) == identity


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        pytest.param("auditor", role_permissions("auditor"), id="auditor"),
        pytest.param("developer", frozenset({"llm:call"}), id="developer"),
        pytest.param("root", frozenset(), id="unknown-role"),
    ],
)
def test_entry_from_an_older_core_gets_its_roles_permissions(
    role: str, expected: frozenset[str]
) -> None:
    """An entry published without permissions (a rolling upgrade) decodes with its role's."""
    old = orjson.dumps({"id": "k1", "user": "u", "workspace": "w", "role": role})
    identity = decode_identity(old)
    assert identity.permissions == expected
    assert (identity.max_requests, identity.tokens_per_minute) == (None, None)


def test_published_permissions_win_over_the_role() -> None:
    """The permissions core published are what the edge enforces, whatever its own table says."""
    raw = orjson.dumps(
        {"id": "k1", "user": "u", "workspace": "w", "role": "developer", "permissions": []}
    )
    assert decode_identity(raw).permissions == frozenset()


def test_digest_changes_with_permissions() -> None:
    """A change of a key's permissions changes the published version, so edges reload."""
    base = KeyIdentity("k1", "u", "w", "developer", permissions=role_permissions("developer"))
    narrowed = KeyIdentity("k1", "u", "w", "developer")
    assert keyset_digest({"h": base}) != keyset_digest({"h": narrowed})


def test_authorize_refuses_in_cores_403_shape() -> None:
    """A missing permission is a 403 ``permission_denied`` naming the role and permission."""
    auditor = KeyIdentity("k1", "u", "w", "auditor", permissions=role_permissions("auditor"))
    with pytest.raises(PermissionDeniedError) as caught:
        authorize(auditor, LLM_CALL)
    assert caught.value.status == 403
    assert caught.value.code == "permission_denied"
    assert str(caught.value) == "Role 'auditor' does not have the 'llm:call' permission."
    developer = KeyIdentity("k2", "u", "w", "developer", permissions=role_permissions("developer"))
    authorize(developer, LLM_CALL)
