"""The precise regex scanner: the shared rule pack (English and Korean) on normalised text.

The same RE2 rule set as the edge's prefilter, run again on core for requests that did not
pass an edge (internal callers) and to report every rule that matched, with its severity.
Normalising a long text takes milliseconds (up to ~0.1 s a megabyte), so it runs where
:class:`CpuRunner` puts it, as the other scanners do, never holding the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from core.scanning.base import CpuRunner, ScanRequest
from core.scanning.policy import droppable
from shared.extract import ScanText
from shared.findings import Finding
from shared.prefilter import Prefilter

__all__ = ["RegexScanner"]


class RegexScanner:
    """Rules compiled once at start; a scan is one linear pass per text."""

    name: ClassVar[str] = "regex"
    cost: ClassVar[int] = 10

    def __init__(self, *, runner: CpuRunner | None = None) -> None:
        self._rules = Prefilter()
        self._runner = runner or CpuRunner()

    async def scan(self, request: ScanRequest) -> Sequence[Finding]:
        return await self._runner.run(request, lambda: self._scan(request.texts))

    def _scan(self, texts: Sequence[ScanText]) -> list[Finding]:
        """The rules' findings. The prefilter reports a rule once per message; a tool
        result's texts are matched one by one, each finding naming its part, so that a
        ``drop`` action removes exactly the poisoned text (core.scanning.policy.droppable)."""
        places = droppable(texts)
        if not places:
            return [replace(f, scanner=self.name) for f in self._rules.scan(texts).findings]
        rest = [text for text in texts if (text.message_index, text.part) not in places]
        findings = [replace(f, scanner=self.name) for f in self._rules.scan(rest).findings]
        for text in texts:
            if (text.message_index, text.part) in places:
                findings.extend(
                    replace(f, scanner=self.name, part=text.part)
                    for f in self._rules.scan([text]).findings
                )
        # In request order (a prompt or input, with no message index, first).
        findings.sort(key=lambda f: -1 if f.message_index is None else f.message_index)
        return findings

    def close(self) -> None:
        self._runner.close()
