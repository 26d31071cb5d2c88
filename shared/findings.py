"""What a scanner found: a small frozen value shared by edge and core.

A finding names a rule or detector and where it matched, never the text itself, so it can be
logged, sent to core in a header and written to the audit log as it is.

    >>> Finding("prefilter", "en.ignore_previous", 0.85, 0, 28, 1, "high").as_dict()["type"]
    'en.ignore_previous'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

__all__ = ["SEVERITIES", "SEVERITY_SCORES", "Finding", "severity_rank"]

# Ordered from weakest to strongest; a rule's severity maps to the finding's score.
SEVERITIES: Final = ("low", "medium", "high", "critical")
SEVERITY_SCORES: Final = {"low": 0.3, "medium": 0.6, "high": 0.85, "critical": 1.0}


def severity_rank(severity: str) -> int:
    """Position of ``severity`` in :data:`SEVERITIES` (``ValueError`` for an unknown one)."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True, slots=True)
class Finding:
    """One match of one scanner.

    ``type`` is what matched (a rule id such as ``"en.ignore_previous"``, or an entity such as
    ``"KR_RRN"``); ``score`` is 0..1; ``start``/``end`` are character offsets in the text the
    scanner looked at (the prefilter's are in the *normalised* text); ``message_index`` points
    into the request's ``messages`` (``None`` for a completion prompt or embedding input).
    """

    scanner: str
    type: str
    score: float
    start: int | None = None
    end: int | None = None
    message_index: int | None = None
    severity: str | None = None
    # The content part (or prompt/input list item) of that message the offsets refer to.
    part: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able dict of every field; it holds no text of the request."""
        data: dict[str, Any] = {
            "scanner": self.scanner,
            "type": self.type,
            "score": self.score,
            "start": self.start,
            "end": self.end,
            "message_index": self.message_index,
            "severity": self.severity,
        }
        if self.part is not None:
            data["part"] = self.part
        return data
