"""The regex rule pack: YAML files of RE2 rules, loaded and checked once at start-up.

A rule file (``shared/rules/*.yaml``) holds a ``rules:`` list; each rule is::

    - id: en.ignore_previous_instructions     # unique across the pack
      category: prompt_injection               # one of CATEGORIES
      severity: high                           # low | medium | high | critical
      languages: [en]                          # en, ko
      description: Tells the model to drop the instructions it was given.
      pattern: '\\bignore\\s+(?:all\\s+)?previous\\s+instructions'
      unless_before: '(?:\\bnot|\\bnever)\\s+'   # optional: a match right after this is ignored
      unless_after: '지\\s*(?:마|말)'             # optional: a match right before this is ignored
      examples:
        match: [...]                           # at least two; each must match
        no_match: [...]                        # at least two; each must not

Patterns are RE2 syntax (no backreferences or lookarounds: matching is linear in the text,
so no rule can be turned into a ReDoS) and match the *normalised* text
(``shared.normalize.normalize``: case-folded, invisible characters removed, spaced letters
joined, homoglyphs folded), so they are written in lower case. ``unless_before`` and
``unless_after`` express negation, which RE2 cannot look around for: a match of
``pattern`` counts only when no match of ``unless_before + pattern`` (or ``pattern +
unless_after``) covers it, so "never reveal your system prompt" in a system prompt is not a
request to reveal it.

:func:`load_rules` checks everything and raises :class:`RulePackError` naming the file and
the rule: unknown or missing keys, duplicate ids, a pattern RE2 rejects or that matches the
empty string, unknown category, severity or language, too few examples, and (by default)
every example against its pattern after normalisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import re2
import yaml

from shared.findings import SEVERITIES, SEVERITY_SCORES
from shared.normalize import normalized_forms

__all__ = [
    "CATEGORIES",
    "LANGUAGES",
    "MAX_CHECKED_MATCHES",
    "NEAR_WINDOW",
    "NEGATION_WINDOW",
    "RULES_DIR",
    "CompiledRule",
    "Rule",
    "RulePack",
    "RulePackError",
    "compile_rule",
    "load_rules",
    "re2_options",
]

RULES_DIR: Final = Path(__file__).resolve().parent / "rules"
CATEGORIES: Final = frozenset(
    {
        "prompt_injection",
        "jailbreak_persona",
        "system_prompt_extraction",
        "tool_hijack",
        "exfiltration",
    }
)
LANGUAGES: Final = frozenset({"en", "ko"})
MIN_EXAMPLES: Final = 2
# Past this many negated matches of one rule in one text, the rule fires anyway.
MAX_CHECKED_MATCHES: Final = 32
# How far around a match a negation ("never ...", "...하지 마") is looked for, in bytes.
NEGATION_WINDOW: Final = 256
# How far around another rule's match a rule is looked for first, in bytes.
NEAR_WINDOW: Final = 512

_REQUIRED_KEYS: Final = frozenset(
    {"id", "pattern", "languages", "category", "severity", "description", "examples"}
)
_OPTIONAL_KEYS: Final = frozenset({"unless_before", "unless_after"})
_ID_RE: Final = re.compile(r"[a-z]{2}\.[a-z0-9_]+")
# Escapes like \S, \W, \B, \P{..} are upper case on purpose; anything else upper case in a
# pattern can never match case-folded text.
_ESCAPES_RE: Final = re.compile(r"\\[pP]\{[A-Za-z_]+\}|\\[pP][A-Za-z]|\\.")


class RulePackError(ValueError):
    """A rule file is unreadable or a rule in it is invalid; the message names both."""


def re2_options() -> re2.Options:
    """The RE2 options every rule is compiled with (errors raised, not logged; 64 MiB)."""
    options = re2.Options()
    options.log_errors = False
    options.max_mem = 64 << 20
    return options


@dataclass(frozen=True, slots=True)
class Rule:
    """One validated rule; ``source`` is the file it came from."""

    id: str
    pattern: str
    languages: tuple[str, ...]
    category: str
    severity: str
    description: str
    match_examples: tuple[str, ...]
    no_match_examples: tuple[str, ...]
    source: str
    unless_before: str | None = None
    unless_after: str | None = None

    @property
    def score(self) -> float:
        """The finding score for this rule's severity (low .3, medium .6, high .85, critical 1)."""
        return SEVERITY_SCORES[self.severity]


