"""Which texts of an OpenAI request body are scanned, and where each came from."""

from __future__ import annotations

from typing import Any

import pytest

from shared.extract import ScanText, user_texts


@pytest.mark.parametrize(
    ("kind", "body", "expected"),
    [
        pytest.param(
            "chat",
            {"messages": [{"role": "user", "content": "hi"}]},
            [ScanText(0, "user", "hi")],
            id="chat-string",
        ),
        pytest.param(
            "chat",
            {
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "Question?"},
                    {"role": "assistant", "content": "Answer."},
                    {"role": "tool", "content": '{"temp": 21}', "tool_call_id": "t1"},
                    {"role": "function", "name": "f", "content": "result"},
                    {"role": "developer", "content": "Use metric units."},
                ]
            },
            [
                ScanText(0, "system", "Be brief."),
                ScanText(1, "user", "Question?"),
                ScanText(2, "assistant", "Answer."),
                ScanText(3, "tool", '{"temp": 21}'),
                ScanText(4, "tool", "result"),
                ScanText(5, "system", "Use metric units."),
            ],
            id="chat-every-role",
        ),
        pytest.param(
            "chat",
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": "first"},
                            {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
                            {"type": "text", "text": "second"},
                        ],
                    }
                ]
            },
            [ScanText(0, "user", "first"), ScanText(0, "user", "second")],
            id="chat-content-parts",
        ),
        pytest.param(
            "chat",
            {
                "messages": [
                    {"role": "assistant", "content": None, "tool_calls": [{"id": "c"}]},
                    {"role": "user", "content": ""},
                    {"role": "user", "content": [{"type": "text", "text": ""}]},
                    {"role": "user", "content": "last"},
                ]
            },
            [ScanText(3, "user", "last")],
            id="chat-empty-and-null-skipped",
        ),
        pytest.param(
            "chat",
            {"messages": [5, {"role": "user", "content": 7}, {"content": "no role"}]},
            [ScanText(2, "user", "no role")],
            id="chat-malformed-tolerated",
        ),
        pytest.param("chat", {"messages": "nope"}, [], id="chat-messages-not-list"),
        pytest.param(
            "completion", {"prompt": "Say hi"}, [ScanText(None, "prompt", "Say hi")], id="prompt"
        ),
        pytest.param(
            "completion",
            {"prompt": ["one", "two"]},
            [ScanText(None, "prompt", "one"), ScanText(None, "prompt", "two")],
            id="prompt-list",
        ),
        pytest.param("completion", {"prompt": [1, 2, 3]}, [], id="prompt-token-ids"),
        pytest.param("completion", {"prompt": [[1, 2], [3]]}, [], id="prompt-token-lists"),
        pytest.param("embedding", {"input": "text"}, [ScanText(None, "input", "text")], id="input"),
        pytest.param(
            "embedding",
            {"input": ["a", "b"]},
            [ScanText(None, "input", "a"), ScanText(None, "input", "b")],
            id="input-list",
        ),
        pytest.param("embedding", {"input": [101, 102]}, [], id="input-token-ids"),
        pytest.param("unknown", {"prompt": "x"}, [], id="unknown-kind"),
    ],
)
def test_user_texts(kind: str, body: dict[str, Any], expected: list[ScanText]) -> None:
    """Every caller-controlled text is listed once, with its message index and role."""
    assert user_texts(kind, body) == expected
