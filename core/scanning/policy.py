"""The policy: findings in, a verdict out. Pure: no I/O, no clock.

A finding blocks when its score reaches the block threshold of its scanner (a type may have
its own). The risk score is the highest score found. The repository's defaults are
:data:`DEFAULT_POLICY`; per key or workspace overrides replace thresholds by name.

    >>> from shared.findings import Finding
    >>> DEFAULT_POLICY.decide([Finding("regex", "en.ignore_previous", 0.85)]).decision
    <Decision.BLOCK: 'block'>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.scanning.base import Decision, Verdict
from shared.findings import Finding

__all__ = ["DEFAULT_POLICY", "Policy"]


@dataclass(frozen=True, slots=True)
class Policy:
    """Block thresholds by scanner name, and by ``scanner:type`` where one type differs.

    A scanner with no threshold only reports. ``1.01`` turns a scanner's blocking off.
    """

    thresholds: Mapping[str, float] = field(default_factory=dict)

    def threshold(self, finding: Finding) -> float | None:
        specific = self.thresholds.get(f"{finding.scanner}:{finding.type}")
        if specific is not None:
            return specific
        return self.thresholds.get(finding.scanner)

    def decide(self, findings: Sequence[Finding]) -> Verdict:
        blocking = tuple(
            finding
            for finding in findings
            if (limit := self.threshold(finding)) is not None and finding.score >= limit
        )
        risk = max((finding.score for finding in findings), default=0.0)
        decision = Decision.BLOCK if blocking else Decision.ALLOW
        return Verdict(decision, round(risk, 4), tuple(findings), blocking)

    def with_overrides(self, overrides: Mapping[str, float]) -> Policy:
        return Policy({**self.thresholds, **overrides})


# The precise rules block at high severity (score 0.85); the classifier's threshold is the
# one chosen on the dev split and shipped with the model, set when the pipeline is built.
DEFAULT_POLICY = Policy({"regex": 0.85})
