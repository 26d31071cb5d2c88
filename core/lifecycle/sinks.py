"""End-of-request sinks: what reads a finished :class:`core.lifecycle.exchange.Exchange`.

The sinks: :class:`ExchangeMetrics` here, and the audit trail's writer
(:class:`core.audit.writer.AuditWriter`), which queues a row and returns.

A sink is a callable taking the exchange, run once the response is over (a stream's last
byte sent, or the client gone), before the access log line is written; the lifespan builds
the process's sinks once (``CoreState.sinks``) and :func:`core.lifecycle.run.begin` runs
them. It must be quick and must not wait (queue any I/O); one that raises is logged and
costs only its own record. The access line itself takes :meth:`Exchange.log_fields`.

    >>> from prometheus_client import CollectorRegistry
    >>> from core.lifecycle.exchange import OutputBlock
    >>> registry = CollectorRegistry()
    >>> metrics = ExchangeMetrics(registry)
    >>> exchange = Exchange("req-1", "/v1/chat/completions")
    >>> exchange.output_block = OutputBlock("output_secrets", "aws_secret_key")
    >>> metrics(exchange)
    >>> registry.get_sample_value("aegis_output_blocked_total", {"scanner": "output_secrets"})
    1.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter

from core.lifecycle.exchange import Exchange

__all__ = ["ExchangeMetrics", "ExchangeSink"]

ExchangeSink = Callable[[Exchange], None]


class ExchangeMetrics:
    """Counters of what requests did: input decisions, output findings and blocks.

    ``aegis_core_decisions_total{decision}``: the policy's decision on each scanned request
    (a dry run counts what it would have done); ``aegis_output_findings_total{scanner,type}``
    and ``aegis_output_blocked_total{scanner}``: what the output chain's members found and cut.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.decisions = Counter(
            "aegis_core_decisions_total",
            "Scanned requests by the policy's decision (allow, mask, block, hold).",
            ("decision",),
            registry=registry,
        )
        self.output_findings = Counter(
            "aegis_output_findings_total",
            "Findings in model answers, by scanner and type.",
            ("scanner", "type"),
            registry=registry,
        )
        self.output_blocked = Counter(
            "aegis_output_blocked_total",
            "Model answers cut by the output chain, by the scanner that found the reason.",
            ("scanner",),
            registry=registry,
        )
        # Labelled children looked up once: labels() validates and locks on every call.
        self._children: dict[tuple[str, ...], Any] = {}

    def __call__(self, exchange: Exchange) -> None:
        verdict = exchange.input_verdict
        if verdict is not None:
            self._child(self.decisions, "decisions", verdict.decision.value).inc()
        for finding in exchange.output_findings:
            # The tool gate's types name the tool ("tool_permission:write_file"): the label is
            # the check alone, so a model inventing names cannot grow the series.
            kind = (
                finding.type.partition(":")[0] if finding.scanner == "tool_gate" else finding.type
            )
            self._child(self.output_findings, "findings", finding.scanner, kind).inc()
        if exchange.output_block is not None:
            self._child(self.output_blocked, "blocked", exchange.output_block.scanner).inc()

    def _child(self, counter: Counter, name: str, *labels: str) -> Any:
        key = (name, *labels)
        child = self._children.get(key)
        if child is None:
            if len(self._children) > 10_000:
                self._children.clear()
            child = self._children[key] = counter.labels(*labels)
        return child
