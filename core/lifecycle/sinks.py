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
    >>> registry.get_sample_value("aegis_blocked_total", {"service": "core",
    ...                                                   "scanner": "output_secrets"})
    1.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram

from core.lifecycle.exchange import Exchange
from core.scanning.base import Decision, count_by_type
from shared.metrics import DURATION_BUCKETS, TrafficMetrics

__all__ = ["ExchangeMetrics", "ExchangeSink"]

ExchangeSink = Callable[[Exchange], None]


class ExchangeMetrics:
    """Counters of what requests did: input decisions, findings, blocks, tokens.

    ``aegis_core_decisions_total{decision}``: the policy's decision on each scanned request
    (a dry run counts what it would have done); ``aegis_output_findings_total{scanner,type}``
    and ``aegis_output_blocked_total{scanner}``: what the output chain's members found and cut.
    Into ``traffic`` (the process's :class:`shared.metrics.TrafficMetrics`, made here when not
    given): ``aegis_threats_detected_total`` per input finding, ``aegis_blocked_total`` per
    refused request (under its first blocking finding's scanner) or cut answer.
    ``aegis_tokens_total{direction}``: ``prompt`` and ``completion`` tokens as the model
    server reported them (a stream without a usage chunk: core's prompt estimate and one token
    per event). ``aegis_core_processing_seconds``: core's own time on a request, its stages
    summed without the waits on the client's body and the model server (the latency budget).
    """

    def __init__(self, registry: CollectorRegistry, traffic: TrafficMetrics | None = None) -> None:
        self.traffic = traffic or TrafficMetrics("core", registry)
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
        tokens = Counter(
            "aegis_tokens_total",
            "Tokens of model calls through core, by direction (prompt, completion).",
            ("direction",),
            registry=registry,
        )
        self._prompt_tokens = tokens.labels("prompt")
        self._completion_tokens = tokens.labels("completion")
        self.processing = Histogram(
            "aegis_core_processing_seconds",
            "Core's own time on a scanned request: its stages without the waits on the "
            "client's body and the model server.",
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        # Labelled children looked up once: labels() validates and locks on every call.
        self._children: dict[tuple[str, ...], Any] = {}

    def __call__(self, exchange: Exchange) -> None:
        verdict = exchange.input_verdict
        traffic = self.traffic
        if verdict is not None:
            self._child(self.decisions, "decisions", verdict.decision.value).inc()
            # Counted by type: 1 MB of hostile text has up to ~12,000 findings, and a
            # counter's increment takes its lock (12,000 of them held core's event loop for
            # ~10 ms, and its health checks with it: tests/e2e/test_heavy_scan.py).
            for (scanner, kind), counted in verdict.by_type().items():
                traffic.threat(scanner, kind, counted.count)
            if exchange.action is Decision.BLOCK and verdict.blocking:
                traffic.block(verdict.blocking[0].scanner)
            stages = exchange.stage_s
            if stages:
                # Stages that wait on others, not on core: the client's body, the model.
                own = sum(stages.values()) - stages.get("read", 0.0) - stages.get("upstream", 0.0)
                self.processing.observe(own)
        # The tool gate's types name the tool ("tool_permission:write_file"): the label is
        # the check alone, so a model inventing names cannot grow the series.
        for (scanner, kind), counted in count_by_type(exchange.output_findings).items():
            if scanner == "tool_gate":
                kind = kind.partition(":")[0]
            self._child(self.output_findings, "findings", scanner, kind).inc(counted.count)
        if exchange.output_block is not None:
            self._child(self.output_blocked, "blocked", exchange.output_block.scanner).inc()
            traffic.block(exchange.output_block.scanner)
        if exchange.upstream_status == 200:
            self._count_tokens(exchange)

    def _count_tokens(self, exchange: Exchange) -> None:
        usage = exchange.usage
        prompt = usage.prompt_tokens if usage is not None else None
        completion = usage.completion_tokens if usage is not None else None
        if prompt is None:
            prompt = exchange.prompt_tokens_estimate
        if completion is None and exchange.stream:
            completion = exchange.stream_events
        if prompt:
            self._prompt_tokens.inc(prompt)
        if completion:
            self._completion_tokens.inc(completion)

    def _child(self, counter: Counter, name: str, *labels: str) -> Any:
        key = (name, *labels)
        child = self._children.get(key)
        if child is None:
            if len(self._children) > 10_000:
                self._children.clear()
            child = self._children[key] = counter.labels(*labels)
        return child
