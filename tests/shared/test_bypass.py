"""Bypass events as values: the storable form the edge writes, the digest, and decoding."""

from __future__ import annotations

from dataclasses import replace

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.bypass import (
    KIND_BYPASS,
    KIND_EDGE_DECISION,
    MAX_FINDING_CHARS,
    MAX_FINDINGS,
    MAX_TEXT_CHARS,
    BypassEvent,
    BypassEventError,
    new_event_id,
    prompt_digest,
)
from shared.hashing import sha256_hex

_INT_MAX = 2**31 - 1
_CONTROLS = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))}


def _event(**changes: object) -> BypassEvent:
    fields: dict[str, object] = {
        "request_id": "req-1",
        "occurred_at": 1_700_000_000.0,
        "edge_instance": "edge-1:8080",
        "route": "/v1/chat/completions",
        "reason": "core_unreachable",
        "status": 200,
    }
    fields.update(changes)
    return BypassEvent(**fields)  # type: ignore[arg-type]


def _nested(levels: int) -> bytes:
    return b"[" * levels + b'"deep"' + b"]" * levels


def test_a_client_chosen_model_with_nul_is_written_without_it() -> None:
    """The edge writes the model without control characters (NUL included), so core can store it."""
    written = BypassEvent.decode(_event(model="aegis-dev-echo\x00x\r\n\x1f\x85").encode())
    assert written.model == "aegis-dev-echox"


def test_texts_findings_and_numbers_are_bounded() -> None:
    """Long texts are cut, findings capped, numbers clamped to PostgreSQL's integer."""
    written = BypassEvent.decode(
        _event(
            model="m" * 100_000,
            user="u" * 1000,
            edge_findings=tuple("f" * 500 for _ in range(1000)),
            status=10**12,
            prompt_tokens=-5,
            completion_tokens=2**40,
        ).encode()
    )
    assert written.model == "m" * MAX_TEXT_CHARS
    assert written.user == "u" * MAX_TEXT_CHARS
    assert written.edge_findings == ("f" * MAX_FINDING_CHARS,) * MAX_FINDINGS
    assert (written.status, written.prompt_tokens, written.completion_tokens) == (999, 0, _INT_MAX)


# Every code point, lone surrogates and controls included.
_TEXT = st.text(st.characters(exclude_categories=()), max_size=600)


@given(
    request_id=_TEXT,
    edge_instance=_TEXT,
    model=st.none() | _TEXT,
    user=st.none() | _TEXT,
    findings=st.lists(_TEXT, max_size=100),
    status=st.integers(),
    tokens=st.integers(),
    occurred_at=st.floats(),
)
def test_whatever_the_fields_the_written_event_decodes_and_is_storable(
    request_id: str,
    edge_instance: str,
    model: str | None,
    user: str | None,
    findings: list[str],
    status: int,
    tokens: int,
    occurred_at: float,
) -> None:
    """Any event the edge builds encodes to one core decodes, with only storable values."""
    written = BypassEvent.decode(
        _event(
            request_id=request_id,
            edge_instance=edge_instance,
            model=model,
            user=user,
            edge_findings=tuple(findings),
            status=status,
            prompt_tokens=tokens,
            occurred_at=occurred_at,
        ).encode()
    )
    for text in (
        written.request_id,
        written.edge_instance,
        written.model or "",
        written.user or "",
    ):
        assert len(text) <= MAX_TEXT_CHARS
        assert not _CONTROLS & set(text)
        text.encode("utf-8")  # no lone surrogate
    assert written.request_id and written.edge_instance
    assert all(item and len(item) <= MAX_FINDING_CHARS for item in written.edge_findings)
    assert 0 <= written.status <= 999
    assert 0 <= written.prompt_tokens <= _INT_MAX


def test_each_event_gets_its_own_id_and_keeps_it_when_changed() -> None:
    """Event ids are made per event; filling in the status later keeps the id."""
    first, second = _event(), _event()
    assert first.event_id != second.event_id
    assert first.event_id.startswith("evt_")
    assert replace(first, status=502).event_id == first.event_id
    assert BypassEvent.decode(first.encode()).event_id == first.event_id
    assert new_event_id() != new_event_id()


def test_an_event_from_an_older_edge_is_keyed_on_its_request_id() -> None:
    """Without an event id (an edge from before them), the key is ``request:{request_id}``."""
    data = orjson.loads(_event().encode())
    del data["event_id"]
    assert BypassEvent.decode(orjson.dumps(data)).event_id == "request:req-1"


def test_an_event_without_a_kind_is_a_bypass_and_an_edge_decision_keeps_its_kind() -> None:
    """Events from edges older than kinds decode as bypasses; an edge decision's kind, role
    and user agent survive the round trip."""
    data = orjson.loads(_event().encode())
    del data["kind"], data["role"], data["user_agent"]
    old = BypassEvent.decode(orjson.dumps(data))
    assert (old.kind, old.is_bypass, old.role, old.user_agent) == (KIND_BYPASS, True, None, None)
    decision = BypassEvent.decode(
        _event(
            kind=KIND_EDGE_DECISION, reason="prefilter_block", role="auditor", user_agent="c\x00/1"
        ).encode()
    )
    assert (decision.kind, decision.is_bypass) == (KIND_EDGE_DECISION, False)
    assert (decision.role, decision.user_agent) == ("auditor", "c/1")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(b"[]", id="not-an-object"),
        pytest.param(orjson.dumps({"request_id": "r"}), id="fields-missing"),
        pytest.param(
            _event().encode().replace(b'"status":200', b'"status":"secret text"'), id="status-text"
        ),
        pytest.param(_event().encode().replace(b"1700000000.0", b"1e300"), id="time-out-of-range"),
        pytest.param(
            _event().encode().replace(b'"edge_findings":[]', b'"edge_findings":7'),
            id="findings-number",
        ),
        pytest.param(_event().encode().replace(b'"model":null', b'"model":["x"]'), id="model-list"),
        pytest.param(
            _event().encode().replace(b'"kind":"bypass"', b'"kind":"secret"'), id="unknown-kind"
        ),
        pytest.param(
            _event().encode().replace(b'"kind":"bypass"', b'"kind":["bypass"]'), id="kind-list"
        ),
    ],
)
def test_malformed_entries_are_refused_without_their_content_in_the_error(raw: bytes) -> None:
    """Anything that is not a bypass event raises BypassEventError, whose message holds no value."""
    with pytest.raises(BypassEventError) as caught:
        BypassEvent.decode(raw)
    assert "secret" not in str(caught.value)


def test_prompt_digest_hashes_the_prompt_field_as_sorted_json() -> None:
    """The digest is of the prompt field alone, keys sorted: staff can recompute it."""
    messages = [{"role": "user", "content": "hi"}]
    expected = sha256_hex(orjson.dumps(messages, option=orjson.OPT_SORT_KEYS))
    assert prompt_digest({"model": "m", "messages": messages}) == expected
    assert prompt_digest({"model": "m"}) is None
    assert prompt_digest(None) is None


def test_prompt_digest_of_a_field_too_deep_to_write_is_the_raw_bodys() -> None:
    """A prompt orjson reads but cannot write again (over 254 levels) never raises: the raw
    bytes are hashed, so the request still gets its event."""
    raw = b'{"model": "m", "messages": ' + _nested(300) + b"}"
    body = orjson.loads(raw)
    assert prompt_digest(body, raw) == sha256_hex(raw)
