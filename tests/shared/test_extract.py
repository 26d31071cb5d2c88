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
                ScanText(4, "tool", "f", -1, ("messages", 4, "name")),
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
            "chat",
            {
                "messages": [
                    {
                        "role": "user",
                        "name": "alice",
                        "content": [
                            {"type": "input_text", "text": "in"},
                            {"type": "text", "text": 5},
                            {"type": [], "text": "unhashable type"},
                        ],
                    },
                    {
                        "role": "assistant",
                        "content": [{"type": "refusal", "refusal": "no"}],
                        "tool_calls": [
                            {"function": {"name": "f", "arguments": '{"a": 1}'}},
                            {"function": {"name": "g", "arguments": {"not": "a string"}}},
                            {"function": {"name": "h", "arguments": '{"b": 2}'}},
                        ],
                    },
                ]
            },
            [
                ScanText(0, "user", "in", 0),
                ScanText(0, "user", "alice", -1, ("messages", 0, "name")),
                ScanText(1, "assistant", "no", 0),
                ScanText(
                    1,
                    "assistant",
                    '{"a": 1}',
                    -2,
                    ("messages", 1, "tool_calls", 0, "function", "arguments"),
                ),
                ScanText(
                    1,
                    "assistant",
                    '{"b": 2}',
                    -4,
                    ("messages", 1, "tool_calls", 2, "function", "arguments"),
                ),
            ],
            id="chat-names-parts-and-tool-call-arguments",
        ),
        pytest.param(
            "chat",
            {
                "messages": [{"role": "user", "content": "hi"}],
                "tools": [
                    {
                        "type": "function",
                        "function": {
                            "name": "weather",
                            "description": "Current weather.",
                            "parameters": {
                                "type": "object",
                                "description": "Where.",
                                "properties": {
                                    "city": {"type": "string", "description": "A city."},
                                    "description": {"type": "string"},
                                    "days": {
                                        "type": "array",
                                        "items": {"type": "integer", "description": "A day."},
                                    },
                                },
                            },
                        },
                    },
                    {"type": "function", "function": {"name": "bare"}},
                    "not a tool",
                ],
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "answer", "description": "The answer's shape."},
                },
            },
            [
                ScanText(0, "user", "hi"),
                ScanText(
                    None, "system", "Current weather.", -1, ("tools", 0, "function", "description")
                ),
                ScanText(
                    None,
                    "system",
                    "Where.",
                    -2,
                    ("tools", 0, "function", "parameters", "description"),
                ),
                ScanText(
                    None,
                    "system",
                    "A city.",
                    -3,
                    ("tools", 0, "function", "parameters", "properties", "city", "description"),
                ),
                ScanText(
                    None,
                    "system",
                    "A day.",
                    -4,
                    (
                        "tools",
                        0,
                        "function",
                        "parameters",
                        "properties",
                        "days",
                        "items",
                        "description",
                    ),
                ),
                ScanText(
                    None,
                    "system",
                    "The answer's shape.",
                    -5,
                    ("response_format", "json_schema", "description"),
                ),
            ],
            id="chat-tool-and-response-format-descriptions",
        ),
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
    """Every caller-controlled text the model server renders is listed once, with its message
    index, role and (outside message content) its path."""
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


def test_replace_texts_writes_every_field_back() -> None:
    """Names, parts of every text type, tool-call arguments and descriptions are written
    back through their path or part, so masking reaches each field the scanners read."""
    body: dict[str, Any] = {
        "messages": [
            {"role": "user", "name": "n 1", "content": [{"type": "input_text", "text": "t 1"}]},
            {
                "role": "assistant",
                "content": [{"type": "refusal", "refusal": "r 1"}],
                "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "a 1"}}],
            },
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "f",
                    "description": "d 1",
                    "parameters": {"properties": {"x": {"description": "p 1"}}},
                },
            }
        ],
        "response_format": {"json_schema": {"name": "s", "description": "s 1"}},
    }
    texts = user_texts("chat", body)
    assert len(texts) == 7
    replace_texts("chat", body, {t: t.text.upper() for t in texts})
    assert body == {
        "messages": [
            {"role": "user", "name": "N 1", "content": [{"type": "input_text", "text": "T 1"}]},
            {
                "role": "assistant",
                "content": [{"type": "refusal", "refusal": "R 1"}],
                "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "A 1"}}],
            },
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "f",
                    "description": "D 1",
                    "parameters": {"properties": {"x": {"description": "P 1"}}},
                },
            }
        ],
        "response_format": {"json_schema": {"name": "s", "description": "S 1"}},
    }


def test_every_text_has_its_own_place() -> None:
    """No two texts of a request share (message_index, part): findings name only those, and
    masking must apply each finding to the one text it was found in."""
    body: dict[str, Any] = {
        "messages": [
            {
                "role": "assistant",
                "name": "n",
                "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
                "tool_calls": [{"function": {"arguments": "x"}}, {"function": {"arguments": "y"}}],
            }
        ],
        "tools": [{"function": {"description": "d", "parameters": {"description": "p"}}}],
        "response_format": {"json_schema": {"description": "r"}},
    }
    places = [(t.message_index, t.part) for t in user_texts("chat", body)]
    assert len(places) == 8
    assert len(set(places)) == len(places)


def test_deep_schema_is_walked_without_recursion() -> None:
    """A parameter schema nested far deeper than Python's recursion limit gives its
    descriptions, without raising (user_texts never raises)."""
    schema: dict[str, Any] = {"description": "bottom"}
    for _ in range(5000):
        schema = {"items": schema}
    body = {"messages": [], "tools": [{"function": {"parameters": schema}}]}
    assert [t.text for t in user_texts("chat", body)] == ["bottom"]
