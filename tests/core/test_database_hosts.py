"""``DATABASE_URL`` with several hosts: core starts with it and connects to the first host
that answers as a primary, so a switch-over (Patroni, a cloud's HA) is followed."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest

from core.db.pool import Database
from core.settings import CoreSettings
from shared.config import ConfigError
from tests.conftest import free_port

SECRETS = {"CANARY_SECRET": "c" * 32, "AUDIT_HASH_KEY": "a" * 32}


def _hosts_before(url: str, *hosts: str, query: str = "") -> str:
    """``url`` with ``hosts`` tried before its own host."""
    parts = urlsplit(url)
    userinfo, at, own = parts.netloc.rpartition("@")
    netloc = userinfo + at + ",".join((*hosts, own))
    return urlunsplit(parts._replace(netloc=netloc, query=query))


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("postgresql://aegis@db-a:5432,db-b:5432/aegis", id="two-hosts"),
        pytest.param(
            "postgresql://aegis:pw@db-a,db-b:6432,db-c/aegis?target_session_attrs=read-write",
            id="three-hosts-read-write",
        ),
        pytest.param("postgres://db/aegis", id="one-host"),
    ],
)
def test_settings_accept_several_hosts(url: str) -> None:
    """Core's settings take a URL with one host or several, as asyncpg does."""
    assert CoreSettings.from_env({"DATABASE_URL": url, **SECRETS}).database_url == url


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("postgresql://aegis@db-a:5432,:5432/aegis", id="empty-host"),
        pytest.param("postgresql://aegis@db-a:5432,db-b:port/aegis", id="bad-port"),
        pytest.param("mysql://db-a,db-b/aegis", id="wrong-scheme"),
    ],
)
def test_settings_refuse_a_broken_host_list(url: str) -> None:
    """A malformed host list stops start-up, naming the variable and hiding the password."""
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        CoreSettings.from_env({"DATABASE_URL": url, **SECRETS})


async def test_pool_skips_a_host_that_refuses_connections(database_url: str) -> None:
    """With a first host that refuses connections, core's pool connects to the second."""
    refused = f"127.0.0.1:{free_port()}"  # nothing listens there
    database = Database(
        _hosts_before(database_url, refused, query="target_session_attrs=read-write")
    )
    try:
        await database.run()
        pool = await database.wait_pool()
        assert await pool.fetchval("SELECT NOT pg_is_in_recovery()") is True
        assert await database.ping()
    finally:
        await database.close()
