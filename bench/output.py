"""``python -m bench.output``: what the output guard adds to a chat call, JSON and streamed.

Starts the development upstream and two cores as real processes, one with the output guard
(``OUTPUT_SCAN_ENABLED=true``, the default: PII and secrets, leakage with the canary,
relayed injection, the tool gate) and one without; the input pipeline and the audit trail
are off in both, so the difference is the output guard's alone. The same requests go, in
alternating rounds, to the upstream directly, to the bare core and to the guarded core:

- JSON: a chat answer of ``--answer-bytes`` (4 KB by default) of ordinary English prose with
  a system prompt (so the canary is added and leakage checked): p50/p99 latency, and core's
  CPU time per request (from ``/proc/<pid>/stat``);
- stream: the same answer in ``--chunks`` events ``--chunk-delay-ms`` apart (vLLM's pace):
  time to the first event and to the first event with text, and each event's *way*: the
  upstream stamps every chunk with the system's monotonic clock as it writes it
  (devupstream's ``stamp`` knob), and the client reads the same clock when the event
  arrives. The latency the guard adds to every chunk is the guarded core's p50 (p99) of
  that way over all events minus the bare core's. (Until December 2026 the figure was the
  difference of each event's arrival *from the request's start*, which counts the first
  token's delay again in every event and, with many chunks, went negative when the bare
  core's stream drifted; it is still reported, as ``added_arrival``.) The first text comes
  later than the first event by what the guard holds back: a word at the end of what has
  arrived waits for the next character (it may be the start of an address).

Results also go to ``bench/results/output.json``.

    python -m bench.output --requests 300 --chunks 200
    python -m bench.output --modes json --requests 3000   # the JSON figures alone, closer
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import aiohttp
import uvloop

from bench.__main__ import _cpu_seconds, _create_key, _percentile, start_processes, workspace

ROOT = Path(__file__).resolve().parent.parent
SYSTEM = (
    "You are the reporting assistant of a regional bank's finance team. Answer in plain "
    "language, cite the quarter you are talking about, and never give investment advice."
)
SENTENCES = (
    "The quarterly report shows revenue grew four percent while costs stayed flat. "
    "Most of the growth came from the new savings products launched in the spring. "
    "Support answered nine in ten tickets within a day, up from eight last quarter. "
    "The Daejeon office opens in March with forty desks and a small training room. "
)


def _answer(size: int) -> str:
    return (SENTENCES * (size // len(SENTENCES) + 1))[:size]


async def _request(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    headers: dict[str, str],
    stream: bool,
) -> tuple[float, list[float], list[float]]:
    """Total seconds; for a stream each data event's arrival (seconds from the start),
    negative for an event without text, and each event's way from the upstream (seconds
    from its ``aegis_dev_sent_ns`` stamp to its arrival here)."""
    started = time.perf_counter()
    arrivals: list[float] = []
    lags: list[float] = []
    async with session.post(url, data=body, headers=headers) as response:
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status} {await response.text()}")
        if not stream:
            await response.read()
        else:
            async for line in response.content:
                if not line.startswith(b"data: {"):
                    continue
                now = time.monotonic_ns()
                arrivals.append((time.perf_counter() - started) * (1 if _has_text(line) else -1))
                sent = _SENT.search(line)
                if sent is not None:
                    lags.append((now - int(sent[1])) / 1e9)
    return time.perf_counter() - started, arrivals, lags


_SENT = re.compile(rb'"aegis_dev_sent_ns":(\d+)')


def _has_text(line: bytes) -> bool:
    return b'"content":"' in line and b'"content":""' not in line


async def _run(
    url: str, key: str | None, body: bytes, stream: bool, requests: int, warmup: int
) -> tuple[list[float], list[list[float]], list[float]]:
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    totals: list[float] = []
    events: list[list[float]] = []
    lags: list[float] = []
    async with aiohttp.ClientSession() as session:
        for index in range(warmup + requests):
            total, arrivals, lag = await _request(session, url, body, headers, stream)
            if index >= warmup:
                totals.append(total)
                events.append(arrivals)
                lags.extend(lag)
    return totals, events, lags


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.output", description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="requests per scenario")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--answer-bytes", type=int, default=4096)
    parser.add_argument("--chunks", type=int, default=200)
    parser.add_argument("--chunk-delay-ms", type=float, default=2.0)
    parser.add_argument(
        "--modes", default="json,stream", help="comma-separated: json, stream (default both)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "output.json")
    args = parser.parse_args()
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    if not modes or set(modes) - {"json", "stream"}:
        parser.error(f"--modes takes json and/or stream, not {args.modes!r}")

    with ExitStack() as stack:
        space = workspace(
            stack, ("upstream", "bare", "guarded"), REDIS_KEY_PREFIX="bench:", LOG_LEVEL="warning"
        )
        ports, urls = space.ports, space.urls
        # The audit trail off in both: it hashes the answer where an output chain runs (only
        # in the guarded core), which is the trail's cost, measured by bench.audit.
        core = {
            "UPSTREAM_URL": urls["upstream"],
            "INPUT_SCAN_ENABLED": "false",
            "AUDIT_ENABLED": "false",
        }
        specs = [
            ("upstream", "devupstream", {"PORT": str(ports["upstream"])}, "/health"),
            (
                "bare",
                "core",
                {**core, "PORT": str(ports["bare"]), "OUTPUT_SCAN_ENABLED": "false"},
                "/api/v1/health",
            ),
            ("guarded", "core", {**core, "PORT": str(ports["guarded"])}, "/api/v1/health"),
        ]
        processes = start_processes(stack, space.workdir, specs, space.env, urls)
        key = asyncio.run(_create_key(space.env["DATABASE_URL"]))
        time.sleep(1.0)

        # The echo model answers "echo: " + the last user message: the answer is the prompt.
        answer = _answer(args.answer_bytes)
        results: dict[str, dict[str, float]] = {}
        for mode in modes:
            stream = mode == "stream"
            knobs = (
                {"chunks": args.chunks, "delay_ms": args.chunk_delay_ms, "stamp": True}
                if stream
                else {}
            )
            body = json.dumps(
                {
                    "model": "aegis-dev-echo",
                    "stream": stream,
                    "messages": [
                        {"role": "system", "content": SYSTEM},
                        {"role": "user", "content": answer},
                    ],
                    "devupstream": knobs,
                }
            ).encode()
            pooled: dict[str, tuple[list[float], list[list[float]], list[float]]] = {
                t: ([], [], []) for t in ("direct", "bare", "guarded")
            }
            cpu = {"bare": 0.0, "guarded": 0.0}
            per_round = max(1, args.requests // args.rounds)
            for _ in range(args.rounds):
                for target in ("direct", "bare", "guarded"):
                    pid = processes[target].pid if target != "direct" else None
                    before = _cpu_seconds(pid) if pid else 0.0
                    totals, events, lags = uvloop.run(
                        _run(
                            urls["upstream" if target == "direct" else target]
                            + "/v1/chat/completions",
                            key if target != "direct" else None,
                            body,
                            stream,
                            per_round,
                            args.warmup // args.rounds,
                        )
                    )
                    if pid:
                        cpu[target] += _cpu_seconds(pid) - before
                    pooled[target][0].extend(totals)
                    pooled[target][1].extend(events)
                    pooled[target][2].extend(lags)
            served = args.rounds * (per_round + args.warmup // args.rounds)
            figures: dict[str, float] = {}
            for target, (totals, _, _) in pooled.items():
                figures[f"{target}_p50_ms"] = _percentile(totals, 0.5) * 1000
                figures[f"{target}_p99_ms"] = _percentile(totals, 0.99) * 1000
            for target in ("bare", "guarded"):
                figures[f"{target}_cpu_ms_per_request"] = cpu[target] * 1000 / served
            figures["added_cpu_ms_per_request"] = (
                figures["guarded_cpu_ms_per_request"] - figures["bare_cpu_ms_per_request"]
            )
            figures["added_p50_ms"] = figures["guarded_p50_ms"] - figures["bare_p50_ms"]
            if stream:
                figures.update(_per_event(pooled["bare"][1], pooled["guarded"][1]))
                figures.update(_per_chunk(pooled["bare"][2], pooled["guarded"][2]))
            results[mode] = figures
        _report(results, args)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2))
        print(f"\nresults written to {args.output}")
    return 0


def _per_event(bare: list[list[float]], guarded: list[list[float]]) -> dict[str, float]:
    """Added latency of each event (guarded median arrival minus bare), over the events."""
    count = min(min(len(e) for e in bare), min(len(e) for e in guarded))
    added = [
        statistics.median(abs(e[i]) for e in guarded) - statistics.median(abs(e[i]) for e in bare)
        for i in range(count)
    ]
    first_bare = [abs(e[0]) for e in bare]
    first_guarded = [abs(e[0]) for e in guarded]
    text_bare = [next(t for t in e if t > 0) for e in bare]
    text_guarded = [next(t for t in e if t > 0) for e in guarded]
    return {
        "first_text_bare_p50_ms": _percentile(text_bare, 0.5) * 1000,
        "first_text_guarded_p50_ms": _percentile(text_guarded, 0.5) * 1000,
        "added_first_text_p50_ms": (_percentile(text_guarded, 0.5) - _percentile(text_bare, 0.5))
        * 1000,
        "events": float(count),
        "ttft_bare_p50_ms": _percentile(first_bare, 0.5) * 1000,
        "ttft_guarded_p50_ms": _percentile(first_guarded, 0.5) * 1000,
        "added_ttft_p50_ms": (_percentile(first_guarded, 0.5) - _percentile(first_bare, 0.5))
        * 1000,
        "added_arrival_p50_ms": _percentile(added, 0.5) * 1000,
        "added_arrival_p99_ms": _percentile(added, 0.99) * 1000,
    }


def _per_chunk(bare: list[float], guarded: list[float]) -> dict[str, float]:
    """Each event's way from the upstream's write to the client's read (the upstream's
    stamp): the guarded core's p50 and p99 over every event, minus the bare core's."""
    return {
        "chunk_bare_p50_ms": _percentile(bare, 0.5) * 1000,
        "chunk_guarded_p50_ms": _percentile(guarded, 0.5) * 1000,
        "added_per_chunk_p50_ms": (_percentile(guarded, 0.5) - _percentile(bare, 0.5)) * 1000,
        "added_per_chunk_p99_ms": (_percentile(guarded, 0.99) - _percentile(bare, 0.99)) * 1000,
    }


def _report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    print(
        f"\noutput guard, {args.answer_bytes}-byte answer, {args.requests} requests per target"
        f" (stream: {args.chunks} events {args.chunk_delay_ms} ms apart)",
    )
    for mode, figures in results.items():
        print(f"\n{mode}")
        for name, value in figures.items():
            print(f"  {name:<28} {value:10.3f}")
    print(file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
