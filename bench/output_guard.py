"""``python -m bench.output_guard``: what the output PII guard adds to an answer, streamed and not.

Same answers, same run, same process; the baseline is the same loop without the guard.

* **Streaming**, a ~2 KB Korean/English answer (dates, prices, versions, times; one variant
  with a phone number and a 주민등록번호 in it) cut into 3-7 character chunks as an upstream
  sends them: the time ``StreamGuard.feed`` takes per chunk (added per-chunk latency, p50
  and p99, over every chunk of every run), and the *time to first emission*: from the first
  chunk's arrival until the guard first lets text through, chunks fed back to back (the
  guard holds the last word, so that is usually the second chunk; the count is reported).
  The baseline passes each chunk on as it is (``list.append``).
* **JSON**: a 4 KB chat completion (``orjson`` parse, ``OutputPiiGuard.check`` of the
  content, serialise), against parse and serialise alone, and the input analyzer's own
  ``PiiAnalyzer.scan`` of the same content for comparison (what the guard would cost
  without its strict triggers).

Times are wall-clock ``perf_counter`` medians of many runs on one thread; the machine's other
load shows in p99. Targets (issue 13): added per-chunk latency p50 <= 0.1 ms, added time to
first token p50 <= 0.5 ms, a 4 KB JSON answer scanned in <= 1 ms p50.

    python -m bench.output_guard --runs 200
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from core.pii.analyzer import build_analyzer
from core.scanning.output.pii import OutputPiiGuard

PARAGRAPH = (
    "요청하신 2024년 3분기 보고서를 요약해 드립니다. 매출은 1,234억 원으로 전년 대비 12% "
    "증가했고, 영업이익은 350억 원입니다. The new release (version 3.12.1) ships on "
    "2024-10-15 and costs $1,299 per seat; support ends in March 2027. 회의는 10월 21일 "
    "오후 2시 본관 301호에서 열리며, 참석 인원은 약 25명입니다. Please review sections 4.2 "
    "and 5.1 before then, and send comments by Friday at 17:00.\n\n"
)
PII = (
    "담당자 연락처는 010-2345-6789 이며, 신청인 주민등록번호는 900101-1234568 입니다. "
    "확인 후 회신 부탁드립니다.\n\n"
)


@dataclass
class Figure:
    case: str
    p50_us: float
    p99_us: float
    baseline_p50_us: float
    added_p50_us: float
    note: str = ""


def _answer(size: int, pii: bool) -> str:
    body = PARAGRAPH * (size // len(PARAGRAPH.encode()) + 1)
    body = body.encode()[:size].decode("utf-8", "ignore")
    if pii:
        middle = len(body) // 2
        body = body[:middle] + PII + body[middle:]
    return body


def _chunks(text: str, seed: int) -> list[str]:
    rng = random.Random(seed)
    chunks, position = [], 0
    while position < len(text):
        size = rng.randint(3, 7)
        chunks.append(text[position : position + size])
        position += size
    return chunks


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples) * 1e6, samples[max(0, int(len(samples) * 0.99) - 1)] * 1e6


def _stream(guard: OutputPiiGuard, text: str, runs: int) -> tuple[Figure, Figure]:
    clock = time.perf_counter
    per_chunk: list[float] = []
    base_chunk: list[float] = []
    first: list[float] = []
    base_first: list[float] = []
    first_index: list[int] = []
    for run in range(runs):
        chunks = _chunks(text, run)
        sent: list[str] = []
        started = clock()
        for chunk in chunks:
            before = clock()
            sent.append(chunk)
            now = clock()
            base_chunk.append(now - before)
            if len(sent) == 1:
                base_first.append(now - started)
        stream = guard.stream()
        started = clock()
        seen = False
        for index, chunk in enumerate(chunks):
            before = clock()
            step = stream.feed(chunk)
            now = clock()
            per_chunk.append(now - before)
            if step.text and not seen:
                seen = True
                first.append(now - started)
                first_index.append(index + 1)
        stream.flush()
    p50, p99 = _percentiles(per_chunk)
    b50, _ = _percentiles(base_chunk)
    f50, f99 = _percentiles(first)
    fb50, _ = _percentiles(base_first)
    per = Figure("per chunk", round(p50, 2), round(p99, 2), round(b50, 2), round(p50 - b50, 2))
    ttft = Figure(
        "first emission",
        round(f50, 2),
        round(f99, 2),
        round(fb50, 2),
        round(f50 - fb50, 2),
        f"after chunk {statistics.median(first_index):g} (median)",
    )
    return per, ttft


def _json_body(content: str) -> bytes:
    return orjson.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 1700000000,
            "model": "bench",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 60, "completion_tokens": 900, "total_tokens": 960},
        }
    )


def _timed(function: Callable[[], object], runs: int) -> tuple[float, float]:
    for _ in range(min(50, runs)):
        function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def _json(guard: OutputPiiGuard, scan: Callable[[str], object], pii: bool, runs: int) -> Figure:
    content = _answer(4096 - 330, pii)  # the body is 4 KB with its envelope
    body = _json_body(content)

    def plain() -> bytes:
        return orjson.dumps(orjson.loads(body))

    def guarded() -> bytes:
        answer = orjson.loads(body)
        message = answer["choices"][0]["message"]
        message["content"] = guard.check(message["content"]).text
        return orjson.dumps(answer)

    b50, _ = _timed(plain, runs)
    p50, p99 = _timed(guarded, runs)
    a50, _ = _timed(lambda: scan(content), runs)
    label = "4 KB JSON, PII" if pii else "4 KB JSON"
    return Figure(
        label,
        round(p50, 1),
        round(p99, 1),
        round(b50, 1),
        round(p50 - b50, 1),
        f"{len(body)} bytes; input analyzer alone {a50:.0f} us",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.output_guard", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--out", type=Path, help="write the figures as JSON")
    args = parser.parse_args(argv)
    analyzer = build_analyzer()
    guard = OutputPiiGuard(analyzer)
    figures: list[Figure] = []
    for pii in (False, True):
        text = _answer(2048, pii)
        chunk, ttft = _stream(guard, text, args.runs)
        suffix = ", PII" if pii else ""
        chunk.case = f"stream 2 KB{suffix}: per chunk"
        ttft.case = f"stream 2 KB{suffix}: first emission"
        figures += [chunk, ttft]
    for pii in (False, True):
        figures.append(_json(guard, analyzer.scan, pii, args.runs * 5))
    print(f"{'case':<34}{'p50 us':>9}{'p99 us':>9}{'baseline p50':>14}{'added p50':>11}  note")
    for figure in figures:
        print(
            f"{figure.case:<34}{figure.p50_us:>9}{figure.p99_us:>9}{figure.baseline_p50_us:>14}"
            f"{figure.added_p50_us:>11}  {figure.note}"
        )
    if args.out:
        args.out.write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
