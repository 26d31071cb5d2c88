"""PII and secrets as a pipeline scanner: Presidio with the project's recognizers.

Each client-controlled text is analysed on its own; a finding's offsets are exact in that
text (not the normalised one), ``part`` says which content part it was, so masking can write
the new text back where it came from. What happens to a finding — block, mask, redact, hash,
allow — is the policy's ``actions``. Short requests are analysed on the event loop, longer
ones on the scanner's worker thread, as the classifier does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar, Final

from prometheus_client import CollectorRegistry, Counter

from core.pii.analyzer import PiiAnalyzer
from core.scanning.base import ScanRequest
from shared.findings import Finding

__all__ = ["PiiScanner"]

DEFAULT_INLINE_CHARS: Final = 2048


class PiiScanner:
    """Runs the PII analyzer; ``close()`` stops its worker thread."""

    name: ClassVar[str] = "pii"
    cost: ClassVar[int] = 40

    def __init__(
        self,
        analyzer: PiiAnalyzer,
        registry: CollectorRegistry,
        *,
        inline_chars: int = DEFAULT_INLINE_CHARS,
    ) -> None:
        self._analyzer = analyzer
        self._detections = Counter(
            "aegis_pii_detections_total",
            "PII and secret findings in requests, by entity type.",
            ("entity",),
            registry=registry,
        )
        self._inline_chars = inline_chars
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aegis-pii")

    async def scan(self, request: ScanRequest) -> Sequence[Finding]:
        texts = request.texts
        if not texts:
            return []
        if sum(len(text.text) for text in texts) <= self._inline_chars:
            findings = self._scan_all(request)
        else:
            loop = asyncio.get_running_loop()
            findings = await loop.run_in_executor(self._executor, self._scan_all, request)
        for finding in findings:
            self._detections.labels(finding.type).inc()
        return findings

    def _scan_all(self, request: ScanRequest) -> list[Finding]:
        return [
            Finding(
                self.name,
                result.entity_type,
                round(result.score, 4),
                result.start,
                result.end,
                text.message_index,
                part=text.part,
            )
            for text in request.texts
            for result in self._analyzer.analyze(text.text)
        ]

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
