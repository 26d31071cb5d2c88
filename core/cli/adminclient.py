"""The HTTP client of core's admin API that ``aegis bypass …`` and ``aegis policy …`` share.

It calls core at ``AEGIS_CORE_URL`` (default ``http://127.0.0.1:8081``) with the key in
``AEGIS_API_KEY``. Going through the API, not the database, is what makes core check the
key's role and record who made a change. A core that serves HTTPS (``TLS_CERT``, and with
``TLS_CLIENT_CA`` mutual TLS; ``shared.tls``) is reached as the edge reaches it: verified
against ``AEGIS_CORE_TLS_CA`` (a private CA) or the system's CAs, with the client
certificate ``AEGIS_CORE_TLS_CERT`` / ``AEGIS_CORE_TLS_KEY`` when core asks for one.

    async with AdminClient.from_env("an admin or auditor") as client:
        events = await client.call("GET", "/api/v1/admin/bypass-events", params={"limit": "5"})

Every failure (no key, core unreachable, a non-200 answer) is an :class:`AdminClientError`
whose message fits on one line: the CLI prints it and exits with status 1.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, BinaryIO, Final

import aiohttp
import orjson

from shared.config import EnvReader, Secret
from shared.tls import ClientTls, client_context, finish, read_files

__all__ = ["DEFAULT_CORE_URL", "TLS_NAMES", "AdminClient", "AdminClientError"]

DEFAULT_CORE_URL: Final = "http://127.0.0.1:8081"
# The client certificate, its key, and the CA core's certificate must come from.
TLS_NAMES: Final = ("AEGIS_CORE_TLS_CERT", "AEGIS_CORE_TLS_KEY", "AEGIS_CORE_TLS_CA")
_TIMEOUT: Final = aiohttp.ClientTimeout(total=30)


class AdminClientError(Exception):
    """A failure to report as one line and exit status 1."""


class AdminClient:
    """Calls core's admin API with one key; use it as an ``async with`` block."""

    def __init__(self, core_url: str, key: Secret, tls: ssl.SSLContext | None = None) -> None:
        self.core_url = core_url
        self._key = key
        self._tls = tls
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def from_env(cls, role: str, environ: Mapping[str, str] | None = None) -> AdminClient:
        """``AEGIS_CORE_URL`` and ``AEGIS_API_KEY``; ``role`` says which key to set when none is
        ("an admin or auditor")."""
        env = EnvReader(environ)
        core_url = env.url("AEGIS_CORE_URL", default=DEFAULT_CORE_URL)
        key = env.secret("AEGIS_API_KEY")
        (cert, cert_key, ca), problems = read_files(env, TLS_NAMES)
        https = core_url.startswith("https://")
        if (cert is not None or ca is not None) and not https:
            problems.append(
                f"Config '{TLS_NAMES[0] if cert is not None else TLS_NAMES[2]}' is set but "
                f"AEGIS_CORE_URL ('{core_url}') is not https://."
            )
        finish(env, problems)  # ConfigError: the CLI prints each problem, exit status 2
        if not key:
            raise AdminClientError(f"set AEGIS_API_KEY to {role} key")
        tls = client_context(ClientTls(ca, cert, cert_key), TLS_NAMES) if https else None
        return cls(core_url, key, tls)

    async def __aenter__(self) -> AdminClient:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=self._tls) if self._tls is not None else None,
            headers={"authorization": "Bearer " + self._key.get()},
            timeout=_TIMEOUT,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        """The JSON of core's 200 answer to ``method`` ``path`` (from ``/api/v1/…``)."""
        if self._session is None:
            raise RuntimeError("AdminClient.call outside 'async with'")
        try:
            async with self._session.request(
                method, self.core_url + path, params=params, json=body
            ) as response:
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise AdminClientError(self._unreachable(exc)) from exc
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise AdminClientError(f"core answered {status} with a body that is not JSON") from None
        if status != 200:
            raise _refusal(status, data)
        return data

    async def download(
        self,
        path: str,
        out: BinaryIO,
        *,
        params: Mapping[str, str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[int, int]:
        """Stream core's 200 answer to ``path`` into ``out``; (bytes, lines) written.
        ``progress(bytes, lines)`` is called as chunks arrive."""
        if self._session is None:
            raise RuntimeError("AdminClient.download outside 'async with'")
        written = lines = 0
        try:
            async with self._session.get(
                self.core_url + path,
                params=params,
                timeout=aiohttp.ClientTimeout(total=None, sock_read=60),
            ) as response:
                if response.status != 200:
                    raw = await response.read()
                    try:
                        data = orjson.loads(raw)
                    except orjson.JSONDecodeError:
                        data = None
                    raise _refusal(response.status, data)
                async for chunk in response.content.iter_chunked(64 * 1024):
                    out.write(chunk)
                    written += len(chunk)
                    lines += chunk.count(b"\n")
                    if progress is not None:
                        progress(written, lines)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise AdminClientError(
                f"lost core at {self.core_url} ({type(exc).__name__}) after {written} bytes"
            ) from exc
        return written, lines

    def _unreachable(self, exc: BaseException) -> str:
        hint = "set AEGIS_CORE_URL"
        if self.core_url.startswith("https://"):
            # A certificate that does not verify, or core refusing ours (mutual TLS), fails
            # the handshake or closes the connection right after it.
            hint += ", and AEGIS_CORE_TLS_CA / AEGIS_CORE_TLS_CERT / AEGIS_CORE_TLS_KEY"
        return f"cannot reach core at {self.core_url} ({type(exc).__name__}); {hint}"


def _refusal(status: int, data: Any) -> AdminClientError:
    message = None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        message = data["error"].get("message")
    return AdminClientError(f"core answered {status}: {message or 'no message'}")
