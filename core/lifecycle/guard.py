"""The output guard: the member of the output chain that judges what the model wrote.

Per text of the answer (:class:`core.lifecycle.output.TextKey`) it runs, JSON and streamed
alike:

* the tool gate on a tool call's ``name`` (:mod:`core.scanning.output.tool_calls`): a call
  the policy's ``tools.allow`` does not list ends the answer before the agent can run it; a
  streamed name is refused as soon as it can no longer become an allowed one;
* system-prompt leakage on every other text (:mod:`core.scanning.output.leakage`): the
  request's canary, or a long verbatim run of its system prompt, ends the answer;
* injection relayed through the answer on its content (:mod:`core.scanning.output.injection`):
  reported, or with ``output_actions.injection: block`` the answer is cut (streamed, each
  sentence is then sent once judged);
* PII and secrets on every other text (:mod:`core.scanning.output.pii`) with the policy's
  ``output_actions``: a value is masked (the default) or ends the answer (secrets). Streamed,
  each text goes through a bounded hold-back window (:class:`core.scanning.stream.StreamGuard`)
  that also keeps back what the leakage detector still needs to see (its ``pending``), so no
  character of a canary nor any part of a value is sent before it is judged.

Ending the answer is raising :class:`core.lifecycle.output.AnswerBlocked`; what was found is
added to the exchange (scanner, type, score; never the text). The guard sits before
pseudonym restore in the chain, so the placeholders the request's own values became are what
it sees, never flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from core.lifecycle.exchange import Exchange
from core.lifecycle.output import AnswerBlocked, AnswerTransform, TextKey
from core.scanning.output.canary import CanaryMaker, add_canary, system_prompt
from core.scanning.output.injection import OutputInjection, SentenceChecker
from core.scanning.output.leakage import LeakageDetector, LeakageGuard
from core.scanning.output.pii import OutputPiiGuard
from core.scanning.output.tool_calls import ToolGate
from core.scanning.policy import Policy
from core.scanning.stream import StreamGuard, StreamStep
from shared import wire
from shared.findings import Finding
from shared.wire import ApiRequest

__all__ = ["OutputGuard", "OutputScanners", "Prepared"]

_NAME = "name"
# The texts judged for relayed instructions: what an agent reads as the model's words.
_JUDGED: Final = frozenset({"content", "text"})


class _Field:
    """One streamed text's guards."""

    __slots__ = ("injection", "leakage", "pii")

    def __init__(
        self,
        pii: StreamGuard,
        leakage: LeakageDetector | None,
        injection: SentenceChecker | None,
    ) -> None:
        self.pii = pii
        self.leakage = leakage
        self.injection = injection


