"""The output chain cuts a stream into events with its own fast scan
(``core.lifecycle.output._event_ends``): it must cut exactly where the SSE regex does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.lifecycle.output import _EVENT_END, _event_ends

PIECES = st.lists(st.sampled_from([b"\n", b"\r", b"\r\n", b"data: x", b"a", b"\n\n"]), max_size=40)


@given(PIECES)
def test_event_ends_match_the_regex_on_any_mix_of_line_breaks(pieces: list[bytes]) -> None:
    data = b"".join(pieces)
    expected = [(found.start(), found.end()) for found in _EVENT_END.finditer(data)]
    assert list(_event_ends(data)) == expected


def test_a_plain_lf_stream_is_cut_at_each_blank_line() -> None:
    data = b"data: 1\n\ndata: 2\n\n\n\ndata: 3"
    assert list(_event_ends(data)) == [(7, 9), (16, 18), (18, 20)]
