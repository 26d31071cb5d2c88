"""Settings take the forms deploy guides write: ``LOG_LEVEL=warn``, a model server named by its
base URL, its OpenAI root or its chat endpoint; anything else stops start-up, naming it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from core.app import create_app as create_core
from core.settings import CoreSettings
from edge.settings import EdgeSettings
from shared.config import ConfigError, model_server_base
from tests.conftest import ServerThread, Upstream

SETTINGS = [
    pytest.param(CoreSettings, id="core"),
    pytest.param(EdgeSettings, id="edge"),
]


@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize(
    ("value", "level"),
    [
        pytest.param("warn", "warning", id="warn"),
        pytest.param("WARN", "warning", id="warn-upper-case"),
        pytest.param("warning", "warning", id="warning"),
        pytest.param("Debug", "debug", id="debug-mixed-case"),
        pytest.param("fatal", "critical", id="fatal"),
        pytest.param("error", "error", id="error"),
    ],
)
def test_log_level_spellings(
    settings: type[CoreSettings] | type[EdgeSettings], value: str, level: str
):
    """Both processes read the deploy guide's ``warn`` (and ``fatal``) as the level it means."""
    assert settings.from_env({"LOG_LEVEL": value}).log_level == level


@pytest.mark.parametrize("settings", SETTINGS)
def test_unknown_log_level_names_the_choices(settings: type[CoreSettings] | type[EdgeSettings]):
    """A level no logger knows stops start-up with the variable and the valid values."""
    with pytest.raises(ConfigError) as caught:
        settings.from_env({"LOG_LEVEL": "chatty"})
    assert caught.value.problems == [
        "Config 'LOG_LEVEL' has value 'chatty'. "
        "Not a valid choice (debug|info|warning|error|critical)."
    ]


URL_FORMS = [
    pytest.param("http://vllm:8000", "http://vllm:8000", id="base"),
    pytest.param("http://vllm:8000/", "http://vllm:8000", id="base-slash"),
    pytest.param("http://vllm:8000/v1", "http://vllm:8000", id="api-root"),
    pytest.param("http://vllm:8000/v1/", "http://vllm:8000", id="api-root-slash"),
    pytest.param("http://vllm:8000/v1/chat/completions", "http://vllm:8000", id="chat-endpoint"),
    pytest.param(
        "https://gpu.internal/llm/v1/chat/completions/", "https://gpu.internal/llm", id="prefix"
    ),
    pytest.param("https://gw.internal/llm/", "https://gw.internal/llm", id="proxy-prefix"),
    pytest.param("https://[fd00::5]:8443/v1", "https://[fd00::5]:8443", id="ipv6"),
    pytest.param("http://u:pw@vllm:8000/v1", "http://u:pw@vllm:8000", id="userinfo-kept"),
]

BAD_URLS = [
    pytest.param("vllm:8000", id="no-scheme"),
    pytest.param("ftp://vllm:8000", id="scheme"),
    pytest.param("http://vllm:eighty/v1", id="port"),
    pytest.param("http://vllm:8000/v1/models", id="other-endpoint"),
    pytest.param("http://vllm:8000/v1/completions", id="legacy-completions"),
    pytest.param("http://vllm:8000/v1/v1", id="doubled-root"),
    pytest.param("http://vllm:8000/v1?x=1", id="query"),
    pytest.param("http://vllm:8000/v1#top", id="fragment"),
    pytest.param("http://vllm:8000/v1beta/v1/models", id="endpoint-under-prefix"),
]


@pytest.mark.parametrize(("value", "base"), URL_FORMS)
def test_upstream_url_forms(value: str, base: str):
    """core's UPSTREAM_URL keeps the base URL whichever documented form it is given in."""
    assert CoreSettings.from_env({"UPSTREAM_URL": value}).upstream_url == base


@pytest.mark.parametrize(("value", "base"), URL_FORMS)
@pytest.mark.parametrize("name", ["FAIL_OPEN_TARGET_URL", "UPSTREAM_URL"])
def test_fail_open_target_url_forms(name: str, value: str, base: str):
    """The edge's fail-open target, or the UPSTREAM_URL it falls back to, is normalised alike."""
    assert EdgeSettings.from_env({name: value}).fail_open_target_url == base


@pytest.mark.parametrize("value", BAD_URLS)
def test_other_model_server_urls_stop_start_up(value: str):
    """A URL that is none of the forms is refused by both processes, naming the forms."""
    expected = (
        "Not a valid model server URL (http|https://host[:port], optionally ending in /v1"
        " or /v1/chat/completions)."
    )
    readers: list[tuple[type[CoreSettings] | type[EdgeSettings], str]] = [
        (CoreSettings, "UPSTREAM_URL"),
        (EdgeSettings, "FAIL_OPEN_TARGET_URL"),
        (EdgeSettings, "UPSTREAM_URL"),
    ]
    for settings, name in readers:
        with pytest.raises(ConfigError) as caught:
            settings.from_env({name: value})
        assert caught.value.problems == [f"Config '{name}' has value '{value}'. {expected}"]


def test_bad_model_server_url_hides_its_password():
    """A refused URL is shown without the password it may carry."""
    with pytest.raises(ConfigError) as caught:
        CoreSettings.from_env({"UPSTREAM_URL": "http://u:hunter2@vllm:8000/v1/models"})
    assert "hunter2" not in str(caught.value)
    assert "http://u:****@vllm:8000/v1/models" in str(caught.value)


@pytest.mark.parametrize(("value", "base"), URL_FORMS)
def test_normalising_twice_changes_nothing(value: str, base: str):
    """The base URL read back is itself a valid value with the same meaning."""
    assert model_server_base(model_server_base(value)) == base


@pytest.mark.parametrize(
    ("module", "name"),
    [pytest.param("core", "UPSTREAM_URL", id="core"), pytest.param("edge", "FAIL_OPEN_TARGET_URL")],
)
def test_process_refuses_other_model_server_url(module: str, name: str):
    """``python -m core|edge`` with a URL of no accepted form exits 2 with one line naming it."""
    result = subprocess.run(
        [sys.executable, "-m", module],
        env={**os.environ, name: "http://vllm:8000/v1/models", "LOG_LEVEL": "warn"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"{module}: Config '{name}' has value 'http://vllm:8000/v1/models'. Not a valid model"
        " server URL (http|https://host[:port], optionally ending in /v1 or"
        " /v1/chat/completions)."
    ]


def test_core_serves_through_an_endpoint_url(
    upstream: Upstream, database_url: str, redis_url: str, redis_prefix: str, tmp_path
):
    """core given the upstream's full chat endpoint still reaches its /v1/models and /health."""
    settings = CoreSettings.from_env(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": redis_prefix,
            "UPSTREAM_URL": upstream.url + "/v1/chat/completions",
            "AUDIT_SPOOL_DIR": str(tmp_path / "audit"),
        }
    )
    assert settings.upstream_url == upstream.url
    core = ServerThread(create_core(settings)).start()
    try:
        # Readiness gives the upstream 1 s; on a loaded machine the first check may miss it.
        deadline = time.monotonic() + 15
        while (ready := httpx.get(core.url + "/api/v1/ready", timeout=10).json())["checks"][
            "upstream"
        ] != "ok" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert ready["checks"]["upstream"] == "ok"
    finally:
        core.stop()