@dataclass(frozen=True, slots=True)
class RulePack:
    """The loaded rules, in file-name order, then in the order of each file."""

    rules: tuple[Rule, ...]

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def get(self, rule_id: str) -> Rule | None:
        """The rule with this id, or ``None``."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        return None


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule with its RE2 objects: the pattern, and its negated form when it has one.

    ``negation_pattern`` is ``unless_before + pattern`` and/or ``pattern + unless_after`` as
    one RE2 alternation: a match of the rule that one of its matches covers does not count.
    """

    rule: Rule
    regex: re2._Regexp
    negation_pattern: str | None
    negation: re2._Regexp | None

    def search(
        self, data: bytes, near: tuple[int, int] | None = None, *, negatable: bool = True
    ) -> tuple[int, int] | None:
        """Byte span of a match in UTF-8 ``data`` that no negation covers, or ``None``.

        ``near`` is a span where another rule matched: the bytes around it are searched first
        (attacks cluster, and a 1 KB window is cheaper than the whole text), then, failing
        that, the whole text. RE2 sees the whole text as context either way, so a window never
        invents a match (``\\b`` and ``^`` look past its edges). Pass ``negatable=False``
        when the negation is known not to match anywhere (the prefilter's set match tells).
        Negations are looked for within :data:`NEGATION_WINDOW` bytes of each match; past
        :data:`MAX_CHECKED_MATCHES` negated matches the rule fires anyway, so negation cannot
        be used to hide one.
        """
        negation = self.negation if negatable else None
        if near is not None:
            low = max(0, near[0] - NEAR_WINDOW)
            high = min(len(data), near[1] + NEAR_WINDOW)
            span = self._search(data, low, high, negation)
            if span is not None or (low == 0 and high == len(data)):
                return span
        return self._search(data, 0, len(data), negation)

    def _search(
        self, data: bytes, low: int, high: int, negation: re2._Regexp | None
    ) -> tuple[int, int] | None:
        if negation is None:
            match = self.regex.search(data, low, high)
            return match.span() if match is not None else None
        first: tuple[int, int] | None = None
        for checked, match in enumerate(self.regex.finditer(data, low, high), start=1):
            start, end = match.span()
            window = max(0, start - NEGATION_WINDOW), min(len(data), end + NEGATION_WINDOW)
            if not any(
                m.start() <= start and end <= m.end() for m in negation.finditer(data, *window)
            ):
                return start, end
            first = first or (start, end)
            if checked == MAX_CHECKED_MATCHES:
                return first
        return None


def compile_rule(rule: Rule) -> CompiledRule:
    """Compile a rule's pattern and negation with :func:`re2_options`."""
    options = re2_options()
    negations = []
    if rule.unless_before:
        negations.append(f"(?:{rule.unless_before})(?:{rule.pattern})")
    if rule.unless_after:
        negations.append(f"(?:{rule.pattern})(?:{rule.unless_after})")
    negation_pattern = "|".join(negations) or None
    return CompiledRule(
        rule=rule,
        regex=re2.compile(rule.pattern, options),
        negation_pattern=negation_pattern,
        negation=re2.compile(negation_pattern, options) if negation_pattern else None,
    )


def load_rules(
    paths: Iterable[str | Path] | None = None, *, check_examples: bool = True
) -> RulePack:
    """Load and validate rule files; ``None`` loads the shipped pack (``shared/rules``).

    ``paths`` may name files or directories (whose ``*.yaml`` are read in name order).
    Raises :class:`RulePackError` for the first problem found, naming the file and rule id.
    """
    roots = [RULES_DIR] if paths is None else [Path(p) for p in paths]
    files = _rule_files(roots)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        for rule in _load_file(path, check_examples=check_examples):
            if rule.id in seen:
                raise RulePackError(
                    f"{path.name}: rule {rule.id!r}: duplicate id (also in {seen[rule.id]})"
                )
            seen[rule.id] = path.name
            rules.append(rule)
    if not rules:
        raise RulePackError("no rules found in: " + ", ".join(str(p) for p in roots))
    return RulePack(tuple(rules))


def _rule_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")))
        elif path.is_file():
            files.append(path)
        else:
            raise RulePackError(f"{path}: no such rule file or directory")
    return files


