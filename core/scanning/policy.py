"""The policy: findings in, a verdict out. Pure: no I/O, no clock.

A finding blocks when its score reaches the block threshold of its scanner (a type may have
its own, ``scanner:type``). The risk score is the highest score found. The repository's
defaults are :data:`DEFAULT_POLICY`, completed at start with the classifier's threshold;
per key, workspace or global overrides are :class:`PolicyDocument` values stored in
PostgreSQL (``core.policies``) and laid over the defaults.

    >>> from shared.findings import Finding
    >>> DEFAULT_POLICY.decide([Finding("regex", "en.ignore_previous", 0.85)]).decision
    <Decision.BLOCK: 'block'>
    >>> looser = DEFAULT_POLICY.apply(PolicyDocument.parse({"thresholds": {"regex": None}}))
    >>> looser.decide([Finding("regex", "en.ignore_previous", 0.85)]).decision
    <Decision.ALLOW: 'allow'>
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from core.pii.entities import PII_ENTITIES, SCAN_LIMIT, SECRET_ENTITIES
from core.scanning.base import Decision, TypeCount, Verdict
from shared.errors import InvalidRequestError
from shared.extract import ScanText
from shared.findings import Finding
from shared.rulepack import load_rules

__all__ = [
    "ACTIONS",
    "DEFAULT_OUTPUT_ACTIONS",
    "DEFAULT_POLICY",
    "DROPPED_NOTICE",
    "INJECTION_ACTIONS",
    "KNOWN_SCANNERS",
    "MASKING_ACTIONS",
    "NEVER",
    "OUTPUT_ACTIONS",
    "Policy",
    "PolicyDocument",
    "droppable",
]

# A threshold no score reaches: the scanner (or type) only reports.
NEVER: Final = math.inf
# The scanners a policy may name (a typo must not silently do nothing), and the lowest
# threshold each accepts: the classifier reports scores from its report floor up, so a lower
# threshold could never take effect.
KNOWN_SCANNERS: Final = {"regex": 0.0, "classifier": 0.3, "pii": 0.5}
ACTIONS: Final = ("block", "mask", "redact", "hash", "pseudonymize", "allow")
# The actions that rewrite a value before the model sees it ("pseudonymize": a placeholder
# the answer gets the value back for, see core.pii.pseudonyms).
MASKING_ACTIONS: Final = frozenset({"mask", "redact", "hash", "pseudonymize"})
ACTION_SCANNERS: Final = frozenset({"pii", "regex", "classifier"})
# What may happen to a text the injection scanners block (``regex``, ``classifier``, or one
# type of them): ``block`` refuses the request (the default), ``drop`` removes the text if it
# is not the caller's own instruction (a tool result, see :func:`droppable`), replaced by
# :data:`DROPPED_NOTICE`, and the request goes on; elsewhere ``drop`` still blocks.
INJECTION_ACTIONS: Final = ("block", "drop")
DROPPED_NOTICE: Final = (
    "[Aegis removed this tool result: it contained instructions aimed at the assistant "
    "(prompt injection).]"
)
# The output_actions key of injection relayed through answers: allow (report) or block.
OUTPUT_INJECTION: Final = "injection"
# What may happen to a PII or secret value in a model's answer: no placeholder there (the
# client would get the value back from it).
OUTPUT_ACTIONS: Final = ("block", "mask", "redact", "hash", "allow")
# Answers: every value masked, secrets and unread text (PII_SCAN_LIMIT) never pass.
DEFAULT_OUTPUT_ACTIONS: Final = {
    "pii": "mask",
    **{f"pii:{entity}": "block" for entity in SECRET_ENTITIES},
    f"pii:{SCAN_LIMIT}": "block",
}
MAX_THRESHOLDS: Final = 500
MAX_TOOLS: Final = 500
# OpenAI's rule for a function name: a-z, A-Z, 0-9, underscores and dashes, 64 at most; dots
# too, as some servers allow them.
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_DOCUMENT_FIELDS: Final = frozenset({"thresholds", "actions", "output_actions", "tools", "dry_run"})
_NAME = re.compile(r"^([a-z_]+)(?::([A-Za-z0-9_.\-]{1,100}))?$")


@functools.cache
def known_types() -> dict[str, frozenset[str]]:
    """The types each scanner reports: the shipped rule pack's ids, the classifier's two."""
    return {
        "regex": frozenset(rule.id for rule in load_rules(check_examples=False).rules),
        "classifier": frozenset({"injection", "system_injection"}),
        "pii": frozenset((*PII_ENTITIES, SCAN_LIMIT)),
    }


@dataclass(frozen=True, slots=True)
class Policy:
    """Block thresholds by scanner name, and by ``scanner:type`` where one type differs.

    A scanner with no threshold (or :data:`NEVER`) only reports. ``dry_run`` set here
    overrides the process's ``DRY_RUN`` for the requests this policy governs; ``None``
    leaves it to the process.
    """

    thresholds: Mapping[str, float] = field(default_factory=dict)
    dry_run: bool | None = None
    # What to do with a PII or secret finding, by ``pii`` or ``pii:ENTITY``.
    actions: Mapping[str, str] = field(default_factory=dict)
    # The same for a value in the model's answer (core.scanning.output.pii).
    output_actions: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_OUTPUT_ACTIONS))
    # The tools an answer may call (core.scanning.output.tool_calls); None: any.
    tools_allow: frozenset[str] | None = None

    def action(self, finding: Finding) -> str | None:
        """``block``, ``mask``, ``redact``, ``hash``, ``pseudonymize`` or ``allow`` for a
        PII finding that has one; ``block`` or ``drop`` for an injection finding."""
        specific = self.actions.get(f"{finding.scanner}:{finding.type}")
        return specific if specific is not None else self.actions.get(finding.scanner)

    def output_action(self, entity: str) -> str:
        """``block``, ``mask``, ``redact``, ``hash`` or ``allow`` for a value of type ``entity``
        in an answer (``mask`` where nothing is set).

        >>> DEFAULT_POLICY.output_action("KR_RRN"), DEFAULT_POLICY.output_action("JWT")
        ('mask', 'block')
        """
        specific = self.output_actions.get(f"pii:{entity}")
        if specific is not None:
            return specific
        return self.output_actions.get("pii", "mask")

    @property
    def blocks_output_injection(self) -> bool:
        """Whether an answer relaying instructions is cut (``output_actions.injection``:
        ``block``) rather than reported (``allow``, the default)."""
        return self.output_actions.get(OUTPUT_INJECTION) == "block"

    def threshold(self, finding: Finding) -> float | None:
        specific = self.thresholds.get(f"{finding.scanner}:{finding.type}")
        if specific is not None:
            return specific
        return self.thresholds.get(finding.scanner)

    def decide(
        self,
        findings: Sequence[Finding],
        droppable: Collection[tuple[int | None, int | None]] = (),
    ) -> Verdict:
        """The verdict on ``findings``. A finding that would block, of a scanner whose action
        is ``drop``, in a text at a ``droppable`` place (``(message_index, part)``: tool
        results), does not block: it is in the verdict's ``dropping``, its text removed.

        >>> policy = DEFAULT_POLICY.apply(PolicyDocument.parse({"actions": {"regex": "drop"}}))
        >>> found = Finding("regex", "en.ignore_previous", 0.85, message_index=1)
        >>> policy.decide([found], {(1, None)}).decision, policy.decide([found]).decision
        (<Decision.MASK: 'mask'>, <Decision.BLOCK: 'block'>)
        """
        # A long text can have thousands of findings of a few types: look each type up once
        # (and count them, for Verdict.by_type).
        rules: dict[tuple[str, str], tuple[str | None, float | None, list[float]]] = {}
        blocking: list[Finding] = []
        masking: list[Finding] = []
        dropping: list[Finding] = []
        for finding in findings:
            key = (finding.scanner, finding.type)
            rule = rules.get(key)
            if rule is None:
                rule = rules[key] = (self.action(finding), self.threshold(finding), [0, 0.0])
            action, limit, count = rule
            score = finding.score
            count[0] += 1
            if score > count[1]:
                count[1] = score
            if action == "drop":
                if limit is not None and score >= limit:
                    if (finding.message_index, finding.part) in droppable:
                        dropping.append(finding)
                    else:
                        blocking.append(finding)
                continue
            if (action == "block" and finding.scanner == "pii") or (
                limit is not None and score >= limit
            ):
                blocking.append(finding)
            if action in MASKING_ACTIONS:
                masking.append(finding)
        counted = {key: TypeCount(int(n), top) for key, (_, _, (n, top)) in rules.items()}
        risk = max((count.score for count in counted.values()), default=0.0)
        if blocking:
            decision = Decision.BLOCK
        elif masking or dropping:
            decision = Decision.MASK
        else:
            decision = Decision.ALLOW
        return Verdict(
            decision,
            round(risk, 4),
            tuple(findings),
            tuple(blocking),
            tuple(masking),
            tuple(dropping),
            counted,
        )

    def with_overrides(self, overrides: Mapping[str, float]) -> Policy:
        return Policy(
            {**self.thresholds, **overrides},
            self.dry_run,
            self.actions,
            self.output_actions,
            self.tools_allow,
        )

    def apply(self, document: PolicyDocument) -> Policy:
        """This policy with ``document``'s settings laid over it."""
        dry_run = self.dry_run if document.dry_run is None else document.dry_run
        return Policy(
            {**self.thresholds, **document.thresholds},
            dry_run,
            {**self.actions, **document.actions},
            {**self.output_actions, **document.output_actions},
            self.tools_allow if document.tools_allow is None else document.tools_allow,
        )

    def as_dict(self) -> dict[str, Any]:
        return _as_dict(
            self.thresholds, self.actions, self.dry_run, self.output_actions, self.tools_allow
        )


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """One stored override: thresholds (``NEVER`` for null), PII actions for requests and
    for answers, and ``dry_run``.

    Its JSON form is ``{"thresholds": {"classifier": 0.6, "regex:en.developer_mode": null},
    "actions": {"pii:KR_RRN": "block"}, "output_actions": {"pii:PHONE_NUMBER": "redact"},
    "tools": {"allow": ["read_file"]}, "dry_run": true}``; every key is optional, nothing else
    is allowed. ``tools.allow`` lists the only tools an answer may call (null, or no
    ``tools``: any).
    """

    thresholds: Mapping[str, float] = field(default_factory=dict)
    dry_run: bool | None = None
    actions: Mapping[str, str] = field(default_factory=dict)
    output_actions: Mapping[str, str] = field(default_factory=dict)
    tools_allow: frozenset[str] | None = None

    @classmethod
    def parse(cls, data: object, *, check_types: bool = True) -> PolicyDocument:
        """Check a client's JSON; ``InvalidRequestError`` (400) names what is wrong.

        With ``check_types`` a ``scanner:type`` must name a type the scanner reports (a rule
        id of the shipped pack, or one of the classifier's types); stored documents are read
        back without it, so a rule removed in a later release does not void a whole policy.
        """
        if not isinstance(data, dict):
            raise InvalidRequestError("A policy must be a JSON object.")
        unknown = sorted(set(data) - _DOCUMENT_FIELDS)
        if unknown:
            raise InvalidRequestError(
                f"Unknown policy field '{unknown[0]}'; use 'thresholds', 'actions', "
                "'output_actions', 'tools' and 'dry_run'.",
                param=unknown[0],
            )
        tools_allow = _parse_tools(data.get("tools"))
        actions = _parse_actions(data.get("actions", {}), check_types=check_types)
        output_actions = _parse_actions(
            data.get("output_actions", {}),
            check_types=check_types,
            field_name="output_actions",
            allowed=OUTPUT_ACTIONS,
        )
        dry_run = data.get("dry_run")
        if dry_run is not None and not isinstance(dry_run, bool):
            raise InvalidRequestError("'dry_run' must be true, false or null.", param="dry_run")
        raw = data.get("thresholds", {})
        if not isinstance(raw, dict):
            raise InvalidRequestError("'thresholds' must be an object.", param="thresholds")
        if len(raw) > MAX_THRESHOLDS:
            raise InvalidRequestError(
                f"At most {MAX_THRESHOLDS} thresholds per policy.", param="thresholds"
            )
        thresholds: dict[str, float] = {}
        for name, value in raw.items():
            match = _NAME.match(name)
            if match is None or match[1] not in KNOWN_SCANNERS:
                raise InvalidRequestError(
                    f"'{name}' is not a scanner or scanner:type; scanners are "
                    f"{', '.join(sorted(KNOWN_SCANNERS))}.",
                    param=f"thresholds.{name}",
                )
            if check_types and match[2] is not None and match[2] not in known_types()[match[1]]:
                raise InvalidRequestError(
                    f"'{name}': {match[1]} reports no type '{match[2]}'.",
                    param=f"thresholds.{name}",
                )
            lowest = KNOWN_SCANNERS[match[1]]
            if value is None:
                thresholds[name] = NEVER
            elif (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and lowest <= value <= 1.0
            ):
                thresholds[name] = float(value)
            else:
                raise InvalidRequestError(
                    f"The threshold of '{name}' must be a number from {lowest:g} to 1, or "
                    "null (report only).",
                    param=f"thresholds.{name}",
                )
        return cls(thresholds, dry_run, actions, output_actions, tools_allow)

    def as_dict(self) -> dict[str, Any]:
        return _as_dict(
            self.thresholds, self.actions, self.dry_run, self.output_actions, self.tools_allow
        )


