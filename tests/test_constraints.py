"""constraints.txt pins one version of every dependency, inside pyproject.toml's ranges, so
``make install`` and the image install the same packages everywhere."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)", line)
        assert match, f"not a name==version pin: {line!r}"
        name = canonicalize_name(match.group(1))
        assert name not in pins, f"{name} pinned twice"
        pins[name] = Version(match.group(2))
    return pins


def _requirements(group: str) -> list[Requirement]:
    raw = PROJECT["dependencies"] if group == "runtime" else PROJECT["optional-dependencies"][group]
    return [Requirement(item) for item in raw]


def test_the_project_itself_is_not_pinned() -> None:
    """The lock pins what the project needs, never the project (an editable checkout)."""
    pins = _pins()
    assert canonicalize_name(PROJECT["name"]) not in pins
    assert len(pins) >= 50


@pytest.mark.parametrize("group", ["runtime", "dev", "train"])
def test_every_dependency_is_pinned_inside_its_range(group: str) -> None:
    """Each dependency of the group has a pin, and the pin satisfies pyproject.toml's range."""
    pins = _pins()
    outside = [
        f"{req.name}{req.specifier} pinned {pins.get(canonicalize_name(req.name))}"
        for req in _requirements(group)
        if req.marker is None or req.marker.evaluate()
        if canonicalize_name(req.name) not in pins
        or not req.specifier.contains(pins[canonicalize_name(req.name)], prereleases=True)
    ]
    assert outside == []


def test_redis_bound_admits_only_a_batcher_compatible_client() -> None:
    """redis-py before 5.3 needs a command name for the asyncio pool's get_connection(), which
    the rate limiter's batcher does not pass: the range starts at 5.3."""
    redis = next(r for r in _requirements("runtime") if r.name == "redis")
    assert not redis.specifier.contains("5.2.1")
    assert redis.specifier.contains("5.3.0")
