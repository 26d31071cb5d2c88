"""``python -m bench.tls_tiers``: what mutual TLS between edge and core costs.

Starts the development upstream, two cores (plain HTTP; HTTPS with ``TLS_CLIENT_CA``) and an
edge in front of each, as real processes, on certificates made here with ``openssl``, and
sends the same chat requests through both edges: p50/p99 latency and throughput per mode
and concurrency. Scanning is switched off on both cores (classifier, PII), so the difference
is the hop's transport. Connections are kept alive, as the edge keeps them: the handshake is
paid once per connection, not per request.

    python -m bench.tls_tiers --requests 400 --concurrency 1,16
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

from bench.__main__ import _create_key, _free_port, _result, _run, _wait_http, data_services

ROOT = Path(__file__).resolve().parent.parent


def _certificates(folder: Path) -> dict[str, Path]:
    """A CA, core's certificate for 127.0.0.1 and a client certificate, by openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise SystemExit("bench: openssl is not installed")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=folder, capture_output=True, check=True)

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    run(
        "req",
        "-x509",
        *ec,
        "-days",
        "1",
        "-subj",
        "/CN=bench CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    )
    for name, ext in (
        ("core", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth"),
        ("edge", "extendedKeyUsage=clientAuth"),
    ):
        (folder / f"{name}.ext").write_text(ext + "\n")
        run("req", *ec, "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.csr")
        run(
            "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "1", "-extfile", f"{name}.ext", "-out", f"{name}.crt",
        )  # fmt: skip
    return {
        name: folder / name for name in ("ca.crt", "core.crt", "core.key", "edge.crt", "edge.key")
    }


def _wait_https(url: str, process: subprocess.Popen[bytes], context: ssl.SSLContext) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1, context=context) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"bench: {url} did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", default="1,16")
    args = parser.parse_args()
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="aegis-tls-bench-") as tmp:
        workdir = Path(tmp)
        redis_url, database_url = data_services(stack, workdir)
        certs = _certificates(workdir)
        base = {
            **os.environ,
            "REDIS_URL": redis_url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "warning",
            "HOST": "127.0.0.1",
        }
        ports = {
            name: _free_port() for name in ("upstream", "core", "core_tls", "edge", "edge_tls")
        }
        upstream = f"http://127.0.0.1:{ports['upstream']}"
        core_env = {
            "UPSTREAM_URL": upstream,
            "CLASSIFIER_ENABLED": "false",
            "PII_SCAN_ENABLED": "false",
            "AUDIT_SPOOL_DIR": str(workdir / "audit"),
        }
        specs = {
            "upstream": ("devupstream", {"PORT": str(ports["upstream"])}),
            "core": ("core", {**core_env, "PORT": str(ports["core"])}),
            "core_tls": (
                "core",
                {
                    **core_env,
                    "PORT": str(ports["core_tls"]),
                    "CORE_INSTANCE_ID": "bench-tls",
                    "TLS_CERT": str(certs["core.crt"]),
                    "TLS_KEY": str(certs["core.key"]),
                    "TLS_CLIENT_CA": str(certs["ca.crt"]),
                },
            ),
        }
        processes: dict[str, subprocess.Popen[bytes]] = {}
        for name, (module, extra) in specs.items():
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", module], env={**base, **extra}, cwd=ROOT
            )
            stack.callback(processes[name].wait, 20)
            stack.callback(processes[name].terminate)
        client = ssl.create_default_context(cafile=certs["ca.crt"])
        client.load_cert_chain(certs["edge.crt"], certs["edge.key"])
        _wait_http(upstream + "/health", processes["upstream"])
        _wait_http(f"http://127.0.0.1:{ports['core']}/api/v1/health", processes["core"], 120)
        _wait_https(
            f"https://127.0.0.1:{ports['core_tls']}/api/v1/health", processes["core_tls"], client
        )
        edges = {
            "edge": {"CORE_ENDPOINT": f"http://127.0.0.1:{ports['core']}"},
            "edge_tls": {
                "CORE_ENDPOINT": f"https://127.0.0.1:{ports['core_tls']}",
                "CORE_TLS_CA": str(certs["ca.crt"]),
                "CORE_TLS_CERT": str(certs["edge.crt"]),
                "CORE_TLS_KEY": str(certs["edge.key"]),
            },
        }
        for name, extra in edges.items():
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", "edge"],
                env={
                    **base,
                    **extra,
                    "PORT": str(ports[name]),
                    "EDGE_INSTANCE_ID": name,
                    "BYPASS_SPOOL_DIR": str(workdir / f"spool-{name}"),
                    "RATE_LIMIT_ENABLED": "false",
                },
                cwd=ROOT,
            )
            stack.callback(processes[name].wait, 20)
            stack.callback(processes[name].terminate)
            _wait_http(f"http://127.0.0.1:{ports[name]}/api/v1/health", processes[name])
        key = asyncio.run(_create_key(database_url))
        time.sleep(6)  # the edges see the key once core has published it
        results = []
        for concurrency in concurrencies:
            for name in ("edge", "edge_tls", "edge", "edge_tls"):
                url = f"http://127.0.0.1:{ports[name]}/v1/chat/completions"
                latencies, firsts, elapsed = asyncio.run(
                    _run(
                        url,
                        key,
                        stream=False,
                        concurrency=concurrency,
                        requests=args.requests // 2,
                        warmup=20,
                    )
                )
                results.append(
                    _result(
                        "mtls" if name == "edge_tls" else "plain",
                        "json",
                        concurrency,
                        latencies,
                        firsts,
                        elapsed,
                    )
                )
        for result in results:
            print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
