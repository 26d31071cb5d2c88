"""Which texts of an OpenAI request body are scanned, and where each came from."""

from __future__ import annotations

from typing import Any

import pytest

from shared.extract import ScanText, replace_texts, user_texts


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
            [ScanText(0, "user", "first", 0), ScanText(0, "user", "second", 2)],
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
            [ScanText(None, "prompt", "one", 0), ScanText(None, "prompt", "two", 1)],
            id="prompt-list",
        ),
        pytest.param("completion", {"prompt": [1, 2, 3]}, [], id="prompt-token-ids"),
        pytest.param("completion", {"prompt": [[1, 2], [3]]}, [], id="prompt-token-lists"),
        pytest.param("embedding", {"input": "text"}, [ScanText(None, "input", "text")], id="input"),
        pytest.param(
            "embedding",
            {"input": ["a", "b"]},
            [ScanText(None, "input", "a", 0), ScanText(None, "input", "b", 1)],
            id="input-list",
        ),
        pytest.param("embedding", {"input": [101, 102]}, [], id="input-token-ids"),
        pytest.param("unknown", {"prompt": "x"}, [], id="unknown-kind"),
    ],
)
def test_user_texts(kind: str, body: dict[str, Any], expected: list[ScanText]) -> None:
    """Every caller-controlled text is listed once, with its message index and role."""
    assert user_texts(kind, body) == expected


@pytest.mark.parametrize(
    ("kind", "body", "expected"),
    [
        pytest.param(
            "chat",
            {
                "messages": [
                    {"role": "system", "content": "sys 1"},
                    {"role": "user",
                     "content": [{"type": "image_url"}, {"type": "text", "text": "u 2"}]},
                ]
            },
            {
                "messages": [
                    {"role": "system", "content": "SYS 1"},
                    {"role": "user",
                     "content": [{"type": "image_url"}, {"type": "text", "text": "U 2"}]},
                ]
            },
            id="chat",
        ),
        pytest.param("completion", {"prompt": ["a 1", "b 2"]}, {"prompt": ["A 1", "B 2"]},
                     id="prompts"),
        pytest.param("embedding", {"input": "x 1"}, {"input": "X 1"}, id="input"),
    ],
)  # fmt: skip
def test_replace_texts_writes_back_where_found(
    kind: str, body: dict[str, Any], expected: dict[str, Any]
) -> None:
    """Masked texts go back to exactly the places they were read from; nothing else moves."""
    replace_texts(kind, body, {t: t.text.upper() for t in user_texts(kind, body)})
    assert body == expected
