"""TLS between the tiers: core (``python -m core``) serving HTTPS that requires a client
certificate, edges calling it with ``CORE_ENDPOINT=https://…``, on certificates made here.

The CA, core's certificate (for 127.0.0.1) and the edge's client certificate are drawn in the
test; nothing is fetched and nothing is shared with another test.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from structlog.testing import capture_logs

from core.keys.store import KeyStore
from devupstream.app import DEFAULT_MODEL
from edge.app import create_app as create_edge
from edge.settings import EdgeSettings
from shared.config import ConfigError
from tests.conftest import ServerThread, Upstream, free_port, run_sync

CHAT = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hello"}]}


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def _issue(
    folder: Path,
    stem: str,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_name: x509.Name,
    usage: x509.ObjectIdentifier,
    san: list[x509.GeneralName],
) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"aegis-test-{stem}"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path = folder / f"{stem}.crt"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, _write_key(folder / f"{stem}.key", key)


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    """A private CA, core's server certificate for 127.0.0.1 and an edge client certificate."""
    folder = tmp_path / "pki"
    folder.mkdir()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("aegis-test-ca")
    now = datetime.datetime.now(datetime.UTC)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path = folder / "ca.crt"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    server = _issue(
        folder,
        "core",
        ca_key,
        ca_name,
        ExtendedKeyUsageOID.SERVER_AUTH,
        [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")],
    )
    client = _issue(
        folder,
        "edge",
        ca_key,
        ca_name,
        ExtendedKeyUsageOID.CLIENT_AUTH,
        [x509.DNSName("edge.aegis.test")],
    )
    return Pki(ca_path, *server, *client)


def _raw_get(
    port: int,
    pki: Pki,
    *,
    with_cert: bool,
    version: ssl.TLSVersion = ssl.TLSVersion.MAXIMUM_SUPPORTED,
) -> bytes:
    """``GET /api/v1/health`` over a TLS socket that trusts the CA; the answer's first bytes."""
    context = ssl.create_default_context(cafile=pki.ca)
    context.maximum_version = version
    if with_cert:
        context.load_cert_chain(pki.client_cert, pki.client_key)
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: core\r\nConnection: close\r\n\r\n")
        return tls.recv(64)


@dataclass
class TlsCore:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"


@pytest.fixture
def tls_core(
    pki: Pki,
    upstream: Upstream,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    tmp_path: Path,
) -> Iterator[TlsCore]:
    """``python -m core`` on HTTPS, requiring client certificates from the test's CA."""
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_prefix,
        "UPSTREAM_URL": upstream.url,
        "KEY_SYNC_INTERVAL_MS": "200",
        "AUDIT_SPOOL_DIR": str(tmp_path / "audit"),
        # Not what this test is about, and each costs seconds of start-up.
        "PII_SCAN_ENABLED": "false",
        "CLASSIFIER_ENABLED": "false",
        "TLS_CERT": str(pki.server_cert),
        "TLS_KEY": str(pki.server_key),
        "TLS_CLIENT_CA": str(pki.ca),
    }
    log = tmp_path / "core.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "core"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    core = TlsCore(port, process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, f"core exited: {log.read_text()[-2000:]}"
            try:
                if _raw_get(port, pki, with_cert=True).startswith(b"HTTP/1.1 200"):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"core never served: {log.read_text()[-2000:]}"
            time.sleep(0.2)
        yield core
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _new_key(database_url: str, role: str = "developer") -> str:
    async def create() -> str:
        connection = await asyncpg.connect(database_url)
        try:
            new = await KeyStore(connection).create(user="tls", workspace="tests", role=role)
            return new.key
        finally:
            await connection.close()

    key: str = run_sync(create)
    return key


def _wait_accepted(edge_url: str, key: str) -> None:
    """Until the edge knows the key core published (the edge reads it from Redis)."""
    deadline = time.monotonic() + 15
    while (
        httpx.get(edge_url + "/v1/models", headers={"authorization": f"Bearer {key}"}).status_code
        == 401
    ):
        assert time.monotonic() < deadline, "the edge never accepted the key"
        time.sleep(0.05)


