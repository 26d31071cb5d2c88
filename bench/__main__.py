"""``python -m bench``: pass-through overhead of edge → core against a direct call.

Starts the development upstream, core and edge as real processes (on Redis/PostgreSQL from
``REDIS_URL``/``DATABASE_URL`` or throwaway servers), then measures, in one run, the same
requests sent straight to the upstream and through the gateway: JSON and streamed, at each
concurrency. It prints p50/p99 latency, time to first byte for streams, throughput, the
latency the gateway adds, CPU time per request of edge and core together (from
``/proc/<pid>/stat``) next to the development upstream's own for the direct call (this
machine's speed drifts from run to run; the upstream's figure is the same work every time),
and ratios against the direct call. Results also go to
``bench/results/passthrough.json``.

    python -m bench --requests 2000 --concurrency 1,32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp
import asyncpg
import uvloop

from core.keys.store import KeyStore

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
PROMPT = "Summarise the attached quarterly report in three bullet points. " * 4  # ~260 bytes


@dataclass
class Result:
    target: str
    mode: str
    concurrency: int
    requests: int
    p50_ms: float
    p99_ms: float
    ttfb_p50_ms: float | None
    ttfb_p99_ms: float | None
    throughput_rps: float
    # CPU per request: edge and core together for the gateway targets; for the direct call,
    # the development upstream's own (a minimal aiohttp server, the same work on every
    # path), so the gateway's figure can be read against this machine's speed that run.
    cpu_ms_per_request: float | None = None
    # The same, per process ("edge", "core", "upstream"): where the gateway's CPU goes.
    cpu_ms_by_process: dict[str, float] | None = None


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """CPU time of process ``pid`` (all its threads, user and system), in seconds.

    Read from the process's CPU-time clock, in nanoseconds: the clock id is the one glibc's
    ``clock_getcpuclockid(pid)`` returns, ``(~pid << 3) | CPUCLOCK_SCHED``. ``/proc/<pid>/stat``
    counts in ticks of 10 ms: over 180 requests that is ±0.055 ms per request, a third of
    the output guard's whole CPU target (0.15 ms), and runs of the same code differed by two
    ticks. The ticks are the fallback where the clock cannot be read.
    """
    try:
        return time.clock_gettime((~pid << 3) | 2)
    except OSError:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        # utime and stime are fields 14 and 15; after the ')' split they are at 11 and 12.
        return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def _one(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str], stream: bool
) -> tuple[float, float | None]:
    started = time.perf_counter()
    async with session.post(url, data=body, headers=headers) as response:
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}: {await response.text()}")
        if not stream:
            await response.read()
            return time.perf_counter() - started, None
        first = None
        async for _ in response.content.iter_any():
            if first is None:
                first = time.perf_counter() - started
        return time.perf_counter() - started, first


async def _run(
    url: str, key: str | None, *, stream: bool, concurrency: int, requests: int, warmup: int
) -> tuple[list[float], list[float], float]:
    body = json.dumps(
        {
            "model": "aegis-dev-echo",
            "messages": [{"role": "user", "content": PROMPT}],
            "stream": stream,
            "devupstream": {"chunks": 8},
        }
    ).encode()
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    connector = aiohttp.TCPConnector(limit=concurrency, keepalive_timeout=60)
    async with aiohttp.ClientSession(connector=connector) as session:
        for _ in range(warmup):
            await _one(session, url, body, headers, stream)
        latencies: list[float] = []
        firsts: list[float] = []
        remaining = requests

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                total, first = await _one(session, url, body, headers, stream)
                latencies.append(total)
                if first is not None:
                    firsts.append(first)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, firsts, elapsed


def _result(target, mode, concurrency, latencies, firsts, elapsed) -> Result:
    return Result(
        target=target,
        mode=mode,
        concurrency=concurrency,
        requests=len(latencies),
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
        ttfb_p50_ms=statistics.median(firsts) * 1000 if firsts else None,
        ttfb_p99_ms=_percentile(firsts, 0.99) * 1000 if firsts else None,
        throughput_rps=len(latencies) / elapsed,
    )


def _wait_http(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"bench: {url} did not come up")


async def _create_key(database_url: str) -> str:
    connection = await asyncpg.connect(database_url)
    try:
        created = await KeyStore(connection).create(
            user="bench", workspace="bench", role="developer"
        )
        return created.key
    finally:
        await connection.close()


Spec = tuple[str, str, dict[str, str], str]  # name, module, extra environment, health path


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def data_services(stack: ExitStack, workdir: Path) -> tuple[str, str]:
    """Redis and PostgreSQL URLs: ``REDIS_URL``/``DATABASE_URL`` if given, else throwaway
    servers under ``workdir``, stopped when ``stack`` closes.

    A bench stopped with SIGTERM or SIGHUP (``kill``, a closed terminal) unwinds ``stack``
    like Ctrl-C does, so no server or process it started is left running."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    redis_url = os.environ.get("REDIS_URL")
    database_url = os.environ.get("DATABASE_URL") or os.environ.get("POSTGRES_URL")
    if not redis_url or not database_url:
        from devstack.services import start_postgres, start_redis

        if not redis_url:
            redis = start_redis(workdir)
            stack.callback(redis.stop)
            redis_url = redis.url
        if not database_url:
            postgres = start_postgres(workdir, database="aegis_bench")
            stack.callback(postgres.stop)
            database_url = postgres.url
    return redis_url, database_url


