"""The prompt-injection / jailbreak classifier as a pipeline scanner.

Every client-controlled text of the request is scored by :class:`InjectionClassifier` (all
of them in shared ONNX calls). A text's finding is reported when its score reaches
``report_floor``, so the audit trail and ``/api/v1/inspect`` show near misses too; whether a
finding blocks is the policy's call (its ``classifier`` threshold defaults to the model's).

System messages are a separate signal, type ``system_injection``: an application's own
system prompt is often long, imperative and full of role-play ("You are …, never reveal …"),
the very features of an attack, so by default it is only reported; a policy may give
``classifier:system_injection`` a threshold to block on it. Everything else — user and
assistant turns, tool results, completion prompts, embedding inputs — is type ``injection``.

Inference is CPU-bound: the n-gram tier runs where :class:`core.scanning.base.CpuRunner`
puts it (on the event loop for short requests, on the scanners' worker thread for long
ones); the encoder tier, for the few texts whose n-gram score is in its band, always on a
thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Final

from core.model.classifier import ClassifierResult, InjectionClassifier
from core.scanning.base import CpuRunner, ScanRequest
from shared.extract import ScanText
from shared.findings import Finding

__all__ = ["INJECTION", "REPORT_FLOOR", "SYSTEM_INJECTION", "InjectionScanner"]

INJECTION: Final = "injection"
SYSTEM_INJECTION: Final = "system_injection"
# Scores below this are not findings (everyday text scores up to ~0.25); a policy cannot set
# a classifier threshold below it (core.scanning.policy.KNOWN_SCANNERS).
REPORT_FLOOR: Final = 0.3


class InjectionScanner:
    """Runs the ONNX classifier; ``close()`` stops its worker thread."""

    name: ClassVar[str] = "classifier"
    cost: ClassVar[int] = 50

    def __init__(
        self,
        classifier: InjectionClassifier,
        *,
        report_floor: float = REPORT_FLOOR,
        runner: CpuRunner | None = None,
    ) -> None:
        self.classifier = classifier
        self._report_floor = report_floor
        self._runner = runner or CpuRunner()

    @property
    def threshold(self) -> float:
        """The model's own decision threshold (chosen on the dev split, shipped in the model)."""
        return self.classifier.threshold

    async def scan(self, request: ScanRequest) -> Sequence[Finding]:
        texts = request.texts
        if not texts:
            return []
        plain = [scan_text.text for scan_text in texts]
        classifier = self.classifier
        # The n-gram tier where the runner puts it (a short prompt on the loop); the encoder
        # tier, 10-25 ms a text for the few in its band, always on a thread, so the loop
        # never waits on it (tests/core/test_classifier_tiers.py).
        first = await self._runner.run(request, lambda: classifier.first_tier(plain))
        if not classifier.needs_second_tier(first):
            results = first
        else:
            results = await self._runner.run(
                request, lambda: classifier.second_tier(plain, first), inline=False
            )
        return [
            _finding(self.name, scan_text, result)
            for scan_text, result in zip(texts, results, strict=True)
            if result.score >= self._report_floor
        ]

    def close(self) -> None:
        self._runner.close()


def _finding(scanner: str, text: ScanText, result: ClassifierResult) -> Finding:
    kind = SYSTEM_INJECTION if text.role == "system" else INJECTION
    start, end = (None, None) if result.decoded else (result.start, result.end)
    return Finding(
        scanner,
        kind,
        round(result.score, 4),
        start,
        end,
        text.message_index,
        part=text.part,
    )
