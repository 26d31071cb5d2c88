"""TLS between the tiers: core serving HTTPS (mutual TLS optional), the edge verifying it.

Both processes name PEM files in their environment; :func:`read_files` checks that each one
named exists and that the pairs are whole (a certificate needs its key), and the contexts
are built once at start-up, so a file that is not a certificate, or a key that does not match
its certificate, stops start-up with one line naming the variables instead of failing the
first request:

- core: ``TLS_CERT`` / ``TLS_KEY`` make uvicorn serve HTTPS; ``TLS_CLIENT_CA`` also makes it
  require a client certificate issued by that CA (a client without one fails the handshake).
- edge: ``CORE_ENDPOINT=https://…`` is verified against the system's CAs, or ``CORE_TLS_CA``
  alone when set (a private CA); ``CORE_TLS_CERT`` / ``CORE_TLS_KEY`` are the edge's client
  certificate for mutual TLS. Verification is never turned off: a core whose certificate does
  not verify is a core that cannot be reached.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from shared.config import ConfigError, EnvReader

__all__ = ["ClientTls", "ServerTls", "client_context", "finish", "read_files", "server_context"]

# Forward-secret AEAD suites only, for TLS 1.2 (TLS 1.3's are fixed and all of this kind).
SERVER_CIPHERS: Final = "ECDHE+AESGCM:ECDHE+CHACHA20"


@dataclass(frozen=True, slots=True)
class ServerTls:
    """Core's certificate and key, and the CA its clients' certificates must come from."""

    cert: Path
    key: Path
    client_ca: Path | None = None


@dataclass(frozen=True, slots=True)
class ClientTls:
    """The CA the edge trusts for core (None: the system's) and its own certificate, if any."""

    ca: Path | None = None
    cert: Path | None = None
    key: Path | None = None


def read_files(
    env: EnvReader, names: tuple[str, str, str]
) -> tuple[tuple[Path | None, Path | None, Path | None], list[str]]:
    """The three files ``names`` (certificate, key, CA) name, and the problems found.

    A named file must exist and be readable; a certificate without its key, or a key without
    its certificate, is a problem of its own.

    >>> for problem in read_files(EnvReader({"C": "/nonexistent.pem"}), ("C", "K", "A"))[1]:
    ...     print(problem)
    Config 'C' has value '/nonexistent.pem'. No such file.
    Config 'C' is set but 'K' is not: a certificate needs its key.
    """
    problems: list[str] = []
    paths: list[Path | None] = []
    for name in names:
        found = env.raw(name)
        if found is None:
            paths.append(None)
            continue
        path = Path(found[1])
        if not path.is_file():
            problems.append(f"Config '{name}' has value '{found[1]}'. No such file.")
        else:
            try:
                with path.open("rb"):
                    pass
            except OSError as exc:
                problems.append(f"Config '{name}' has value '{found[1]}'. {exc.strerror}.")
        paths.append(path)
    cert, key, ca = paths
    if cert is not None and key is None:
        problems.append(
            f"Config '{names[0]}' is set but '{names[1]}' is not: a certificate needs its key."
        )
    if key is not None and cert is None:
        problems.append(
            f"Config '{names[1]}' is set but '{names[0]}' is not: a key needs its certificate."
        )
    return (cert, key, ca), problems


def finish(env: EnvReader, problems: list[str]) -> None:
    """:meth:`EnvReader.finish`, with ``problems`` found beside the reader added."""
    try:
        env.finish()
    except ConfigError as exc:
        raise ConfigError([*exc.problems, *problems]) from None
    if problems:
        raise ConfigError(problems)


def server_context(tls: ServerTls, names: tuple[str, str, str]) -> ssl.SSLContext:
    """Core's server context, as uvicorn builds it from the same files; ``ConfigError`` when
    a file does not load (``names``: the variables of certificate, key and client CA)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_ciphers(SERVER_CIPHERS)
    _load_chain(context, tls.cert, tls.key, names)
    if tls.client_ca is not None:
        _load_ca(context, tls.client_ca, names[2])
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def client_context(tls: ClientTls, names: tuple[str, str, str]) -> ssl.SSLContext:
    """The edge's context towards core: verified (host name included) against ``tls.ca`` or
    the system's CAs, presenting ``tls.cert`` when set; ``ConfigError`` when a file does not
    load."""
    context = ssl.create_default_context()
    if tls.ca is not None:
        # A private CA replaces the system's: a public certificate for core's name is no proof.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        _load_ca(context, tls.ca, names[2])
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if tls.cert is not None and tls.key is not None:
        _load_chain(context, tls.cert, tls.key, names)
    return context


def _load_chain(
    context: ssl.SSLContext, cert: Path, key: Path, names: tuple[str, str, str]
) -> None:
    try:
        context.load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as exc:
        raise ConfigError(
            [
                f"Config '{names[0]}' / '{names[1]}' ('{cert}', '{key}'): not a PEM certificate "
                f"and its matching unencrypted key ({_reason(exc)})."
            ]
        ) from exc


def _load_ca(context: ssl.SSLContext, ca: Path, name: str) -> None:
    try:
        context.load_verify_locations(cafile=ca)
    except (ssl.SSLError, OSError) as exc:
        raise ConfigError(
            [f"Config '{name}' has value '{ca}'. Not PEM CA certificates ({_reason(exc)})."]
        ) from exc


def _reason(exc: Exception) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason)
    return getattr(exc, "strerror", None) or type(exc).__name__