def test_edge_with_client_certificate_chats_through_mutual_tls(
    tls_core: TlsCore,
    pki: Pki,
    upstream: Upstream,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    tmp_path: Path,
) -> None:
    """An edge trusting the CA and showing its certificate gets core's answers, streams too."""
    edge = ServerThread(
        create_edge(
            EdgeSettings.from_env(
                {
                    "CORE_ENDPOINT": tls_core.url,
                    "CORE_TLS_CA": str(pki.ca),
                    "CORE_TLS_CERT": str(pki.client_cert),
                    "CORE_TLS_KEY": str(pki.client_key),
                    "REDIS_URL": redis_url,
                    "REDIS_KEY_PREFIX": redis_prefix,
                    "KEY_SYNC_INTERVAL_MS": "100",
                    "BYPASS_SPOOL_DIR": str(tmp_path / "spool"),
                }
            )
        )
    ).start()
    try:
        key = _new_key(database_url)
        _wait_accepted(edge.url, key)
        headers = {"authorization": f"Bearer {key}"}
        response = httpx.post(edge.url + "/v1/chat/completions", json=CHAT, headers=headers)
        assert response.status_code == 200, response.text
        assert "x-aegis-bypassed" not in response.headers
        assert response.json()["choices"][0]["message"]["content"]
        streamed = httpx.post(
            edge.url + "/v1/chat/completions", json={**CHAT, "stream": True}, headers=headers
        )
        assert streamed.status_code == 200
        assert streamed.text.rstrip().endswith("data: [DONE]")
        assert upstream.stats.requests == 2
    finally:
        edge.stop()


def test_client_without_certificate_is_refused_by_core(tls_core: TlsCore, pki: Pki) -> None:
    """A client that trusts core but shows no certificate fails the TLS handshake."""
    tls12 = ssl.TLSVersion.TLSv1_2
    assert _raw_get(tls_core.port, pki, with_cert=True).startswith(b"HTTP/1.1 200")
    assert _raw_get(tls_core.port, pki, with_cert=True, version=tls12).startswith(b"HTTP/1.1 200")
    # TLS 1.2: core asks for the certificate inside the handshake, which it then breaks off.
    with pytest.raises(ssl.SSLError):
        _raw_get(tls_core.port, pki, with_cert=False, version=tls12)
    # TLS 1.3: the client's last handshake message is checked after the client thinks it is
    # done, so the refusal shows at the first read: the connection ends, nothing answered.
    try:
        answer = _raw_get(tls_core.port, pki, with_cert=False)
    except ssl.SSLError:
        answer = b""
    assert answer == b""
    with pytest.raises(httpx.TransportError):
        httpx.get(tls_core.url + "/api/v1/health", verify=ssl.create_default_context(cafile=pki.ca))
    # A plain-HTTP client is not answered in HTTP either.
    with socket.create_connection(("127.0.0.1", tls_core.port), timeout=5) as plain:
        plain.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: core\r\n\r\n")
        assert not plain.recv(64).startswith(b"HTTP/1.1 200")


def test_cli_reaches_core_over_mutual_tls(tls_core: TlsCore, pki: Pki, database_url: str) -> None:
    """``aegis`` admin commands against a core that serves HTTPS and requires client
    certificates: with the private CA and a client certificate they work; without the
    certificate, one line naming the TLS variables and status 1; a TLS file beside an
    ``http://`` URL, a configuration error (status 2)."""
    aegis = [os.path.join(os.path.dirname(sys.executable), "aegis"), "bypass", "list"]
    env = {
        **os.environ,
        "AEGIS_CORE_URL": tls_core.url,
        "AEGIS_API_KEY": _new_key(database_url, role="admin"),
        "AEGIS_CORE_TLS_CA": str(pki.ca),
        "AEGIS_CORE_TLS_CERT": str(pki.client_cert),
        "AEGIS_CORE_TLS_KEY": str(pki.client_key),
    }

    def run(**changes: str | None) -> subprocess.CompletedProcess[str]:
        changed = {**env, **changes}
        final = {name: value for name, value in changed.items() if value is not None}
        return subprocess.run(aegis, env=final, capture_output=True, text=True, timeout=60)

    done = run()
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""

    refused = run(AEGIS_CORE_TLS_CERT=None, AEGIS_CORE_TLS_KEY=None)
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"aegis: cannot reach core at {tls_core.url}")
    assert "AEGIS_CORE_TLS_CERT" in refused.stderr
    assert "Traceback" not in refused.stderr and refused.stderr.count("\n") == 1

    untrusted = run(AEGIS_CORE_TLS_CA=None)  # core's certificate is from a private CA
    assert untrusted.returncode == 1
    assert "AEGIS_CORE_TLS_CA" in untrusted.stderr and "Traceback" not in untrusted.stderr

    plain = run(AEGIS_CORE_URL=f"http://127.0.0.1:{tls_core.port}")
    assert plain.returncode == 2
    assert "is not https://" in plain.stderr


