"""The rule pack: every shipped rule's examples hold, and broken rule files are refused."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shared.findings import SEVERITIES
from shared.normalize import normalized_forms
from shared.rulepack import (
    CATEGORIES,
    RULES_DIR,
    Rule,
    RulePackError,
    compile_rule,
    load_rules,
)

PACK = load_rules()


def _matches(rule: Rule, text: str) -> bool:
    compiled = compile_rule(rule)
    return any(compiled.search(form.encode()) for form in normalized_forms(text))


@pytest.mark.parametrize(
    ("rule", "example"),
    [pytest.param(r, e, id=f"{r.id}-{i}") for r in PACK for i, e in enumerate(r.match_examples)],
)
def test_match_examples_match(rule: Rule, example: str) -> None:
    """Each ``examples.match`` text matches its rule after normalisation."""
    assert _matches(rule, example)


@pytest.mark.parametrize(
    ("rule", "example"),
    [pytest.param(r, e, id=f"{r.id}-{i}") for r in PACK for i, e in enumerate(r.no_match_examples)],
)
def test_no_match_examples_do_not_match(rule: Rule, example: str) -> None:
    """Each ``examples.no_match`` text, tricky benign ones included, does not match its rule."""
    assert not _matches(rule, example)


def test_shipped_pack_covers_every_category_and_language() -> None:
    """The pack has English and Korean rules in each of the five categories."""
    assert {rule.category for rule in PACK} == CATEGORIES
    for language in ("en", "ko"):
        assert {rule.category for rule in PACK if language in rule.languages} == CATEGORIES
    assert {rule.severity for rule in PACK} == set(SEVERITIES)
    assert len({rule.id for rule in PACK}) == len(PACK)


def test_rules_load_from_a_directory_or_files(tmp_path: Path) -> None:
    """``paths`` may name a directory of YAML files or single files."""
    files = sorted(RULES_DIR.glob("*.yaml"))
    assert len(load_rules([RULES_DIR])) == len(PACK)
    assert len(load_rules(files[:1])) == sum(1 for r in PACK if r.source == files[0].name)


_GOOD_RULE = """\
- id: en.test_rule
  category: prompt_injection
  severity: high
  languages: [en]
  description: A rule for tests.
  pattern: 'ignore\\s+this'
  examples:
    match: [Ignore this, ignore   this]
    no_match: [Ignore that, this ignore]
"""


def _write(tmp_path: Path, rules_yaml: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text("rules:\n" + textwrap.indent(rules_yaml, "  "), encoding="utf-8")
    return path


def test_a_valid_file_loads(tmp_path: Path) -> None:
    """A well-formed rule loads with its fields and the score of its severity."""
    (rule,) = load_rules([_write(tmp_path, _GOOD_RULE)])
    assert (rule.id, rule.severity, rule.score, rule.source) == (
        "en.test_rule",
        "high",
        0.85,
        "rules.yaml",
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "pattern: 'ignore\\s+this'",
            "pattern: '(ignore)\\s+\\1'",
            "not valid RE2",
            id="backreference",
        ),
        pytest.param(
            "pattern: 'ignore\\s+this'",
            "pattern: 'ignore(?=\\s+this)'",
            "not valid RE2",
            id="lookahead",
        ),
        pytest.param(
            "pattern: 'ignore\\s+this'",
            "pattern: 'ignore(\\s+this'",
            "not valid RE2",
            id="unbalanced",
        ),
        pytest.param(
            "pattern: 'ignore\\s+this'", "pattern: 'x*'", "empty string", id="matches-empty"
        ),
        pytest.param(
            "pattern: 'ignore\\s+this'", "pattern: 'Ignore\\s+this'", "upper-case", id="upper-case"
        ),
        pytest.param(
            "category: prompt_injection", "category: spam", "unknown category", id="category"
        ),
        pytest.param("severity: high", "severity: severe", "unknown severity", id="severity"),
        pytest.param("languages: [en]", "languages: [fr]", "languages", id="language"),
        pytest.param("languages: [en]", "languages: []", "languages", id="no-language"),
        pytest.param("id: en.test_rule", "id: Test Rule", "id must look like", id="bad-id"),
        pytest.param(
            "  description: A rule for tests.\n", "", "missing description", id="missing-key"
        ),
        pytest.param(
            "severity: high", "severity: high\n  owner: me", "unknown key", id="unknown-key"
        ),
        pytest.param(
            "no_match: [Ignore that, this ignore]",
            "no_match: [Ignore that]",
            "at least 2",
            id="too-few-examples",
        ),
        pytest.param(
            "match: [Ignore this, ignore   this]",
            "match: [Ignore this, ignore that]",
            "does not match",
            id="match-fails",
        ),
        pytest.param(
            "no_match: [Ignore that, this ignore]",
            "no_match: [Ignore that, ignore this]",
            "no_match matches",
            id="no-match-matches",
        ),
        pytest.param(
            "unless_before: x", "unless_before: '(?<!x)'", "not valid RE2", id="bad-negation"
        ),
    ],
)
def test_invalid_rules_are_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    """A broken rule stops loading with an error naming the file, the rule and the problem."""
    rule_yaml = _GOOD_RULE.replace("  examples:", "  unless_before: x\n  examples:")
    assert old in rule_yaml
    path = _write(tmp_path, rule_yaml.replace(old, new), name="broken.yaml")
    with pytest.raises(RulePackError, match=message) as caught:
        load_rules([path])
    assert "broken.yaml" in str(caught.value)
    assert "rule" in str(caught.value)


def test_duplicate_ids_across_files_are_refused(tmp_path: Path) -> None:
    """The same id in two files is an error naming both files."""
    _write(tmp_path, _GOOD_RULE, name="a.yaml")
    _write(tmp_path, _GOOD_RULE, name="b.yaml")
    with pytest.raises(
        RulePackError, match=r"b\.yaml: rule 'en\.test_rule': duplicate id \(also in a\.yaml\)"
    ):
        load_rules([tmp_path])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("rules: {}", "'rules' list", id="rules-not-list"),
        pytest.param("- just a list", "'rules' list", id="top-level-list"),
        pytest.param("rules: [: bad", "cannot read", id="yaml-syntax"),
        pytest.param("rules:\n  - 5", "expected a mapping", id="rule-not-mapping"),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, content: str, message: str) -> None:
    """A file that is not a ``rules:`` list of mappings is refused with its name."""
    path = tmp_path / "odd.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RulePackError, match=message) as caught:
        load_rules([path])
    assert "odd.yaml" in str(caught.value)


def test_missing_path_and_empty_directory_are_refused(tmp_path: Path) -> None:
    """A path that does not exist, or a directory without rules, is an error."""
    with pytest.raises(RulePackError, match="no such rule file"):
        load_rules([tmp_path / "nope.yaml"])
    with pytest.raises(RulePackError, match="no rules found"):
        load_rules([tmp_path])


def test_negation_discounts_only_negated_matches(tmp_path: Path) -> None:
    """A match preceded by ``unless_before`` is ignored; another in the same text still counts."""
    rule_yaml = _GOOD_RULE.replace("  examples:", "  unless_before: 'never\\s+'\n  examples:")
    (rule,) = load_rules([_write(tmp_path, rule_yaml)])
    compiled = compile_rule(rule)
    assert compiled.search(b"never ignore this") is None
    assert compiled.search(b"never ignore this. ignore this") == (19, 30)
