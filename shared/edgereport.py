"""What each edge tells the others about its circuit breakers, through Redis.

The breaker on core lives in the edge (:mod:`edge.breaker`), and core's console is where
security staff look. Each edge writes, every :data:`REPORT_INTERVAL_S` and at once when a
breaker changes, one field of the hash ``{prefix}edges``: its instance name (``EDGE_INSTANCE_ID``)
→ JSON ``{"cores": {"core_0": "closed", ...}, "fail_open": bool, "at": unix seconds}``. Core
reads the hash (:func:`read_reports`); a report older than :data:`STALE_AFTER_S` is an edge
that stopped reporting (down, or cut off from Redis), one older than :data:`FORGET_AFTER_S`
is removed. An edge that stops cleanly removes its own field.

    >>> value = encode({"core_0": "open"}, True, at=100.0)
    >>> report = EdgeReport.parse("edge-a:8080", value, now=101.5)
    >>> report.cores, report.fail_open, report.age_s, report.reporting, report.worst
    ({'core_0': 'open'}, True, 1.5, True, 'open')
    >>> EdgeReport.parse("edge-b", b"not json", now=0.0) is None
    True
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import orjson
import redis.asyncio as aioredis

__all__ = [
    "FORGET_AFTER_S",
    "REPORT_INTERVAL_S",
    "STALE_AFTER_S",
    "EdgeReport",
    "encode",
    "overall",
    "read_reports",
    "reports_key",
]

REPORT_INTERVAL_S: Final = 5.0
STALE_AFTER_S: Final = 3 * REPORT_INTERVAL_S
FORGET_AFTER_S: Final = 86_400.0
# Worst first: what one word says of several breakers.
_ORDER: Final = ("open", "half_open", "closed")


def reports_key(prefix: str) -> str:
    return f"{prefix}edges"


def encode(cores: Mapping[str, str], fail_open: bool, *, at: float | None = None) -> bytes:
    """One edge's report: its breakers by core name (never an address), whether it fails open."""
    return orjson.dumps(
        {"cores": dict(cores), "fail_open": fail_open, "at": time.time() if at is None else at}
    )


@dataclass(frozen=True, slots=True)
class EdgeReport:
    instance: str
    cores: dict[str, str]
    fail_open: bool
    age_s: float

    @property
    def reporting(self) -> bool:
        return self.age_s <= STALE_AFTER_S

    @property
    def worst(self) -> str:
        """``open`` if any breaker is open, else ``half_open`` if any is, else ``closed``."""
        return _worst(self.cores.values(), "closed")

    @classmethod
    def parse(cls, instance: str, value: bytes | str, *, now: float) -> EdgeReport | None:
        """The report in ``value``, or None where it is not one (a foreign or broken field)."""
        try:
            data: Any = orjson.loads(value)
            cores = {str(name): str(state) for name, state in data["cores"].items()}
            return cls(instance, cores, bool(data["fail_open"]), max(0.0, now - float(data["at"])))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "instance": self.instance,
            "cores": self.cores,
            "fail_open": self.fail_open,
            "age_s": round(self.age_s, 1),
            "reporting": self.reporting,
        }


def overall(reports: Iterable[EdgeReport]) -> str:
    """The worst breaker among edges reporting now; ``unknown`` when none is.

    >>> overall([EdgeReport("a", {"core_0": "closed"}, False, 1.0)])
    'closed'
    >>> overall([EdgeReport("a", {"core_0": "open"}, False, 60.0)])  # silent: not counted
    'unknown'
    """
    return _worst((report.worst for report in reports if report.reporting), "unknown")


def _worst(states: Iterable[str], default: str) -> str:
    seen = set(states)
    return next((state for state in _ORDER if state in seen), default)


async def read_reports(redis: aioredis.Redis, prefix: str) -> list[EdgeReport]:
    """Every edge's report, by instance name; fields unreadable or older than a day are
    removed. Raises Redis's errors."""
    now = time.time()
    fields: dict[bytes | str, bytes | str] = await redis.hgetall(reports_key(prefix))
    reports, forgotten = [], []
    for raw_name, value in fields.items():
        name = raw_name.decode("utf-8", "replace") if isinstance(raw_name, bytes) else raw_name
        report = EdgeReport.parse(name, value, now=now)
        if report is None or report.age_s > FORGET_AFTER_S:
            forgotten.append(raw_name)
        else:
            reports.append(report)
    if forgotten:
        await redis.hdel(reports_key(prefix), *forgotten)
    return sorted(reports, key=lambda report: report.instance)
