"""The deploy files pass every documented setting: each variable of README.md's configuration
table can be set in compose (for the service that reads it) and in the Kubernetes ConfigMap
or Secret its Deployment loads, and what they ship loads as the processes' own defaults."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.settings import CoreSettings
from edge.settings import EdgeSettings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
COMPOSE = ROOT / "deploy" / "compose" / "compose.yaml"
ENV_EXAMPLE = ROOT / "deploy" / "compose" / ".env.example"
K8S = ROOT / "deploy" / "k8s"
SERVICES = ("edge", "core")
SETTINGS: dict[str, type[EdgeSettings] | type[CoreSettings]] = {
    "edge": EdgeSettings,
    "core": CoreSettings,
}

# Documented, and deliberately left out of both: one value for every replica would be wrong.
PER_REPLICA = {
    "EDGE_INSTANCE_ID": "names an edge's bypass events and spool file: the host name is unique",
    "CORE_INSTANCE_ID": "names a core's consumer and audit spool: the host name is unique",
}
# Set in compose to a fixed value on purpose (the networks, health checks and volumes rely on
# it), not read from .env.
FIXED_IN_COMPOSE = {"HOST", "PORT", "BYPASS_SPOOL_DIR", "AUDIT_SPOOL_DIR"}
# Settings fields the deploy files set to something other than the process's default, on
# purpose (addresses, trust, volumes); every other field must load as the default.
DEPLOYMENT_CHOICES = {
    "core_endpoints",
    "redis_url",
    "database_url",
    "upstream_url",
    "upstream_api_key",
    "fail_open_target_url",
    "fail_open_api_key",
    "trusted_proxies",
    "bypass_spool_dir",
    "audit_spool_dir",
}

_NAME = re.compile(r"`([A-Z][A-Z0-9_]*)`")


# --- README -----------------------------------------------------------------------------


def _config_rows(text: str) -> Iterator[list[str]]:
    """The rows of every ``| variable | process | default | meaning |`` table."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _cells(line)[:2] == ["variable", "process"]:
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                yield _cells(row)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def documented(text: str) -> dict[str, set[str]]:
    """Each variable of the configuration tables with the processes that read it.

    ``both`` is edge and core; ``A / B`` in both columns pairs them; an alias in ``(or …)``
    and the CLI commands named in backquotes or parentheses are left out.

    >>> rows = "| variable | process |\\n|---|---|\\n| `A` / `B` | edge / core |\\n"
    >>> rows += "| `C` (or `D`) | both, `aegis x` |\\n| `E` | `aegis` |\\n"
    >>> {k: sorted(v) for k, v in documented(rows).items()}
    {'A': ['edge'], 'B': ['core'], 'C': ['core', 'edge'], 'E': []}
    """
    found: dict[str, set[str]] = {}
    for cells in _config_rows(text):
        names = re.sub(r"\(or [^)]*\)", "", cells[0])
        readers = re.sub(r"\([^)]*\)|`[^`]*`", "", cells[1])
        pairs = list(zip(names.split(" / "), readers.split(" / "), strict=False))
        if len(names.split(" / ")) != len(readers.split(" / ")):
            pairs = [(names, readers)]
        for group, who in pairs:
            words = set(re.findall(r"[a-z]+", who))
            services = ({"edge", "core"} if "both" in words else set()) | (words & set(SERVICES))
            for name in _NAME.findall(group):
                found.setdefault(name, set()).update(services)
    return found


@pytest.fixture(scope="module")
def table() -> dict[str, set[str]]:
    return documented(README.read_text())


def _wanted(table: dict[str, set[str]], service: str) -> list[str]:
    return sorted(n for n, s in table.items() if service in s and n not in PER_REPLICA)


def test_the_table_is_read(table: dict[str, set[str]]) -> None:
    """The parser finds the table: both tiers' settings, with their processes."""
    assert table["RATE_LIMIT_MAX_REQUESTS"] == {"edge"}
    assert table["AUDIT_HASH_KEY"] == {"core"}
    assert table["LOG_LEVEL"] == {"edge", "core"}
    assert table["EDGE_INSTANCE_ID"] == {"edge"}
    assert table["CORE_INSTANCE_ID"] == {"core"}
    assert len(_wanted(table, "edge")) >= 35
    assert len(_wanted(table, "core")) >= 45


