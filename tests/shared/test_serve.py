"""What ``shared.serve`` does to a process before it serves: its start-up is frozen out of the
garbage collector's walks (``freeze_start_up``); and how it writes answers (a response's head
goes out with its first body write)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from typing import Any

import pytest

from shared.serve import _HeadJoiningTransport
from tests.conftest import ServerThread

# Builds core's app as ``python -m core`` does (models, Presidio, spaCy), then times a full
# collection before and after ``freeze_start_up``.
_MEASURE = """
import gc, json, time
from core.app import create_app
from core.settings import CoreSettings
from shared.serve import freeze_start_up

app = create_app(CoreSettings.from_env({}))

def full_collection():
    started = time.thread_time()
    gc.collect()
    return time.thread_time() - started

before = min(full_collection() for _ in range(3))
freeze_start_up()
garbage = [[] for _ in range(1000)]  # what requests make: still collected
for item in garbage:
    item.append(item)
del garbage
after = min(full_collection() for _ in range(3))
print(json.dumps({"before": before, "after": after, "frozen": gc.get_freeze_count()}))
"""


@pytest.mark.timing
def test_core_start_up_is_out_of_the_collectors_walk() -> None:
    """A full collection in a started core walked its models' ~117,000 objects (~150 ms of
    CPU on the 2-core VM, inside some request); after ``freeze_start_up`` it costs what the
    requests made."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE], capture_output=True, text=True, timeout=120, check=True
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["frozen"] > 50_000, figures
    assert figures["before"] > 0.02, figures  # what the freeze is for
    assert figures["after"] < min(0.01, figures["before"] / 10), figures


# --- a response's head goes out with its first body write -----------------------------------


class _Socket(asyncio.Transport):
    """The operating system's side of a connection: what was sent, one entry per send."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.sent.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


async def test_a_head_is_sent_with_the_body_written_in_the_same_turn() -> None:
    """uvicorn writes a JSON answer's head and body separately; they leave in one send."""
    sock = _Socket()
    transport = _HeadJoiningTransport(sock)
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    transport.write(b"{}")
    assert sock.sent == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    transport.write(b"5\r\nhello\r\n")  # what follows goes out as it comes
    assert sock.sent[1:] == [b"5\r\nhello\r\n"]
    await asyncio.sleep(0)
    assert len(sock.sent) == 2


async def test_a_body_of_any_buffer_type_is_written() -> None:
    """uvicorn writes an app's body as the app gave it: a memoryview passes unchanged, and
    joins a held head."""
    sock = _Socket()
    transport = _HeadJoiningTransport(sock)
    transport.write(memoryview(b"raw"))
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.write(memoryview(b"{}"))
    assert sock.sent == [b"raw", b"HTTP/1.1 200 OK\r\n\r\n{}"]


async def test_a_head_with_nothing_after_it_is_sent_on_the_next_turn() -> None:
    """A stream waiting for its first event: its head does not wait for the event."""
    sock = _Socket()
    transport = _HeadJoiningTransport(sock)
    transport.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
    assert sock.sent == []
    await asyncio.sleep(0)
    assert sock.sent == [b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"]
    transport.write(b"6\r\ndata: \r\n")
    assert sock.sent[1:] == [b"6\r\ndata: \r\n"]


async def test_a_held_head_is_sent_before_the_connection_closes() -> None:
    sock = _Socket()
    transport = _HeadJoiningTransport(sock)
    transport.write(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
    transport.close()
    assert sock.sent == [b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"]
    assert sock.closed
    await asyncio.sleep(0)
    assert len(sock.sent) == 1  # not sent twice, nor after the close


async def _stream_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await asyncio.sleep(0.5)  # the model thinks before its first token
    await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
    await send({"type": "http.response.body", "body": b""})


def test_a_streams_head_reaches_the_client_before_its_first_event() -> None:
    """Through a real server with GatewayHttpProtocol: a client sees a stream's status and
    headers at once, not when the model's first token comes 0.5 s later."""
    server = ServerThread(_stream_app).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            started = time.monotonic()
            sock.sendall(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
            first = sock.recv(65536)
            waited = time.monotonic() - started
            assert first.startswith(b"HTTP/1.1 200 OK\r\n")
            assert first.endswith(b"\r\n\r\n")  # the head alone
            assert waited < 0.4
            rest = b""
            while not rest.endswith(b"0\r\n\r\n"):
                rest += sock.recv(65536)
            assert b"data: 1\n\n" in rest
    finally:
        server.stop()
