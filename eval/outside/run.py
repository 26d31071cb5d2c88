"""Score the outside set through core's inspection path and print what was blocked.

    python -m eval.outside                    # the committed model, the default policy
    python -m eval.outside --model other.onnx # another classifier, same pipeline and policy
    python -m eval.outside --json out.json    # also each item's verdict (ids, never text)
    python -m eval.outside --by-technique     # also per encoding / smuggling transform
    python -m eval.outside --data eval/outside2/data   # the second set, written apart too

Each text goes through the stages ``POST /api/v1/inspect`` runs, in process and with no
database: the body parsed by :func:`shared.wire.parse_inspect_request`, the input scanners
that :func:`core.app.build_pipeline` builds from default settings (regex, PII, classifier),
:func:`core.lifecycle.input.scan_input` under the pipeline's default policy, and
:func:`core.lifecycle.input.decide`. An attack counts as caught when the decision is
``block``; a benign text counts as a false alarm when it is. ``mask`` (PII found) is not a
block. Latency is the wall time of the scan stage per call, texts one at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson
from prometheus_client import CollectorRegistry

from core.app import build_pipeline
from core.lifecycle.exchange import Exchange
from core.lifecycle.input import decide, scan_input
from core.pii.masking import Masker
from core.scanning.base import Decision
from core.settings import CoreSettings
from eval.outside.build import ATTACK_FAMILIES, DATA, FAMILIES
from shared.wire import parse_inspect_request

__all__ = ["Scored", "load", "main", "score", "table", "technique_table"]

LANGS = ("en", "ko")


@dataclass(frozen=True, slots=True)
class Scored:
    id: str
    family: str
    lang: str
    label: str
    decision: str
    blocked_by: tuple[str, ...]  # scanners with a blocking finding
    ms: float
    technique: str = ""  # the encoding or transform (encoded, smuggling)

    @property
    def blocked(self) -> bool:
        return self.decision == Decision.BLOCK.value


def load(data: Path = DATA, families: Sequence[str] | None = None) -> list[dict[str, str]]:
    """The items of ``families`` (default: every family the set has a file for), in file
    order."""
    if families is None:
        families = [family for family in FAMILIES if (data / f"{family}.jsonl").is_file()]
    return [
        orjson.loads(line)
        for family in families
        for line in (data / f"{family}.jsonl").read_bytes().splitlines()
        if line.strip()
    ]


async def score(items: Sequence[dict[str, str]], model: str = "") -> tuple[list[Scored], float]:
    """Every item's decision, and the seconds it took to build the pipeline (model load)."""
    started = time.perf_counter()
    settings = CoreSettings(onnx_model_path=model)
    pipeline = build_pipeline(settings, CollectorRegistry())
    load_s = time.perf_counter() - started
    masker = Masker()
    policy = pipeline.policy
    try:
        for warm in ("warm up", "준비 운동", "x" * 2000):  # first calls pay one-off costs
            texts = parse_inspect_request(orjson.dumps({"text": warm}))
            await scan_input(pipeline, policy, masker, texts, Exchange("warm", "/api/v1/inspect"))
        out = []
        for item in items:
            exchange = Exchange(item["id"], "/api/v1/inspect")
            t0 = time.perf_counter()
            texts = parse_inspect_request(orjson.dumps({"text": item["text"]}))
            scan = await scan_input(pipeline, policy, masker, texts, exchange)
            decision = decide(scan, exchange)
            ms = (time.perf_counter() - t0) * 1000
            blocked_by = tuple(sorted({f.scanner for f in scan.result.verdict.blocking}))
            out.append(
                Scored(
                    item["id"],
                    item["family"],
                    item["lang"],
                    item["label"],
                    decision.value,
                    blocked_by,
                    ms,
                    item.get("technique", ""),
                )
            )
    finally:
        pipeline.close()
    return out, load_s