@dataclass(frozen=True)
class Workspace:
    """A bench run's scratch folder, data services, ports and the processes' environment."""

    workdir: Path
    ports: dict[str, int]
    urls: dict[str, str]
    env: dict[str, str]


def workspace(stack: ExitStack, names: tuple[str, ...], **env: str) -> Workspace:
    """A temporary folder (removed when ``stack`` closes), Redis and PostgreSQL (see
    :func:`data_services`), a free port and URL for each of ``names``, and the environment
    every process gets: ours plus the data services' URLs plus ``env``."""
    workdir = Path(tempfile.mkdtemp(prefix="aegis-bench-"))
    stack.callback(shutil.rmtree, workdir, ignore_errors=True)
    redis_url, database_url = data_services(stack, workdir)
    ports = {name: _free_port() for name in names}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    environ = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, **env}
    return Workspace(workdir, ports, urls, environ)


def start_processes(
    stack: ExitStack,
    workdir: Path,
    specs: list[Spec],
    env: dict[str, str],
    urls: dict[str, str],
) -> dict[str, subprocess.Popen]:
    """Start each spec as ``python -m module`` and wait until its health path answers; each
    is stopped (and its log closed) when ``stack`` closes."""
    processes: dict[str, subprocess.Popen] = {}
    for name, module, extra, health in specs:
        log = (workdir / f"{name}.log").open("wb")
        stack.callback(log.close)
        processes[name] = subprocess.Popen(
            [sys.executable, "-m", module],
            env={**env, **extra},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        stack.callback(_stop, processes[name])
        _wait_http(urls[name] + health, processes[name])
    return processes


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per scenario")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5, help="alternations of direct/gateway")
    parser.add_argument("--concurrency", default="1,32", help="comma-separated levels")
    parser.add_argument("--modes", default="json,stream")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "results" / "passthrough.json"
    )
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    modes = args.modes.split(",")

    with ExitStack() as stack:
        space = workspace(
            stack,
            ("upstream", "core", "edge", "guarded", "bare2", "bare1"),
            REDIS_KEY_PREFIX="bench:",
            LOG_LEVEL="info",
        )
        workdir, ports, urls, env = space.workdir, space.ports, space.urls, space.env
        env["BYPASS_SPOOL_DIR"] = str(workdir / "spool")
        specs = [
            ("upstream", "devupstream", {"PORT": str(ports["upstream"])}, "/health"),
            (
                "core",
                "core",
                # Core's input pipeline and output guard off: this bench measures the
                # pass-through path and the edge's guards (issues 2 and 3); bench.pipeline
                # and bench.output measure core's scanners.
                {
                    "PORT": str(ports["core"]),
                    "UPSTREAM_URL": urls["upstream"],
                    "INPUT_SCAN_ENABLED": "false",
                    "OUTPUT_SCAN_ENABLED": "false",
                },
                "/api/v1/health",
            ),
            # Pure pass-through: the edge's guards off.
            (
                "edge",
                "edge",
                {
                    "PORT": str(ports["edge"]),
                    "CORE_ENDPOINT": urls["core"],
                    "RATE_LIMIT_ENABLED": "false",
                    "PREFILTER_ENABLED": "false",
                },
                "/api/v1/health",
            ),
            # The same with rate limits (requests and tokens) and the prefilter on; limits
            # high enough that nothing is refused, so the work is measured, not the refusals.
            (
                "guarded",
                "edge",
                {
                    "PORT": str(ports["guarded"]),
                    "CORE_ENDPOINT": urls["core"],
                    "RATE_LIMIT_MAX_REQUESTS": "1000000000",
                    "RATE_LIMIT_IP_MAX_REQUESTS": "1000000000",
                    "RATE_LIMIT_TOKENS_PER_MINUTE": "1000000000",
                },
                "/api/v1/health",
            ),
            # The libraries' floor: two bare uvicorn + aiohttp relays in place of edge and
            # core (bench/barehop.py), nothing of Aegis in them.
            (
                "bare2",
                "bench.barehop",
                {"PORT": str(ports["bare2"]), "TARGET": urls["upstream"]},
                "/health",
            ),
            (
                "bare1",
                "bench.barehop",
                {"PORT": str(ports["bare1"]), "TARGET": urls["bare2"]},
                "/health",
            ),
        ]
        processes = start_processes(stack, workdir, specs, env, urls)
        key = asyncio.run(_create_key(env["DATABASE_URL"]))
        time.sleep(1.5)  # core publishes the key; the edge polls every second

        results: list[Result] = []
        targets = {
            "direct": (urls["upstream"], None),
            "gateway": (urls["edge"], key),
            "guarded": (urls["guarded"], key),
            "bare": (urls["bare1"], key),
        }
        measured = {
            "direct": ("upstream",),
            "gateway": ("edge", "core"),
            "guarded": ("guarded", "core"),
            "bare": ("bare1", "bare2"),
        }
        per_round = max(1, args.requests // args.rounds)
        for mode in modes:
            stream = mode == "stream"
            for concurrency in levels:
                # Direct and gateway alternate in rounds, so both see the same machine
                # conditions (this VM's speed drifts from minute to minute).
                pooled = {t: ([], [], 0.0) for t in targets}
                cpu = {target: dict.fromkeys(measured[target], 0.0) for target in targets}
                for _ in range(args.rounds):
                    for target, (url, use_key) in targets.items():
                        names = measured[target]
                        before = {name: _cpu_seconds(processes[name].pid) for name in names}
                        latencies, firsts, elapsed = uvloop.run(
                            _run(
                                url + "/v1/chat/completions",
                                use_key,
                                stream=stream,
                                concurrency=concurrency,
                                requests=per_round,
                                warmup=args.warmup // args.rounds,
                            )
                        )
                        for name in names:
                            spent = _cpu_seconds(processes[name].pid) - before[name]
                            cpu[target][name] += spent
                        lat, fir, total = pooled[target]
                        pooled[target] = (lat + latencies, fir + firsts, total + elapsed)
                for target, (latencies, firsts, elapsed) in pooled.items():
                    result = _result(target, mode, concurrency, latencies, firsts, elapsed)
                    # CPU over warm-up and measured requests together.
                    served = args.rounds * (per_round + args.warmup // args.rounds)
                    result.cpu_ms_by_process = {
                        "edge" if name == "guarded" else name: seconds * 1000 / served
                        for name, seconds in cpu[target].items()
                    }
                    result.cpu_ms_per_request = sum(result.cpu_ms_by_process.values())
                    results.append(result)
                    print(
                        f"  measured {target:<7} {mode:<6} c={concurrency:<3} "
                        f"p50={result.p50_ms:.3f} ms",
                        file=sys.stderr,
                    )
        _report(results)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps([asdict(r) for r in results], indent=2))
        print(f"\nresults written to {args.output}")
    return 0


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def _report(results: list[Result]) -> None:
    print()
    print(
        "Pass-through: direct call to the development upstream vs client → edge → core → upstream"
    )
    print(
        f"{'mode':<7}{'conc':>5} {'target':<8}{'p50 ms':>9}{'p99 ms':>9}{'ttfb50':>9}{'ttfb99':>9}"
        f"{'req/s':>9}{'cpu ms/req':>11}"
    )
    by_key = {(r.mode, r.concurrency, r.target): r for r in results}
    for r in results:
        ttfb50 = f"{r.ttfb_p50_ms:.3f}" if r.ttfb_p50_ms is not None else "-"
        ttfb99 = f"{r.ttfb_p99_ms:.3f}" if r.ttfb_p99_ms is not None else "-"
        cpu = f"{r.cpu_ms_per_request:.3f}" if r.cpu_ms_per_request is not None else "-"
        print(
            f"{r.mode:<7}{r.concurrency:>5} {r.target:<8}{r.p50_ms:>9.3f}{r.p99_ms:>9.3f}"
            f"{ttfb50:>9}"
            f"{ttfb99:>9}{r.throughput_rps:>9.0f}{cpu:>11}"
        )
    print()
    print("Against the direct call (added = target - direct; ratio = target / direct)")
    print("gateway = edge guards off (pure pass-through); guarded = rate limits + prefilter on")
    print("bare = two bare uvicorn + aiohttp relays (bench/barehop.py): the libraries' floor")
    for mode, concurrency, target in by_key:
        if target == "direct":
            continue
        g = by_key[(mode, concurrency, target)]
        d = by_key[(mode, concurrency, "direct")]
        line = (
            f"{mode:<7}c={concurrency:<4}{target:<8} added p50 {g.p50_ms - d.p50_ms:+.3f} ms "
            f"(x{g.p50_ms / d.p50_ms:.2f}), p99 {g.p99_ms - d.p99_ms:+.3f} ms "
            f"(x{g.p99_ms / d.p99_ms:.2f}), "
            f"throughput x{g.throughput_rps / d.throughput_rps:.2f}"
        )
        if g.ttfb_p50_ms is not None and d.ttfb_p50_ms is not None:
            line += f", added ttfb p50 {g.ttfb_p50_ms - d.ttfb_p50_ms:+.3f} ms"
        if g.cpu_ms_per_request is not None and d.cpu_ms_per_request:
            line += f", cpu x{g.cpu_ms_per_request / d.cpu_ms_per_request:.2f} the upstream's"
        if g.cpu_ms_by_process:
            line += " (" + " + ".join(f"{n} {ms:.3f}" for n, ms in g.cpu_ms_by_process.items())
            line += " ms)"
        print(line)
    print()
    print("Guards on against pass-through (throughput guarded / gateway; target >= 0.90)")
    for mode, concurrency, target in by_key:
        if target != "guarded" or (mode, concurrency, "gateway") not in by_key:
            continue
        g = by_key[(mode, concurrency, "guarded")]
        p = by_key[(mode, concurrency, "gateway")]
        print(
            f"{mode:<7}c={concurrency:<4} throughput x{g.throughput_rps / p.throughput_rps:.2f}, "
            f"added p50 {g.p50_ms - p.p50_ms:+.3f} ms"
        )


if __name__ == "__main__":
    sys.exit(main())
