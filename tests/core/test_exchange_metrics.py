"""What core's end-of-request metrics sink counts from a finished exchange: blocks, threats,
tokens and core's own time (the deploy guide's families, ``service="core"``)."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from core.lifecycle.exchange import Exchange, OutputBlock, Usage
from core.lifecycle.sinks import ExchangeMetrics
from core.scanning.base import Decision, Verdict
from shared.findings import Finding

REGEX = Finding("regex", "en.ignore_previous", 0.85)
CLASSIFIER = Finding("injection", "prompt_injection", 0.97)
PHONE = Finding("pii", "KR_PHONE", 0.9)


def _exchange(**fields: Any) -> Exchange:
    exchange = Exchange("req-1", "/v1/chat/completions")
    for name, value in fields.items():
        setattr(exchange, name, value)
    return exchange


def _value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


def test_block_counts_first_blocking_scanner_and_every_finding() -> None:
    """A refused request counts once, under its first blocking finding's scanner; each
    finding counts as a threat under its scanner and type."""
    registry = CollectorRegistry()
    sink = ExchangeMetrics(registry)
    verdict = Verdict(Decision.BLOCK, 1.0, (REGEX, CLASSIFIER, PHONE), blocking=(REGEX, CLASSIFIER))
    sink(_exchange(input_verdict=verdict, action=Decision.BLOCK))
    assert _value(registry, "aegis_blocked_total", service="core", scanner="regex") == 1
    assert _value(registry, "aegis_blocked_total", service="core", scanner="injection") == 0
    for finding in (REGEX, CLASSIFIER, PHONE):
        labels = {"service": "core", "scanner": finding.scanner, "type": finding.type}
        assert _value(registry, "aegis_threats_detected_total", **labels) == 1


def test_thousands_of_findings_count_one_each_by_type() -> None:
    """A megabyte of hostile text has thousands of findings of a few types: each counts
    once under its type, in and out, and the tool gate's per-tool types fold into one."""
    registry = CollectorRegistry()
    sink = ExchangeMetrics(registry)
    findings = (PHONE,) * 5000 + (REGEX,) * 3
    output = (
        (Finding("output_pii", "KR_RRN", 0.9),) * 1200
        + (Finding("tool_gate", "tool_permission:write_file", 1.0),) * 2
        + (Finding("tool_gate", "tool_permission:execute_python", 1.0),)
    )
    verdict = Verdict(Decision.MASK, 0.9, findings, masking=findings)
    sink(_exchange(input_verdict=verdict, action=Decision.MASK, output_findings=list(output)))
    threats = "aegis_threats_detected_total"
    assert _value(registry, threats, service="core", scanner="pii", type="KR_PHONE") == 5000
    assert _value(registry, threats, service="core", scanner="regex", type=REGEX.type) == 3
    found = "aegis_output_findings_total"
    assert _value(registry, found, scanner="output_pii", type="KR_RRN") == 1200
    assert _value(registry, found, scanner="tool_gate", type="tool_permission") == 3


def test_dry_run_block_is_a_threat_not_a_block() -> None:
    """A dry run's would-be block is not counted as blocked (nothing was refused)."""
    registry = CollectorRegistry()
    sink = ExchangeMetrics(registry)
    verdict = Verdict(Decision.BLOCK, 1.0, (REGEX,), blocking=(REGEX,))
    sink(_exchange(input_verdict=verdict, action=Decision.ALLOW, dry_run=True))
    assert _value(registry, "aegis_blocked_total", service="core", scanner="regex") == 0
    assert (
        _value(
            registry,
            "aegis_threats_detected_total",
            service="core",
            scanner="regex",
            type="en.ignore_previous",
        )
        == 1
    )


def test_cut_answer_counts_as_blocked_by_its_output_scanner() -> None:
    """An answer the output chain cut counts under that member's scanner."""
    registry = CollectorRegistry()
    ExchangeMetrics(registry)(_exchange(output_block=OutputBlock("output_secrets", "aws_key")))
    assert _value(registry, "aegis_blocked_total", service="core", scanner="output_secrets") == 1


@pytest.mark.parametrize(
    ("fields", "prompt", "completion"),
    [
        pytest.param(
            {"upstream_status": 200, "usage": Usage(12, 30, 42), "prompt_tokens_estimate": 99},
            12,
            30,
            id="reported-usage-wins",
        ),
        pytest.param(
            {
                "upstream_status": 200,
                "stream": True,
                "stream_events": 7,
                "prompt_tokens_estimate": 20,
            },
            20,
            7,
            id="stream-without-usage-estimates",
        ),
        pytest.param(
            {"upstream_status": 500, "usage": None, "prompt_tokens_estimate": 20},
            0,
            0,
            id="failed-upstream-counts-nothing",
        ),
        pytest.param({"prompt_tokens_estimate": 20}, 0, 0, id="never-sent-counts-nothing"),
    ],
)
def test_tokens(fields: dict[str, Any], prompt: int, completion: int) -> None:
    """Tokens are the model server's usage; a stream without one is estimated; a call that
    did not reach the model (or failed there) counts none."""
    registry = CollectorRegistry()
    ExchangeMetrics(registry)(_exchange(**fields))
    assert _value(registry, "aegis_tokens_total", direction="prompt") == prompt
    assert _value(registry, "aegis_tokens_total", direction="completion") == completion


def test_processing_time_leaves_out_waits_on_client_and_model() -> None:
    """Core's own time is its stages' sum without reading the body and the model's answer."""
    registry = CollectorRegistry()
    stages = {
        "read": 5.0,
        "authenticate": 0.001,
        "input_scan": 0.01,
        "upstream": 9.0,
        "output": 0.002,
    }
    verdict = Verdict(Decision.ALLOW, 0.0)
    ExchangeMetrics(registry)(_exchange(input_verdict=verdict, stage_s=stages))
    assert _value(registry, "aegis_core_processing_seconds_sum") == pytest.approx(0.013)
    assert _value(registry, "aegis_core_processing_seconds_bucket", le="0.025") == 1
    assert _value(registry, "aegis_core_processing_seconds_bucket", le="0.01") == 0