def _pct(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _row(name: str, rows: Sequence[Scored]) -> str:
    n = len(rows)
    blocked = sum(r.blocked for r in rows)
    share = 100 * blocked / n if n else 0.0
    regex = sum("regex" in r.blocked_by for r in rows)
    classifier = sum("classifier" in r.blocked_by and "regex" not in r.blocked_by for r in rows)
    ms = [r.ms for r in rows]
    return (
        f"| {name} | {n} | {blocked} | {share:.1f}% | {regex} | {classifier} "
        f"| {_pct(ms, 0.5):.2f} | {_pct(ms, 0.99):.2f} |"
    )


def table(scored: Sequence[Scored], load_s: float) -> str:
    """A Markdown table: per family and language, then the totals the issue's targets name."""
    lines = [
        "| set | n | blocked | share | by regex | by classifier only | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for family in FAMILIES:
        for lang in LANGS:
            rows = [r for r in scored if r.family == family and r.lang == lang]
            if rows:
                kind = "attack" if family in ATTACK_FAMILIES else "benign"
                lines.append(_row(f"{family} / {lang} ({kind})", rows))
    attacks = [r for r in scored if r.label == "attack"]
    lines.append(_row("**all attacks**", attacks))
    lines += [
        _row(f"all attacks / {lang}", [r for r in attacks if r.lang == lang]) for lang in LANGS
    ]
    non_suffix = [r for r in attacks if r.family != "suffix"]
    lines.append(_row("attacks without suffix", non_suffix))
    for family in BENIGN:
        rows = [r for r in scored if r.family == family]
        lines.append(_row(f"**{family}** (wrongly blocked)", rows))
    lines.append(_row("all calls", scored))
    ms = [r.ms for r in scored]
    lines.append("")
    lines.append(
        f"Model load and pipeline build: {load_s:.2f} s. Per call: p50 {_pct(ms, 0.5):.2f} ms, "
        f"p99 {_pct(ms, 0.99):.2f} ms, mean {statistics.fmean(ms):.2f} ms over {len(ms)} calls."
    )
    return "\n".join(lines)


BENIGN = tuple(f for f in FAMILIES if f not in ATTACK_FAMILIES)


def technique_table(scored: Sequence[Scored]) -> str:
    """Blocked share per family, technique and language (encoded and smuggling items)."""
    lines = [
        "| set | n | blocked | share | by regex | by classifier only | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    keys = sorted({(r.family, r.technique, r.lang) for r in scored if r.technique})
    lines += [
        _row(
            f"{family} / {technique} / {lang}",
            [r for r in scored if (r.family, r.technique, r.lang) == (family, technique, lang)],
        )
        for family, technique, lang in keys
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.outside", description=__doc__)
    parser.add_argument("--model", default="", help="ONNX model path (default: the committed)")
    parser.add_argument("--family", action="append", choices=FAMILIES, help="only these")
    parser.add_argument(
        "--data",
        type=Path,
        default=DATA,
        help="a folder of <family>.jsonl (default: this set; eval/outside2/data: the second)",
    )
    parser.add_argument("--json", type=Path, help="write each item's verdict here (no text)")
    parser.add_argument("--misses", action="store_true", help="list ids scored wrongly")
    parser.add_argument(
        "--by-technique", action="store_true", help="also a table per encoding and transform"
    )
    args = parser.parse_args(argv)
    # Every family asked for must have its file; without --family, those the set has (the
    # sixth set holds only documents: indirect, hard_negative and plain).
    asked = args.family or FAMILIES
    present = [f for f in asked if (args.data / f"{f}.jsonl").is_file()]
    missing = [f for f in asked if f not in present]
    if not present or (args.family and missing):
        parser.error(f"{args.data} has no {', '.join(f'{f}.jsonl' for f in missing)}")
    items = load(args.data, families=present)
    scored, load_s = asyncio.run(score(items, args.model))
    print(table(scored, load_s))
    if args.by_technique:
        print()
        print(technique_table(scored))
    if args.misses:
        for r in scored:
            if r.blocked != (r.label == "attack"):
                print(f"{'missed' if r.label == 'attack' else 'false alarm'}: {r.id}")
    if args.json is not None:
        rows = [
            {
                "id": r.id,
                "family": r.family,
                "lang": r.lang,
                "label": r.label,
                "decision": r.decision,
                "blocked_by": r.blocked_by,
                "ms": round(r.ms, 3),
                "technique": r.technique,
            }
            for r in scored
        ]
        args.json.write_bytes(orjson.dumps(rows, option=orjson.OPT_INDENT_2))