def test_edge_trusting_no_private_ca_refuses_core(
    tls_core: TlsCore,
    pki: Pki,
    upstream: Upstream,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    tmp_path: Path,
) -> None:
    """Without CORE_TLS_CA core's certificate does not verify: the health checks say so, the
    breaker opens, requests get 503 core_unavailable and never reach the model."""
    settings = EdgeSettings.from_env(
        {
            "CORE_ENDPOINT": tls_core.url,
            "CORE_TLS_CERT": str(pki.client_cert),
            "CORE_TLS_KEY": str(pki.client_key),
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": redis_prefix,
            "KEY_SYNC_INTERVAL_MS": "100",
            "CORE_HEALTH_CHECK_INTERVAL_MS": "100",
            "BYPASS_SPOOL_DIR": str(tmp_path / "spool"),
        }
    )
    with capture_logs() as logs:
        edge = ServerThread(create_edge(settings)).start()
        try:
            # Only the health checks have called core yet.
            deadline = time.monotonic() + 15
            while httpx.get(edge.url + "/api/v1/ready").json()["cores"] != {"core_0": "open"}:
                assert time.monotonic() < deadline, "the edge's breaker never opened"
                time.sleep(0.05)
            opened = [line for line in logs if line["event"] == "core_breaker_open"]
            assert [line["reason"] for line in opened] == ["tls_handshake"]
            key = _new_key(database_url)
            _wait_accepted(edge.url, key)
            response = httpx.post(
                edge.url + "/v1/chat/completions",
                json=CHAT,
                headers={"authorization": f"Bearer {key}"},
            )
        finally:
            edge.stop()
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "core_unavailable"
    assert "x-aegis-bypassed" not in response.headers
    assert upstream.stats.requests == 0


@pytest.mark.parametrize(
    ("module", "env", "expected"),
    [
        pytest.param(
            "core",
            {"TLS_CERT": "{missing}", "TLS_KEY": "{server_key}"},
            ["Config 'TLS_CERT' has value '{missing}'. No such file."],
            id="core-file-missing",
        ),
        pytest.param(
            "core",
            {"TLS_CERT": "{server_cert}"},
            ["Config 'TLS_CERT' is set but 'TLS_KEY' is not: a certificate needs its key."],
            id="core-cert-without-key",
        ),
        pytest.param(
            "core",
            {"TLS_CLIENT_CA": "{ca}"},
            [
                "Config 'TLS_CLIENT_CA' is set but 'TLS_CERT' is not: client certificates are "
                "checked only on HTTPS."
            ],
            id="core-client-ca-without-https",
        ),
        pytest.param(
            "core",
            {"TLS_CERT": "{server_cert}", "TLS_KEY": "{client_key}"},
            ["Config 'TLS_CERT' / 'TLS_KEY' ('{server_cert}', '{client_key}'): not a PEM"],
            id="core-key-of-another-certificate",
        ),
        pytest.param(
            "edge",
            {"CORE_TLS_KEY": "{client_key}", "CORE_ENDPOINT": "https://core:8081"},
            [
                "Config 'CORE_TLS_KEY' is set but 'CORE_TLS_CERT' is not: a key needs its "
                "certificate."
            ],
            id="edge-key-without-cert",
        ),
        pytest.param(
            "edge",
            {"CORE_TLS_CA": "{ca}", "CORE_ENDPOINT": "http://core:8081"},
            [
                "Config 'CORE_ENDPOINT' has value 'http://core:8081'. Not https:// although "
                "CORE_TLS_CA / CORE_TLS_CERT is set."
            ],
            id="edge-tls-files-with-plain-endpoint",
        ),
        pytest.param(
            "edge",
            {"CORE_TLS_CA": "{server_key}", "CORE_ENDPOINT": "https://core:8081"},
            ["Config 'CORE_TLS_CA' has value '{server_key}'. Not PEM CA certificates"],
            id="edge-ca-not-a-certificate",
        ),
    ],
)
def test_tls_mistakes_stop_start_up_with_one_line(
    pki: Pki, tmp_path: Path, module: str, env: dict[str, str], expected: list[str]
) -> None:
    """A missing file, half a pair or a file that does not load: exit 2, one line each."""
    paths = {
        "missing": str(tmp_path / "nowhere.pem"),
        "ca": str(pki.ca),
        "server_cert": str(pki.server_cert),
        "server_key": str(pki.server_key),
        "client_key": str(pki.client_key),
    }
    filled = {name: value.format(**paths) for name, value in env.items()}
    result = subprocess.run(
        [sys.executable, "-m", module],
        env={
            **os.environ,
            "BYPASS_SPOOL_DIR": str(tmp_path / "spool"),
            "AUDIT_SPOOL_DIR": str(tmp_path / "audit"),
            **filled,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(expected), result.stderr
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(f"{module}: " + start.format(**paths)), line
    assert "Traceback" not in result.stderr


def test_edge_settings_name_every_tls_problem_at_once(pki: Pki, tmp_path: Path) -> None:
    """Problems of the TLS files come with the other settings' problems, in one error."""
    with pytest.raises(ConfigError) as error:
        EdgeSettings.from_env({"PORT": "eighty", "CORE_TLS_CERT": str(tmp_path / "none.crt")})
    named = [problem.split("'")[1] for problem in error.value.problems]
    assert named == ["PORT", "CORE_TLS_CERT", "CORE_TLS_CERT", "CORE_ENDPOINT"]
