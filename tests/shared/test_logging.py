"""Log redaction drops anything that could hold prompt text or a credential."""

from __future__ import annotations

from shared.logging import RedactSensitive


def test_sensitive_fields_are_redacted() -> None:
    """Prompt, message, content and credential fields never keep their values."""
    event = {
        "event": "x",
        "prompt": "tell me",
        "messages": [{"content": "hi"}],
        "Authorization": "Bearer sk-aegis-123",
        "api_key": "sk",
        "request_id": "req_1",
        "latency_ms": 1.5,
    }
    out = RedactSensitive()(None, "info", event)
    assert out == {
        "event": "x",
        "prompt": "[redacted]",
        "messages": "[redacted]",
        "Authorization": "[redacted]",
        "api_key": "[redacted]",
        "request_id": "req_1",
        "latency_ms": 1.5,
    }
