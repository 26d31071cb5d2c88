"""``python -m bench.output_hostile``: what the output guard costs on hostile answers.

For each shape of ``tests/core/hostile.py``, an answer of ``--kb`` KB of it (256 by default)
goes through the output guard as core builds it (PII and secrets, leakage with a system
prompt, relayed injection; ``core.app.build_output``): as a JSON answer
(``rewrite_json_answer``) and streamed in events of ``--event-chars`` characters
(``SseAnswer``). Reported: the CPU time of the thread (``time.thread_time``) in ms per
answer, the slowest single event of the stream in ms, and how the guard ended the stream
(cut by which finding, or how many values it found).

Core checks a JSON answer over 8 KB on a scan thread, and a stream from its first read that
took over 2 ms of CPU (``core.lifecycle.output.OFFLOAD_AFTER_S``), so these costs no longer
hold the event loop; they are what a hostile answer costs a scan thread instead.

    python -m bench.output_hostile --kb 64 --shape rrn --shape label
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

import orjson
from prometheus_client import CollectorRegistry

from core.app import build_output, build_pipeline
from core.lifecycle.exchange import Exchange
from core.lifecycle.guard import OutputScanners
from core.lifecycle.output import SseAnswer, rewrite_json_answer
from core.lifecycle.run import output_chain
from core.pii.analyzer import build_analyzer
from core.pii.masking import Masker
from core.scanning.policy import DEFAULT_POLICY
from core.settings import CoreSettings
from shared.wire import parse_api_request
from tests.core.hostile import hostile_texts

SYSTEM = "You are the help desk assistant of a city office. Answer briefly and politely."
REQUEST = orjson.dumps(
    {
        "model": "m",
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "Please list the records."},
        ],
    }
)


def _events(text: str, size: int) -> list[bytes]:
    """``text`` as a model server streams it, ``size`` characters an event."""

    def event(choice: dict[str, object]) -> bytes:
        chunk = {"id": "c", "object": "chat.completion.chunk", "model": "m", "choices": [choice]}
        return b"data: " + orjson.dumps(chunk) + b"\n\n"

    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    return [
        event({"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}),
        *(event({"index": 0, "delta": {"content": p}, "finish_reason": None}) for p in pieces),
        event({"index": 0, "delta": {}, "finish_reason": "stop"}),
        b"data: [DONE]\n\n",
    ]


def _outcome(exchange: Exchange) -> str:
    block = exchange.output_block
    if block is not None:
        return f"cut: {block.type}"
    return f"{len(exchange.output_findings)} values"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.output_hostile", description=__doc__)
    parser.add_argument("--kb", type=int, default=256, help="answer size in KB")
    parser.add_argument("--event-chars", type=int, default=256, help="characters per event")
    parser.add_argument("--shape", action="append", help="only these shapes")
    args = parser.parse_args()
    settings = CoreSettings()
    analyzer = build_analyzer()
    output = build_output(
        settings, analyzer, Masker(), build_pipeline(settings, CollectorRegistry(), analyzer)
    )
    assert isinstance(output, OutputScanners)  # noqa: S101 - the default settings guard output
    api = parse_api_request("chat", REQUEST)
    print(f"{'ms (CPU)':<16}{'json':>10}{'stream':>10}{'worst event':>13}  stream ended")
    for shape, text in hostile_texts(args.kb << 10).items():
        if args.shape and shape not in args.shape:
            continue

        def guard(exchange: Exchange) -> SseAnswer:
            prepared = output.prepare(api, "key", datetime.now(UTC))
            member = output.member(exchange, DEFAULT_POLICY, prepared)
            return SseAnswer(output_chain(member, None), exchange)

        answer = orjson.dumps(
            {"id": "c", "object": "chat.completion", "model": "m",
             "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                          "finish_reason": "stop"}]}
        )  # fmt: skip
        exchange = Exchange("bench", "/v1/chat/completions")
        prepared = output.prepare(api, "key", datetime.now(UTC))
        chain = output_chain(output.member(exchange, DEFAULT_POLICY, prepared), None)
        started = time.thread_time()
        rewrite_json_answer(answer, chain, exchange)
        json_ms = (time.thread_time() - started) * 1000

        exchange = Exchange("bench", "/v1/chat/completions")
        stream = guard(exchange)
        worst = total = 0.0
        for event in _events(text, args.event_chars):
            started = time.thread_time()
            stream.feed(event)
            spent = time.thread_time() - started
            total, worst = total + spent, max(worst, spent)
            if stream.finished:
                break
        started = time.thread_time()
        stream.end()
        total += time.thread_time() - started
        print(
            f"{shape:<16}{json_ms:>10.0f}{total * 1000:>10.0f}{worst * 1000:>13.1f}"
            f"  {_outcome(exchange)}"
        )
    print(f"({args.kb} KB answers; streams in {args.event_chars}-character events)")


if __name__ == "__main__":
    main()