class _Recording(dict[str, str]):
    """An empty environment that notes every variable asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.append(key)
        return default


@pytest.mark.parametrize("service", SERVICES)
def test_every_variable_read_is_documented(service: str) -> None:
    """Each variable a process reads at start-up is in the configuration table."""
    environ = _Recording()
    SETTINGS[service].from_env(environ)
    in_table = set(_NAME.findall("".join(cells[0] for cells in _config_rows(README.read_text()))))
    assert environ.asked
    assert sorted(set(environ.asked) - in_table) == []


# --- compose ----------------------------------------------------------------------------


def _compose_environment(service: str) -> dict[str, str]:
    compose = yaml.safe_load(COMPOSE.read_text())
    environment: dict[str, Any] = compose["services"][service]["environment"]
    return {name: str(value) for name, value in environment.items()}


_INNERMOST = re.compile(r"\$\{(\w+)(?::-([^${}]*))?\}")


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's ``${X}`` / ``${X:-default}`` (nested too), for a value of ``environment``.

    >>> interpolate("${A:-${B:-x}}", {"B": "y"})
    'y'
    >>> interpolate("${A:-${B:-x}}", {"A": ""})
    'x'
    """
    while match := _INNERMOST.search(value):
        name, default = match.group(1), match.group(2) or ""
        value = value[: match.start()] + (env.get(name) or default) + value[match.end() :]
    return value


def _compose_settings(service: str, dotenv: Mapping[str, str]) -> Any:
    raw = _compose_environment(service)
    return SETTINGS[service].from_env({n: interpolate(v, dotenv) for n, v in raw.items()})


@pytest.mark.parametrize("service", SERVICES)
def test_compose_passes_every_documented_setting(service: str, table: dict[str, set[str]]) -> None:
    """Each setting of the service is in its compose environment, read from .env."""
    environment = _compose_environment(service)
    missing = [name for name in _wanted(table, service) if name not in environment]
    assert missing == []
    fixed = [
        name
        for name in _wanted(table, service)
        if "${" not in environment[name] and name not in FIXED_IN_COMPOSE
    ]
    assert fixed == []


@pytest.mark.parametrize("service", SERVICES)
def test_compose_variables_are_in_env_example(service: str) -> None:
    """Every variable compose reads for the service is shown in .env.example."""
    shown = set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    used = {
        name
        for value in _compose_environment(service).values()
        for name in re.findall(r"\$\{(\w+)", value)
    }
    assert sorted(used - shown) == []


@pytest.mark.parametrize("service", SERVICES)
def test_compose_without_env_file_loads_the_defaults(service: str) -> None:
    """Without .env every setting but addresses, trust and volumes is the process's default."""
    _assert_defaults(_compose_settings(service, {}), SETTINGS[service]())


def test_compose_settings_reach_the_right_service() -> None:
    """.env values arrive: rate limits at the edge, DRY_RUN at both tiers or one of them."""
    dotenv = {"RATE_LIMIT_MAX_REQUESTS": "7", "DRY_RUN": "true", "LOG_LEVEL": "warn"}
    edge, core = _compose_settings("edge", dotenv), _compose_settings("core", dotenv)
    assert edge.rate_limit_max_requests == 7
    assert (edge.dry_run, core.dry_run) == (True, True)
    assert (edge.log_level, core.log_level) == ("warning", "warning")
    one_tier = {"EDGE_DRY_RUN": "true", "APPROVAL_MAX_PENDING": "9"}
    edge, core = _compose_settings("edge", one_tier), _compose_settings("core", one_tier)
    assert (edge.dry_run, core.dry_run) == (True, False)
    assert core.approval_max_pending == 9


# --- Kubernetes ---------------------------------------------------------------------------


def _k8s_documents() -> list[dict[str, Any]]:
    documents = []
    for path in sorted(K8S.glob("*.yaml")):
        documents += [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]
    return documents


def _k8s_environment(service: str) -> dict[str, str]:
    """What the service's container gets from the ConfigMaps and Secrets it loads."""
    documents = _k8s_documents()
    deployment = next(
        d
        for d in documents
        if d["kind"] == "Deployment" and d["metadata"]["name"] == f"aegis-{service}"
    )
    container = next(
        c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == service
    )
    environment: dict[str, str] = {}
    for source in container["envFrom"]:
        kind, ref = ("ConfigMap", "configMapRef") if "configMapRef" in source else ("Secret", "")
        ref = ref or "secretRef"
        name = source[ref]["name"]
        document = next(d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name)
        values = document.get("data") or document.get("stringData") or {}
        environment.update({key: str(value) for key, value in values.items()})
    for variable in container.get("env", []):
        environment[variable["name"]] = str(variable.get("value", ""))
    return environment


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_passes_every_documented_setting(service: str, table: dict[str, set[str]]) -> None:
    """Each setting of the service is in the ConfigMap or Secret its Deployment loads."""
    environment = _k8s_environment(service)
    assert sorted(set(_wanted(table, service)) - set(environment)) == []


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_values_load_as_the_defaults(service: str) -> None:
    """The shipped ConfigMap loads, and shows each default but addresses, trust and volumes."""
    settings = SETTINGS[service].from_env(_k8s_environment(service))
    _assert_defaults(settings, SETTINGS[service]())


def _assert_defaults(settings: Any, defaults: Any) -> None:
    differ = [
        field.name
        for field in dataclasses.fields(defaults)
        if field.name not in DEPLOYMENT_CHOICES
        and getattr(settings, field.name) != getattr(defaults, field.name)
    ]
    assert differ == []
