"""``python -m bench.audit``: what the audit trail costs a request, how fast it writes, how
fast ``aegis audit verify`` reads.

* **Request path** (no I/O; ``time.process_time`` and ``perf_counter_ns`` per request,
  ``--requests`` times): the HMACs of a chat request's instruction and context (a 200-char
  system prompt, a 500-char question), the answer's HMAC fed by the output chain (40
  deltas of ~10 characters), and the sink's call. Without the audit trail none of this
  runs, so this is the difference with and without.
* **Background, per row** (CPU): building the record from an exchange, the door, the chain
  link and the COPY values.
* **Writing** (real PostgreSQL: ``DATABASE_URL``, a throwaway database made and dropped):
  ``--rows`` rows queued and written by the writer in batches of ``AUDIT_BATCH_MAX``;
  rows/s (wall) and the process's CPU per row.
* **Verify** over those rows (the CLI's function, one connection).

    python -m bench.audit --rows 1000000 --requests 20000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from core.audit.hashing import TextHasher
from core.audit.record import AuditRecord, Chain, record_from_exchange, sanitize
from core.audit.spool import Spool
from core.audit.verify import verify
from core.audit.writer import AuditWriter, row_values
from core.db.migrate import apply_migrations
from core.db.pool import Database
from core.lifecycle.exchange import Exchange, Usage
from core.lifecycle.output import TextKey
from shared.extract import ScanText

SYSTEM = "You are a helpful assistant for the finance team. " * 4
QUESTION = "Please summarise the attached quarterly figures in three bullet points. " * 7
DELTAS = ["chunk of  " for _ in range(40)]


def _exchange() -> Exchange:
    exchange = Exchange("req-" + secrets.token_hex(8), "/v1/chat/completions")
    exchange.key_id, exchange.user, exchange.role, exchange.workspace = (
        "k_1",
        "alice",
        "developer",
        "finance",
    )
    exchange.model, exchange.prompt_tokens_estimate, exchange.status = "m", 180, 200
    exchange.client_ip, exchange.user_agent = "10.1.2.3", "OpenAI/Python 1.60"
    exchange.usage = Usage(180, 40, 220)
    exchange.stage_s = {"authenticate": 1e-5, "parse": 4e-5, "input_scan": 2e-3, "upstream": 0.2}
    return exchange


def request_path(requests: int) -> dict[str, Any]:
    hasher = TextHasher(b"bench-audit-key-0123456789abcdef")
    texts = [ScanText(0, "system", SYSTEM), ScanText(1, "user", QUESTION)]
    key = TextKey(0, "content")

    class _Sink(list[Any]):
        def __call__(self, exchange: Exchange) -> None:  # the writer's sink, minus the class
            self.append((exchange, time.time(), time.perf_counter() - exchange.started))

    sink = _Sink()
    exchanges = [_exchange() for _ in range(requests)]
    walls: list[int] = []
    cpu_started = time.process_time()
    for exchange in exchanges:
        started = time.perf_counter_ns()
        hasher.hash_texts(texts, exchange)
        member = hasher.answer(exchange)
        for delta in DELTAS:
            member.feed(key, delta)
        sink(exchange)
        walls.append(time.perf_counter_ns() - started)
    cpu = time.process_time() - cpu_started
    # The background's share, per row (same process, same CPU).
    chain = Chain(str(uuid.uuid4()))
    cpu_started = time.process_time()
    for item in sink:
        row_values(chain.link(sanitize(record_from_exchange(*item))))
    background = time.process_time() - cpu_started
    return {
        "requests": requests,
        "request_path_wall_us_p50": round(statistics.median(walls) / 1000, 2),
        "request_path_wall_us_p99": round(sorted(walls)[int(len(walls) * 0.99)] / 1000, 2),
        "request_path_cpu_us_mean": round(cpu / requests * 1e6, 2),
        "background_cpu_us_per_row": round(background / requests * 1e6, 2),
    }


async def write_and_verify(server_url: str, rows: int, batch: int) -> dict[str, Any]:
    name = "aegis_bench_" + secrets.token_hex(4)
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(server_url)._replace(path="/" + name))
    try:
        connection = await asyncpg.connect(url)
        await apply_migrations(connection)
        await connection.close()
        database = Database(url, max_size=4)
        await database.run()
        spool_dir = Path(tempfile.gettempdir()) / name
        writer = AuditWriter(
            database,
            Spool(spool_dir, "bench"),
            instance="bench",
            queue_max=rows + 1,
            batch_max=batch,
        )
        now = int(time.time() * 1_000_000)
        records = [
            AuditRecord.example(
                log_id=str(uuid.uuid4()), timestamp_us=now + n, request_id=f"bench-{n}"
            )
            for n in range(rows)
        ]
        cpu_started, started = time.process_time(), time.perf_counter()
        for record in records:
            writer.submit(record)
        await writer.flush(limit_s=3600)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        await database.close()
        connection = await asyncpg.connect(url)
        report = await verify(connection)
        await connection.close()
        return {
            "rows": rows,
            "batch": batch,
            "write_rows_per_s": round(rows / wall),
            "write_cpu_us_per_row": round(cpu / rows * 1e6, 2),
            "verify_s": round(report.seconds, 2),
            "verify_rows_per_s": round(report.rows / report.seconds),
            "verify_ok": report.ok,
        }
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=2_000)
    args = parser.parse_args()
    print(request_path(args.requests))
    if args.rows:
        url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        print(asyncio.run(write_and_verify(url, args.rows, args.batch)))


if __name__ == "__main__":
    main()
