"""Settings are read once, typed, and every bad value is reported with its variable's name."""

from __future__ import annotations

import ipaddress

import pytest

from core.settings import CoreSettings
from edge.settings import EdgeSettings
from shared.config import ConfigError, Secret


def test_defaults_without_environment() -> None:
    """With an empty environment both processes get the documented defaults."""
    edge = EdgeSettings.from_env({})
    core = CoreSettings.from_env({})
    assert edge.port == 8080
    assert edge.core_endpoints == ("http://127.0.0.1:8081",)
    assert core.port == 8081
    assert core.upstream_url == "http://127.0.0.1:8001"
    assert ipaddress.ip_address("127.0.0.1") in edge.trusted_proxies[0]


def test_all_problems_reported_at_once() -> None:
    """Every bad variable is named in one error, not just the first."""
    with pytest.raises(ConfigError) as caught:
        EdgeSettings.from_env(
            {"PORT": "-1", "CORE_ENDPOINT": "core:8081", "LOG_LEVEL": "chatty", "CORS_ORIGINS": ""}
        )
    names = sorted(problem.split("'")[1] for problem in caught.value.problems)
    assert names == ["CORE_ENDPOINT", "LOG_LEVEL", "PORT"]


def test_postgres_url_alias_and_list_of_cores() -> None:
    """POSTGRES_URL works when DATABASE_URL is absent; CORE_ENDPOINT may list several."""
    core = CoreSettings.from_env({"POSTGRES_URL": "postgresql://db:5432/aegis"})
    assert core.database_url == "postgresql://db:5432/aegis"
    edge = EdgeSettings.from_env({"CORE_ENDPOINT": "http://a:8081/, http://b:8081"})
    assert edge.core_endpoints == ("http://a:8081", "http://b:8081")


def test_upstream_api_key_is_a_secret() -> None:
    """The upstream key never shows in a repr of the settings."""
    core = CoreSettings.from_env({"UPSTREAM_API_KEY": "sk-upstream-hunter2"})
    assert core.upstream_api_key.get() == "sk-upstream-hunter2"
    assert "hunter2" not in repr(core)
    assert repr(Secret("x")) == "Secret('**********')"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param("redis://:pw@host:notaport/0", "redis://:****@host:notaport/0", id="password"),
        pytest.param("ftp://host", "ftp://host", id="no-password"),
    ],
)
def test_url_errors_mask_only_the_password(value: str, shown: str) -> None:
    """A bad URL is shown so the operator can fix it, without its password."""
    with pytest.raises(ConfigError) as caught:
        EdgeSettings.from_env({"REDIS_URL": value})
    assert caught.value.problems == [
        f"Config 'REDIS_URL' has value '{shown}'. Not a valid URL "
        "(redis|rediss|unix|redis+sentinel|rediss+sentinel|redis+cluster|rediss+cluster"
        "://host[:port])."
    ]


def test_pii_hash_salt_is_a_long_enough_secret() -> None:
    """A short salt stops start-up with one line that does not show it."""
    assert CoreSettings.from_env({"PII_HASH_SALT": "a" * 16}).pii_hash_salt.get() == "a" * 16
    with pytest.raises(ConfigError) as raised:
        CoreSettings.from_env({"PII_HASH_SALT": "short-salt"})
    assert "PII_HASH_SALT" in str(raised.value)
    assert "short-salt" not in str(raised.value)