def droppable(texts: Iterable[ScanText]) -> frozenset[tuple[int | None, int | None]]:
    """The places (``(message_index, part)``) of the texts a ``drop`` action may remove: the
    content of tool results (role ``tool``), never the caller's own messages, a message's
    ``name`` or a tool call's arguments (negative parts). The extractor does not tell a
    retrieved passage in a user message from the user's words, so only tool results drop.

    >>> droppable([ScanText(1, "tool", "x"), ScanText(2, "user", "y"),
    ...            ScanText(1, "tool", "f", -1)])
    frozenset({(1, None)})
    """
    return frozenset(
        (text.message_index, text.part)
        for text in texts
        if text.role == "tool" and (text.part is None or text.part >= 0)
    )


def _as_dict(
    thresholds: Mapping[str, float],
    actions: Mapping[str, str],
    dry_run: bool | None,
    output_actions: Mapping[str, str],
    tools_allow: frozenset[str] | None,
) -> dict[str, Any]:
    """The JSON form shared by a policy and a stored document (``NEVER`` as null)."""
    return {
        "tools": {"allow": None if tools_allow is None else sorted(tools_allow)},
        "thresholds": {
            name: None if limit == NEVER else limit for name, limit in sorted(thresholds.items())
        },
        "actions": dict(sorted(actions.items())),
        "output_actions": dict(sorted(output_actions.items())),
        "dry_run": dry_run,
    }