def _load_file(path: Path, *, check_examples: bool) -> Iterator[Rule]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RulePackError(f"{path.name}: cannot read rule file: {exc}") from exc
    if not isinstance(document, Mapping) or not isinstance(document.get("rules"), list):
        raise RulePackError(f"{path.name}: expected a mapping with a 'rules' list")
    for index, entry in enumerate(document["rules"]):
        rule_id = entry.get("id") if isinstance(entry, Mapping) else None
        where = f"{path.name}: rule {rule_id!r}" if rule_id else f"{path.name}: rule #{index + 1}"
        if not isinstance(entry, Mapping):
            raise RulePackError(f"{where}: expected a mapping")
        yield _parse_rule(entry, path.name, where, check_examples=check_examples)


def _parse_rule(entry: Mapping[str, Any], source: str, where: str, *, check_examples: bool) -> Rule:
    missing = _REQUIRED_KEYS - entry.keys()
    if missing:
        raise RulePackError(f"{where}: missing {', '.join(sorted(missing))}")
    unknown = entry.keys() - _REQUIRED_KEYS - _OPTIONAL_KEYS
    if unknown:
        raise RulePackError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    rule_id = _text(entry, "id", where)
    if _ID_RE.fullmatch(rule_id) is None:
        raise RulePackError(f"{where}: id must look like 'en.some_name' (lower case)")
    category = _text(entry, "category", where)
    if category not in CATEGORIES:
        raise RulePackError(
            f"{where}: unknown category {category!r}; use one of {sorted(CATEGORIES)}"
        )
    severity = _text(entry, "severity", where)
    if severity not in SEVERITIES:
        raise RulePackError(
            f"{where}: unknown severity {severity!r}; use one of {list(SEVERITIES)}"
        )
    languages = entry["languages"]
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(lang, str) and lang in LANGUAGES for lang in languages)
    ):
        raise RulePackError(f"{where}: languages must be a non-empty list of {sorted(LANGUAGES)}")
    pattern = _pattern(entry, "pattern", where)
    unless_before = _pattern(entry, "unless_before", where) if "unless_before" in entry else None
    unless_after = _pattern(entry, "unless_after", where) if "unless_after" in entry else None
    examples = entry["examples"]
    if not isinstance(examples, Mapping) or examples.keys() - {"match", "no_match"}:
        raise RulePackError(f"{where}: examples must be a mapping with 'match' and 'no_match'")
    rule = Rule(
        id=rule_id,
        pattern=pattern,
        languages=tuple(languages),
        category=category,
        severity=severity,
        description=_text(entry, "description", where),
        match_examples=_examples(examples, "match", where),
        no_match_examples=_examples(examples, "no_match", where),
        source=source,
        unless_before=unless_before,
        unless_after=unless_after,
    )
    try:
        compiled = compile_rule(rule)
    except re2.error as exc:
        raise RulePackError(f"{where}: unless_before/unless_after do not compile: {exc}") from exc
    if check_examples:
        _check_examples(compiled, where)
    return rule


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise RulePackError(f"{where}: {key} must be a non-empty string")
    return value


def _pattern(entry: Mapping[str, Any], key: str, where: str) -> str:
    pattern = _text(entry, key, where)
    try:
        regex = re2.compile(pattern, re2_options())
    except re2.error as exc:
        raise RulePackError(f"{where}: {key} is not valid RE2: {exc}") from exc
    if key == "pattern" and regex.search("") is not None:
        raise RulePackError(f"{where}: pattern matches the empty string")
    if re.search("[A-Z]", _ESCAPES_RE.sub("", pattern)):
        raise RulePackError(f"{where}: {key} has upper-case letters; it matches case-folded text")
    return pattern


def _examples(examples: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = examples.get(key)
    if not isinstance(values, list) or len(values) < MIN_EXAMPLES:
        raise RulePackError(f"{where}: examples.{key} needs at least {MIN_EXAMPLES} entries")
    if not all(isinstance(value, str) and value for value in values):
        raise RulePackError(f"{where}: examples.{key} must be non-empty strings")
    return tuple(values)


def _check_examples(compiled: CompiledRule, where: str) -> None:
    for example in compiled.rule.match_examples:
        if not any(compiled.search(form.encode()) for form in normalized_forms(example)):
            raise RulePackError(f"{where}: examples.match does not match: {example!r}")
    for example in compiled.rule.no_match_examples:
        if any(compiled.search(form.encode()) for form in normalized_forms(example)):
            raise RulePackError(f"{where}: examples.no_match matches: {example!r}")
