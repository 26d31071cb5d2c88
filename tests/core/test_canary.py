"""The canary: one per key and UTC day, added at the end of the system message sent upstream."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.scanning.output.canary import (
    CANARY_LENGTH,
    CANARY_PREFIX,
    CanaryMaker,
    add_canary,
    system_prompt,
)
from shared.extract import user_texts

SECRET = b"test-canary-secret-0123456789"
MORNING = datetime(2025, 3, 1, 0, 0, 1, tzinfo=UTC)
EVENING = datetime(2025, 3, 1, 23, 59, 59, tzinfo=UTC)


@pytest.fixture
def maker() -> CanaryMaker:
    return CanaryMaker(SECRET)


def test_stable_within_a_utc_day_and_key(maker: CanaryMaker) -> None:
    """Every request of a key on one UTC day gets the same canary, whatever the time zone."""
    seoul = timezone(timedelta(hours=9))
    tokens = {
        maker.token("key_1", MORNING),
        maker.token("key_1", EVENING),
        maker.token("key_1", datetime(2025, 3, 2, 8, 0, tzinfo=seoul)),  # 23:00 UTC on 1 March
    }
    assert len(tokens) == 1
    token = tokens.pop()
    assert token.startswith(CANARY_PREFIX)
    assert len(token) == CANARY_LENGTH
    assert token[len(CANARY_PREFIX) :].isalnum()


def test_differs_across_keys_days_and_secrets(maker: CanaryMaker) -> None:
    """Another key, another day or another server secret gives another canary."""
    base = maker.token("key_1", MORNING)
    others = [
        maker.token("key_2", MORNING),
        maker.token("key_1", MORNING + timedelta(days=1)),
        maker.token("key_1", MORNING - timedelta(seconds=2)),  # 28 February
        CanaryMaker(b"another-secret-0123456789").token("key_1", MORNING),
    ]
    assert base not in others
    assert len(set(others)) == len(others)
    many = {maker.token(f"key_{i}", MORNING) for i in range(2000)}
    assert len(many) == 2000


def test_random_secret_when_none_is_set() -> None:
    """Without CANARY_SECRET each maker draws its own secret; the repr never shows it."""
    first, second = CanaryMaker(), CanaryMaker()
    assert first.token("key_1", MORNING) != second.token("key_1", MORNING)
    assert first.token("key_1", MORNING) == first.token("key_1", EVENING)
    assert SECRET.decode() not in repr(CanaryMaker(SECRET))


def test_never_in_the_clients_request(maker: CanaryMaker) -> None:
    """The canary is none of the client's texts, nor part of one, nor of the request's JSON."""
    body = {
        "model": "m",
        "messages": [
            {"role": "system", "content": "You are a helpful assistant. aegis- is our prefix."},
            {"role": "user", "content": "key_1 2025-03-01 " + CANARY_PREFIX * 5},
        ],
    }
    raw = json.dumps(body)
    for key in ("key_1", "key_2", "aegis"):
        token = maker.token(key, MORNING)
        assert token not in raw
        assert all(token not in text.text for text in user_texts("chat", body))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("Be brief.", "Be brief.\n\nCANARY", id="string"),
        pytest.param(
            [{"type": "text", "text": "Be "}, {"type": "text", "text": "brief."}],
            [{"type": "text", "text": "Be "}, {"type": "text", "text": "brief.\n\nCANARY"}],
            id="text-parts",
        ),
        pytest.param(
            [
                {"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}},
                {"type": "image_url", "image_url": {"url": "data:,"}},
            ],
            [
                {"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}},
                {"type": "image_url", "image_url": {"url": "data:,"}},
                {"type": "text", "text": "\n\nCANARY"},
            ],
            id="last-part-not-text",
        ),
    ],
)
def test_added_at_the_end_of_the_system_message(content: object, expected: object) -> None:
    """The canary ends the leading system message; every other part of the request is as
    the client sent it, and the client's own objects are not changed."""
    messages = [
        {"role": "system", "content": content, "name": "ops"},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello", "tool_calls": []},
        {"role": "system", "content": "Later instructions."},
    ]
    before = copy.deepcopy(messages)
    sent = add_canary(messages, "CANARY")
    assert messages == before
    assert sent is not None
    assert sent[0] == {"role": "system", "content": expected, "name": "ops"}
    assert sent[1:] == before[1:]


@pytest.mark.parametrize("role", ["system", "developer"])
def test_developer_is_a_system_message(role: str) -> None:
    """OpenAI's ``developer`` role gets the canary as ``system`` does."""
    sent = add_canary([{"role": role, "content": "Rules."}], "CANARY")
    assert sent == [{"role": role, "content": "Rules.\n\nCANARY"}]


@pytest.mark.parametrize(
    "messages",
    [
        pytest.param([], id="no-messages"),
        pytest.param([{"role": "user", "content": "Hi"}], id="no-system"),
        pytest.param(
            [{"role": "user", "content": "Hi"}, {"role": "system", "content": "Late."}],
            id="system-not-first",
        ),
        pytest.param([{"role": "system", "content": "  \n"}, {"role": "user"}], id="blank"),
        pytest.param([{"role": "system", "content": None}], id="null"),
        pytest.param(
            [{"role": "system", "content": [{"type": "image_url", "image_url": {}}]}],
            id="no-text-part",
        ),
        pytest.param(["not a message"], id="malformed"),
    ],
)
def test_nothing_added_without_a_leading_system_prompt(messages: list[object]) -> None:
    """Without a leading system prompt nothing is added: no system message is made up."""
    assert add_canary(messages, "CANARY") is None


def test_system_prompt_joins_system_and_developer_texts() -> None:
    """The protected text is every system and developer message's text, not the users'."""
    messages = [
        {"role": "system", "content": "First."},
        {"role": "user", "content": "Hi"},
        {"role": "developer", "content": [{"type": "text", "text": "Second."}]},
        {"role": "system", "content": None},
    ]
    assert system_prompt(messages) == "First.\n\nSecond."
    assert system_prompt([{"role": "user", "content": "Hi"}]) == ""


def test_settings() -> None:
    """Canaries are on by default; CANARY_SECRET is a secret of 16 bytes or more, never shown,
    and LEAKAGE_MIN_RUN at least 16."""
    from core.settings import CoreSettings
    from shared.config import ConfigError

    default = CoreSettings.from_env({})
    assert (default.canary_enabled, default.canary_secret.get(), default.leakage_min_run) == (
        True,
        "",
        60,
    )
    settings = CoreSettings.from_env(
        {"CANARY_ENABLED": "false", "CANARY_SECRET": "s" * 16, "LEAKAGE_MIN_RUN": "80"}
    )
    assert (settings.canary_enabled, settings.canary_secret.get()) == (False, "s" * 16)
    assert settings.leakage_min_run == 80
    assert "s" * 16 not in repr(settings)
    with pytest.raises(ConfigError) as error:
        CoreSettings.from_env({"CANARY_SECRET": "tooshort-secret", "LEAKAGE_MIN_RUN": "15"})
    assert "CANARY_SECRET" in str(error.value)
    assert "tooshort-secret" not in str(error.value)
    assert "LEAKAGE_MIN_RUN" in str(error.value)