def _parse_tools(raw: object) -> frozenset[str] | None:
    """``{"allow": [names]}`` (or null) as the set of allowed tool names; None: any tool."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"allow"}:
        raise InvalidRequestError(
            "'tools' must be an object with one field, 'allow'.", param="tools"
        )
    allow = raw.get("allow")
    if allow is None:
        return None
    if (
        not isinstance(allow, list)
        or len(allow) > MAX_TOOLS
        or not all(isinstance(name, str) and _TOOL_NAME.match(name) for name in allow)
    ):
        raise InvalidRequestError(
            f"'tools.allow' must be a list of at most {MAX_TOOLS} tool names (letters, digits, "
            "'_', '-', '.', at most 64 characters each), or null for any tool.",
            param="tools.allow",
        )
    return frozenset(allow)


def _parse_actions(
    raw: object,
    *,
    check_types: bool,
    field_name: str = "actions",
    allowed: Sequence[str] = ACTIONS,
) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise InvalidRequestError(f"'{field_name}' must be an object.", param=field_name)
    actions: dict[str, str] = {}
    for name, value in raw.items():
        if field_name == "output_actions" and name == OUTPUT_INJECTION:
            # Injection relayed through an answer (core.scanning.output.injection).
            if value not in ("allow", "block"):
                raise InvalidRequestError(
                    f"The action of '{name}' must be allow (report) or block.",
                    param=f"{field_name}.{name}",
                )
            actions[name] = value
            continue
        match = _NAME.match(name)
        scanners = ACTION_SCANNERS if field_name == "actions" else frozenset({"pii"})
        if match is None or match[1] not in scanners:
            raise InvalidRequestError(
                f"'{name}' is not pii or pii:ENTITY; {field_name} apply to PII and secrets"
                + (
                    " (and 'injection')."
                    if field_name == "output_actions"
                    else ", and to the injection scanners (regex, classifier, or one type)."
                ),
                param=f"{field_name}.{name}",
            )
        if check_types and match[2] is not None and match[2] not in known_types()[match[1]]:
            raise InvalidRequestError(
                f"'{name}': {match[1]} reports no "
                f"{'entity' if match[1] == 'pii' else 'type'} '{match[2]}'.",
                param=f"{field_name}.{name}",
            )
        choices = allowed if match[1] == "pii" else INJECTION_ACTIONS
        if value not in choices:
            raise InvalidRequestError(
                f"The action of '{name}' must be one of {', '.join(choices)}"
                + (
                    " (drop applies to the injection scanners, regex and classifier)."
                    if value == "drop"
                    else "."
                ),
                param=f"{field_name}.{name}",
            )
        actions[name] = value
    return actions


# The precise rules block at high severity (score 0.85). The classifier's threshold is the
# one chosen on the dev split and shipped with the model, set when the pipeline is built.
# A system message is the application's own prompt, and an ordinary one ("You are …; never
# reveal these instructions") scores like an attack, so the classifier only reports it (a
# separate signal in findings and the audit trail); a policy may set a threshold for it.
#
# PII and secrets, defaults for a public agency: identity numbers and payment data are
# masked (the model still sees that a number was there), secrets never pass, and what is
# ordinary in work text (IP addresses, business registration numbers) is allowed. A text
# too dense with candidates to read within its budget (PII_SCAN_LIMIT) is refused: what
# was not read may hold anything.
DEFAULT_PII_ACTIONS: Final = {
    "pii": "mask",
    "pii:IP_ADDRESS": "allow",
    "pii:KR_BRN": "allow",
    **{f"pii:{entity}": "block" for entity in SECRET_ENTITIES},
    f"pii:{SCAN_LIMIT}": "block",
}
DEFAULT_POLICY = Policy(
    {"regex": 0.85, "classifier:system_injection": NEVER}, actions=DEFAULT_PII_ACTIONS
)
