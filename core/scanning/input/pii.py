"""PII and secrets as a pipeline scanner: Presidio with the project's recognizers.

Each client-controlled text is analysed on its own; a finding's offsets are exact in that
text (not the normalised one), ``part`` says which content part it was, so masking can write
the new text back where it came from. What happens to a finding — block, mask, redact, hash,
allow — is the policy's ``actions``. It runs where :class:`CpuRunner` puts it, as the
classifier does.

The analysis of each text is bounded (:func:`core.pii.analyzer.work_budget`); a text whose
budget ran out before every candidate was read gets one more finding, type
``PII_SCAN_LIMIT`` with no span, which blocks unless a policy says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from prometheus_client import CollectorRegistry, Counter

from core.pii.analyzer import PiiAnalyzer
from core.pii.entities import SCAN_LIMIT
from core.scanning.base import CpuRunner, ScanRequest, count_by_type
from shared.findings import Finding

__all__ = ["PiiScanner"]


class PiiScanner:
    """Runs the PII analyzer; ``close()`` stops its worker thread."""

    name: ClassVar[str] = "pii"
    cost: ClassVar[int] = 40

    def __init__(
        self,
        analyzer: PiiAnalyzer,
        registry: CollectorRegistry,
        *,
        runner: CpuRunner | None = None,
    ) -> None:
        self._analyzer = analyzer
        self._detections = Counter(
            "aegis_pii_detections_total",
            "PII and secret findings in requests, by entity type.",
            ("entity",),
            registry=registry,
        )
        self._runner = runner or CpuRunner()

    async def scan(self, request: ScanRequest) -> Sequence[Finding]:
        texts = request.texts
        if not texts:
            return []
        findings = await self._runner.run(request, lambda: self._scan_all(request))
        # Counted by type: an increment takes the counter's lock, and 1 MB of hostile text
        # has thousands of findings of a few types (core's event loop runs this).
        for (_, kind), counted in count_by_type(findings).items():
            self._detections.labels(kind).inc(counted.count)
        return findings

    def _scan_all(self, request: ScanRequest) -> list[Finding]:
        findings: list[Finding] = []
        for text in request.texts:
            scan = self._analyzer.scan(text.text)
            findings.extend(
                Finding(
                    self.name,
                    result.entity_type,
                    round(result.score, 4),
                    result.start,
                    result.end,
                    text.message_index,
                    part=text.part,
                )
                for result in scan.results
            )
            if scan.stopped_at is not None:
                findings.append(
                    Finding(
                        self.name, SCAN_LIMIT, 1.0, None, None, text.message_index, part=text.part
                    )
                )
        return findings

    def close(self) -> None:
        self._runner.close()