class OutputGuard(AnswerTransform):
    """PII, secrets, leakage and the tool gate on one request's answer (see the module doc)."""

    name = "output_guard"

    def __init__(
        self,
        exchange: Exchange,
        policy: Policy,
        pii: OutputPiiGuard,
        *,
        window: int,
        tools: ToolGate,
        leakage: LeakageGuard | None = None,
        system_prompt: str = "",
        canary: str | None = None,
        injection: OutputInjection | None = None,
    ) -> None:
        self._exchange = exchange
        self._policy = policy
        self._pii = pii
        self._window = window
        self._tools = tools
        self._leakage = leakage if (system_prompt or canary) else None
        self._system_prompt = system_prompt
        self._canary = canary
        self._fields: dict[TextKey, _Field] = {}
        self._names: dict[TextKey, str] = {}
        self._injection = injection
        self._block_injection = policy.blocks_output_injection
        self._injection_found = False  # reported once per answer

    # --- streamed ---------------------------------------------------------------------------

    def feed(self, key: TextKey, delta: str) -> str:
        if key.field == _NAME:
            return self._feed_name(key, delta)
        if key.call is not None and self._names:
            # A call's name is whole once its arguments come (it is sent first): a name let
            # through as the start of an allowed one ("read" of "read_file") is judged now,
            # before any argument is sent, not at the finish.
            name = self._names.get(TextKey(key.choice, _NAME, key.call))
            if name is not None:
                self._gate(name)
        field = self._field(key)
        hold = 0
        if field.leakage is not None:
            self._check_leakage(field.leakage.feed(delta))
            hold = field.leakage.pending
        text = self._step(field.pii.feed(delta, hold=hold))
        if field.injection is None:
            return text
        if self._block_injection:
            judged, finding = field.injection.feed(text)
            self._check_injection(finding)
            return judged
        self._check_injection(field.injection.feed(delta)[1])
        return text

    def flush(self, key: TextKey) -> str:
        if key.field == _NAME:
            name = self._names.pop(key, None)
            if name is not None:
                self._gate(name)
            return ""
        field = self._fields.pop(key, None)
        if field is None:
            return ""
        text = self._step(field.pii.flush())
        if field.injection is None:
            return text
        if self._block_injection:
            judged, finding = field.injection.feed(text)
            self._check_injection(finding)
            rest, finding = field.injection.flush()
            self._check_injection(finding)
            return judged + rest
        self._check_injection(field.injection.flush()[1])
        return text

    # --- JSON -------------------------------------------------------------------------------

    def answer(self, key: TextKey, text: str) -> str:
        if key.field == _NAME:
            self._gate(text)
            return text
        if self._leakage is not None:
            self._check_leakage(
                self._leakage.detector(self._system_prompt, self._canary).scan(text)
            )
        check = self._pii.check(text, self._policy)
        self._found(check.findings)
        if check.blocked is not None:
            raise _blocked(check.blocked)
        if self._injection is not None and key.field in _JUDGED and not self._injection_found:
            self._check_injection(self._injection.check(text))
        return check.text

    # --- parts ------------------------------------------------------------------------------

    def _field(self, key: TextKey) -> _Field:
        field = self._fields.get(key)
        if field is None:
            detector = None
            if self._leakage is not None:
                detector = self._leakage.detector(self._system_prompt, self._canary)
            injection = None
            if self._injection is not None and key.field in _JUDGED:
                injection = SentenceChecker(self._injection)
            field = self._fields[key] = _Field(
                self._pii.stream(self._policy, window=self._window), detector, injection
            )
        return field

    def _step(self, step: StreamStep) -> str:
        if step.findings:
            self._found(step.findings)
        if step.blocked is not None:
            raise _blocked(step.blocked)
        return step.text

    def _feed_name(self, key: TextKey, delta: str) -> str:
        """A streamed tool name passes on at once unless it cannot become an allowed one."""
        name = self._names.get(key, "") + delta
        self._names[key] = name
        allow = self._tools.allow
        if allow is not None and not any(tool.startswith(name) for tool in allow):
            self._gate(name)
        return delta

    def _gate(self, name: str) -> None:
        finding = self._tools.check(name)
        if finding is not None:
            self._found((finding,))
            raise _blocked(finding)

    def _check_injection(self, finding: Finding | None) -> None:
        """Report relayed instructions once per answer; cut it if the policy blocks them."""
        if finding is None or self._injection_found:
            return
        self._injection_found = True
        self._found((finding,))
        if self._block_injection and OutputInjection.blocking(finding):
            raise _blocked(finding)

    def _check_leakage(self, finding: Finding | None) -> None:
        if finding is not None:
            self._found((finding,))
            raise _blocked(finding)

    def _found(self, findings: Sequence[Finding]) -> None:
        self._exchange.add_output_findings(tuple(findings))


def _blocked(finding: Finding) -> AnswerBlocked:
    return AnswerBlocked(finding.scanner, finding.type)


@dataclass(frozen=True, slots=True)
class OutputScanners:
    """The output guard's parts, built once in the lifespan; :meth:`prepare` and
    :meth:`member` use them per request."""

    pii: OutputPiiGuard
    window: int
    leakage: LeakageGuard
    canaries: CanaryMaker | None  # None: CANARY_ENABLED=false
    injection: OutputInjection | None = None

    def prepare(self, api: ApiRequest, key_id: str, now: datetime) -> Prepared:
        """What the guard needs of a chat request before it is sent: its system prompt (as
        sent, after masking) and, where it has a leading system message, that message with
        the key's canary of the day added (see :mod:`core.scanning.output.canary`)."""
        if api.kind != "chat":
            return Prepared()
        messages = api.body.get("messages")
        if not isinstance(messages, list):
            return Prepared()
        prompt = system_prompt(messages)
        if not prompt or self.canaries is None:
            return Prepared(prompt)
        canary = self.canaries.token(key_id, now)
        added = add_canary(messages, canary)
        if added is None:
            return Prepared(prompt)
        return Prepared(prompt, canary, wire.dump_body({**api.body, "messages": added}))

    def member(self, exchange: Exchange, policy: Policy, prepared: Prepared) -> OutputGuard:
        return OutputGuard(
            exchange,
            policy,
            self.pii,
            window=self.window,
            tools=ToolGate(policy.tools_allow),
            leakage=self.leakage,
            system_prompt=prepared.system_prompt,
            canary=prepared.canary,
            injection=self.injection,
        )


@dataclass(frozen=True, slots=True)
class Prepared:
    """A request's system prompt, its canary, and the body with the canary (``None``: send
    the body as it was)."""

    system_prompt: str = ""
    canary: str | None = None
    body: bytes | None = None
