"""``python -m bench.pipeline``: what core's input pipeline adds to a chat call.

Starts the development upstream and two cores as real processes — one with the input
pipeline (regex rules, ONNX classifier and PII, as shipped), one with it off — and sends, in one run
and in alternating rounds, the same chat requests straight to the upstream, through the bare
core and through the scanning core, for benign prompts of several sizes in English and
Korean (benign, so every scanner runs: nothing stops early). It prints p50/p99 per target,
the latency each adds to the direct call (and the ratio), and the pipeline's own cost
(scanning core minus bare core). Results also go to ``bench/results/pipeline.json``.

    python -m bench.pipeline --requests 400 --sizes 256,1024,4096,16384 --concurrency 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp
import uvloop

from bench.__main__ import (
    Spec,
    _create_key,
    _percentile,
    start_processes,
    workspace,
)

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = {
    "en": (
        "The quarterly report shows revenue grew four percent while costs stayed flat. "
        "Please summarise the main risks for the board in plain language. "
        "Our support team answered most tickets within a day last month. "
        "The new office in Daejeon opens in March with forty desks. "
    ),
    "ko": (
        "이번 분기 매출은 4% 늘었고 비용은 지난 분기와 비슷했습니다. "
        "이사회에 보고할 주요 위험 요인을 쉬운 말로 정리해 주세요. "
        "지난달 고객 문의의 대부분은 하루 안에 답변이 나갔습니다. "
        "대전 신규 사무실은 3월에 40석 규모로 문을 엽니다. "
    ),
}


@dataclass
class Result:
    target: str
    lang: str
    size: int
    concurrency: int
    requests: int
    p50_ms: float
    p99_ms: float


def _prompt(lang: str, size: int) -> str:
    text = SENTENCES[lang]
    unit = len(text.encode())
    repeated = text * (size // unit + 1)
    out = repeated.encode()[:size].decode("utf-8", "ignore")
    return out


async def _measure(
    url: str, key: str | None, prompt: str, concurrency: int, requests: int, warmup: int
) -> list[float]:
    body = json.dumps(
        {"model": "aegis-dev-echo", "messages": [{"role": "user", "content": prompt}]}
    ).encode()
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    connector = aiohttp.TCPConnector(limit=concurrency, keepalive_timeout=60)
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(record: bool) -> None:
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"{url} answered {response.status}")
            if record:
                latencies.append(time.perf_counter() - started)

        for _ in range(warmup):
            await one(False)
        remaining = requests

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await one(True)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pipeline", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--requests", type=int, default=400, help="requests per case")
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=4, help="alternations of the targets")
    parser.add_argument("--sizes", default="256,1024,4096,16384", help="prompt bytes")
    parser.add_argument("--langs", default="en,ko")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "pipeline.json")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    langs = args.langs.split(",")

    with ExitStack() as stack:
        space = workspace(
            stack,
            ("upstream", "bare", "scanning"),
            REDIS_KEY_PREFIX="bench-pipeline:",
            LOG_LEVEL="warning",
            BYPASS_CONSUMER_ENABLED="false",
        )
        workdir, ports, urls, env = space.workdir, space.ports, space.urls, space.env
        specs: list[Spec] = [
            ("upstream", "devupstream", {"PORT": str(ports["upstream"])}, "/health"),
            (
                "bare",
                "core",
                {
                    "PORT": str(ports["bare"]),
                    "UPSTREAM_URL": urls["upstream"],
                    "INPUT_SCAN_ENABLED": "false",
                },
                "/api/v1/health",
            ),
            (
                "scanning",
                "core",
                {"PORT": str(ports["scanning"]), "UPSTREAM_URL": urls["upstream"]},
                "/api/v1/health",
            ),
        ]
        start_processes(stack, workdir, specs, env, urls)
        key = asyncio.run(_create_key(env["DATABASE_URL"]))
        time.sleep(1.0)  # both cores load the new key (NOTIFY)

        targets = {"direct": None, "bare": key, "scanning": key}
        results: list[Result] = []
        per_round = max(1, args.requests // args.rounds)
        for lang in langs:
            for size in sizes:
                prompt = _prompt(lang, size)
                pooled: dict[str, list[float]] = {target: [] for target in targets}
                for _ in range(args.rounds):
                    for target, use_key in targets.items():
                        pooled[target] += uvloop.run(
                            _measure(
                                urls["upstream" if target == "direct" else target]
                                + "/v1/chat/completions",
                                use_key,
                                prompt,
                                args.concurrency,
                                per_round,
                                args.warmup // args.rounds,
                            )
                        )
                for target, latencies in pooled.items():
                    results.append(
                        Result(
                            target,
                            lang,
                            size,
                            args.concurrency,
                            len(latencies),
                            statistics.median(latencies) * 1000,
                            _percentile(latencies, 0.99) * 1000,
                        )
                    )
                print(f"  measured {lang} {size} B", file=sys.stderr)
        _report(results)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps([asdict(r) for r in results], indent=2))
        print(f"\nresults written to {args.output}")
    return 0


def _report(results: list[Result]) -> None:
    by = {(r.lang, r.size, r.target): r for r in results}
    print()
    print("Chat call: direct to the upstream, through core without and with the input pipeline")
    print(
        f"{'lang':<5}{'bytes':>7}  {'direct p50/p99':>16}  {'bare core p50/p99':>18}  "
        f"{'scanning p50/p99':>17}  {'pipeline adds p50/p99':>22}  {'x direct p50/p99':>17}"
    )
    for lang, size, target in by:
        if target != "direct":
            continue
        d, b, s = by[(lang, size, "direct")], by[(lang, size, "bare")], by[(lang, size, "scanning")]
        print(
            f"{lang:<5}{size:>7}  {d.p50_ms:>7.2f} /{d.p99_ms:>7.2f}  "
            f"{b.p50_ms:>8.2f} /{b.p99_ms:>7.2f}  {s.p50_ms:>8.2f} /{s.p99_ms:>7.2f}  "
            f"{s.p50_ms - b.p50_ms:>+10.2f} /{s.p99_ms - b.p99_ms:>+8.2f} ms  "
            f"x{s.p50_ms / d.p50_ms:>5.2f} / x{s.p99_ms / d.p99_ms:.2f}"
        )


if __name__ == "__main__":
    sys.exit(main())
