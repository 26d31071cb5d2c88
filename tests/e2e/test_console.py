"""The console in a real browser: headless Chromium (Debian's ``chromium``) driven by
Playwright against a real edge → core → development upstream on real Redis and PostgreSQL.

An admin logs in with the keyboard, sees the overview, approves an ai-developer's held
``execute_python`` call, finds its audit row, reviews a bypass event (made by stopping core
behind an edge that fails open); an auditor's policy write is refused on the page. Each page
is screenshotted under ``.run/test-artifacts/console/`` (``AEGIS_TEST_ARTIFACTS`` to move it);
every form control has a label, everything is reached with the keyboard.

Without Chromium or Playwright this module is skipped, naming what is missing; with
``CI=true`` that is a failure instead: CI must run it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import openai
import orjson
import pytest

from core.tools.catalogue import ToolOverride
from core.tools.store import ToolStore
from devupstream.app import FIXTURE_MODEL
from tests.conftest import Stack, run_sync

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_MISSING = (
    "Debian's chromium is not installed (apt-get install chromium; devstack/bootstrap.sh does)"
    if CHROMIUM is None
    else None
)
try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    _MISSING = "the playwright package is not installed (pip install -e '.[dev]')"

if _MISSING is not None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI runs the browser tests: {_MISSING}", pytrace=False)
    pytest.skip(_MISSING, allow_module_level=True)

ARTIFACTS = (
    Path(
        os.environ.get("AEGIS_TEST_ARTIFACTS")
        or Path(__file__).resolve().parents[2] / ".run" / "test-artifacts"
    )
    / "console"
)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield launched
        finally:
            launched.close()


def _sql(stack: Stack, query: str, *args: Any) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        connection = await asyncpg.connect(stack.database_url)
        try:
            return [dict(row) for row in await connection.fetch(query, *args)]
        finally:
            await connection.close()

    rows: list[dict[str, Any]] = run_sync(run)
    return rows


def _hold_execute_python(stack: Stack) -> None:
    """execute_python stays CRITICAL in the tests workspace, its code check dropped (the
    fixture's code would be refused by it): only a person's approval lets it through."""

    async def setup() -> None:
        connection = await asyncpg.connect(stack.database_url)
        try:
            await connection.execute("DELETE FROM tool_overrides")
            await connection.execute("DELETE FROM approval_requests")
            await ToolStore(connection).put(
                "tests", "execute_python", ToolOverride.parse({"commands": []}), "tests"
            )
        finally:
            await connection.close()

    run_sync(setup)


def _agent_call(stack: Stack, key: str) -> tuple[threading.Thread, dict[str, Any]]:
    """The agent's call in a thread (it waits for the approval); its answer lands in the dict."""
    answer: dict[str, Any] = {}

    def ask() -> None:
        client = openai.OpenAI(base_url=stack.base_url, api_key=key, max_retries=0, timeout=60)
        try:
            completion = client.chat.completions.create(
                model=FIXTURE_MODEL,
                messages=[{"role": "user", "content": "fixture:tool_execute_python"}],
            )
            calls = completion.choices[0].message.tool_calls or []
            answer["names"] = [call.function.name for call in calls]  # type: ignore[union-attr]
            answer["text"] = completion.choices[0].message.content or ""
        except Exception as exc:
            answer["error"] = exc

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    return thread, answer


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert (ARTIFACTS / f"{name}.png").stat().st_size > 1000


def _unlabelled(page: Page) -> list[str]:
    """Visible form controls with no label (a <label for>, a wrapping label, aria-label)."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
            .filter((el) => el.offsetParent !== null)
            .filter((el) => el.tagName === 'BUTTON'
                ? !(el.textContent.trim() || el.getAttribute('aria-label'))
                : !(el.labels.length || el.getAttribute('aria-label')))
            .map((el) => el.outerHTML.slice(0, 80))"""
    )
    return found


def _tab_to(page: Page, selector: str, limit: int = 200) -> None:
    """Press Tab until ``selector`` has the focus: it is reachable with the keyboard."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reached with Tab")


def _login(page: Page, url: str, key: str) -> None:
    page.goto(url + "/console/")
    expect(page.locator("#page-login")).to_be_visible()
    assert _unlabelled(page) == []
    _tab_to(page, "#login-key")
    page.keyboard.type(key)
    page.keyboard.press("Enter")
    expect(page.locator("#nav")).to_be_visible()


def _open(page: Page, name: str) -> None:
    """Follow a navigation link with the keyboard, from the top of the page (its skip link):
    a page of many rows (every key of a shared database) is not tabbed through."""
    page.locator("a.skip").focus()
    _tab_to(page, f'nav a[data-page="{name}"]')
    page.keyboard.press("Enter")
    expect(page.locator(f"#page-{name}")).to_be_visible()
    expect(page.locator(f'nav a[data-page="{name}"]')).to_have_attribute("aria-current", "page")


def test_security_staff_work_the_console_in_a_browser(stack: Stack, browser: Browser) -> None:
    """Log in, overview, approve a held tool call, find its audit row, review a bypass
    event, switch to Korean; an auditor is refused a policy write."""
    stack.restart_edge(fail_open_enabled=True)
    _hold_execute_python(stack)
    admin = stack.create_key("admin", user="boss")
    developer = stack.create_key("ai-developer", user="carol")
    url = stack.core.url
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    refused: list[tuple[int, str]] = []
    page.on(
        "response",
        lambda r: refused.append((r.status, urlsplit(r.url).path)) if r.status >= 400 else None,
    )

    _login(page, url, admin.key)
    expect(page.locator("#who")).to_contain_text("boss · admin · tests")
    # The key is in no storage the page's script can read, nor in a readable cookie.
    stored = page.evaluate("() => JSON.stringify(localStorage) + document.cookie")
    assert admin.key not in stored
    assert "aegis_console" not in stored
    expect(page.locator("#overview-body .card").first).to_be_visible()
    expect(page.locator("#overview-body svg[role=img]")).to_have_count(1)
    # The edge's own report of its breaker on core (through Redis), not a guess.
    expect(page.locator("#edges")).to_contain_text("core_0: closed")
    expect(page.locator("#overview-body .card.ok").first).to_be_visible()
    _shot(page, "overview")

    # Approvals: the page is open before the call is held; the call appears by itself
    # (polling), and is approved with the keyboard.
    _open(page, "approvals")
    expect(page.locator("#approvals-body")).to_contain_text("No tool call is waiting.")
    thread, answer = _agent_call(stack, developer.key)
    approve = page.get_by_role("button", name="Approve execute_python")
    expect(approve).to_be_visible(timeout=15_000)
    expect(page.locator("#approvals-body")).to_contain_text("CRITICAL")
    assert _unlabelled(page) == []
    _shot(page, "approvals")
    request_id = page.locator("#approvals-body tbody td").nth(4).inner_text()
    approve.focus()
    page.keyboard.press("Enter")
    thread.join(30)
    assert not thread.is_alive(), "the agent's answer never came"
    assert answer.get("names") == ["execute_python"], answer
    expect(page.locator("#approvals-body")).to_contain_text("No tool call is waiting.")
    assert _sql(stack, "SELECT responded_by FROM approval_requests") == [{"responded_by": "boss"}]

    # A second call, rejected on the page with a reason typed there: the agent reads it.
    thread, answer = _agent_call(stack, developer.key)
    reject = page.get_by_role("button", name="Reject execute_python")
    expect(reject).to_be_visible(timeout=15_000)
    page.get_by_label("Reason").fill("no shell access during the audit")
    reject.focus()
    page.keyboard.press("Enter")
    thread.join(30)
    assert not thread.is_alive(), "the agent's answer never came"
    assert answer.get("names") == [], answer
    assert "rejected it: no shell access during the audit" in answer["text"]
    expect(page.locator("#approvals-body")).to_contain_text("No tool call is waiting.")
    assert _sql(
        stack,
        "SELECT status, reason, responded_by FROM approval_requests WHERE status = 'rejected'",
    ) == [
        {"status": "rejected", "reason": "no shell access during the audit", "responded_by": "boss"}
    ]

    # Audit: the call's row, found by its request id.
    _open(page, "audit")
    page.get_by_label("Request id").fill(request_id)
    deadline = time.monotonic() + 15
    while True:
        page.get_by_role("button", name="Search").click()
        page.wait_for_timeout(300)
        if page.locator("#audit-body tbody tr").count():
            break
        assert time.monotonic() < deadline, "no audit row for the approved call"
    row = page.locator("#audit-body tbody tr").first
    expect(row).to_contain_text(request_id)
    expect(row).to_contain_text("carol")
    assert _unlabelled(page) == []
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    exported = Path(download.value.path()).read_text()
    assert request_id in exported
    assert exported.splitlines()[0].startswith("log_id,")
    _shot(page, "audit")

    # A bypass event: core stopped behind an edge that fails open; the session lives in
    # Redis, so the restarted core still knows it.
    stack.stop_core()
    bypassed = httpx.post(
        stack.base_url + "/chat/completions",
        json={"model": FIXTURE_MODEL, "messages": [{"role": "user", "content": "hello"}]},
        headers={"authorization": f"Bearer {developer.key}"},
        timeout=30,
    )
    assert bypassed.headers.get("x-aegis-bypassed") == "true"
    stack.start_core()
    [event] = stack.wait_bypass_rows(1)
    _open(page, "bypass")
    page.get_by_role("button", name="Search").click()
    note = page.get_by_label("Review note")
    expect(note).to_be_visible()
    assert _unlabelled(page) == []
    _shot(page, "bypass")
    note.fill("core restart during the console test")
    note.press("Enter")
    expect(page.locator("#bypass-body")).to_contain_text("No bypass events.")
    [reviewed] = stack.bypass_rows()
    assert reviewed["id"] == event["id"]
    assert reviewed["reviewed_by"] == "boss"
    assert reviewed["review_note"] == "core restart during the console test"

    # Keys and policies render for the admin; Korean on the switch.
    _open(page, "keys")
    expect(page.locator("#keys-body")).to_contain_text("carol")
    assert _unlabelled(page) == []
    _shot(page, "keys")
    # A key made on the page is shown once, then listed without it; revoked on the page.
    # PostgreSQL lives for the session: a name no other test gives.
    user = "dave-" + secrets.token_hex(4)
    page.locator("#key-user").fill(user)
    page.locator("#key-workspace").fill("tests")
    page.get_by_role("button", name="Create").click()
    created = page.locator("#created-key")
    expect(created).to_be_focused()
    new_key = created.inner_text()
    [made] = _sql(
        stack,
        "SELECT id FROM api_keys WHERE user_id = (SELECT id FROM users WHERE name = $1)",
        user,
    )
    expect(page.locator("#keys-body")).to_contain_text(made["id"])
    assert new_key not in page.locator("#keys-body").inner_text()
    stack.wait_for_key(new_key, accepted=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Revoke key {made['id']}").click()
    stack.wait_for_key(new_key, accepted=False)
    # Keys come a page (100) at a time, newest first: 120 older ones need "More", once.
    older = "bulk-" + secrets.token_hex(4)
    _sql(stack, "INSERT INTO users (name) VALUES ($1)", older)
    _sql(
        stack,
        """
        INSERT INTO api_keys (id, key_hash, prefix, user_id, workspace, role, created_at)
        SELECT 'key_' || md5($1 || g), md5($1 || g || 'hash'), 'sk-aegis-old',
               (SELECT id FROM users WHERE name = $1), 'tests', 'developer',
               now() - interval '1 day' - g * interval '1 second'
        FROM generate_series(1, 120) AS g
        """,
        older,
    )
    _open(page, "overview")
    _open(page, "keys")
    rows = page.locator("#keys-body table").first.locator("tbody tr")
    expect(rows.first).to_contain_text(made["id"])  # the newest key leads
    expect(rows).to_have_count(100)
    # The admin is workspace "tests"'s: its keys, each once, the bulk's oldest last.
    total = _sql(stack, "SELECT count(*) AS n FROM api_keys WHERE workspace = 'tests'")[0]["n"]
    for shown in range(200, total + 100, 100):
        page.get_by_role("button", name="More").click()
        expect(rows).to_have_count(min(shown, total))
    expect(page.get_by_role("button", name="More")).to_have_count(0)
    ids = rows.locator("td:first-child").all_inner_texts()
    [oldest] = _sql(
        stack,
        "SELECT k.id FROM api_keys k JOIN users u ON u.id = k.user_id"
        " WHERE u.name = $1 ORDER BY k.created_at LIMIT 1",
        older,
    )
    assert len(set(ids)) == total and ids[-1] == oldest["id"]
    _open(page, "policies")
    expect(page.locator("#effective-body")).to_contain_text("thresholds")
    page.get_by_label("Thresholds (JSON)").fill('{"no_such_scanner": 2}')
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#policy-error")).not_to_be_empty()
    expect(page.get_by_label("Thresholds (JSON)")).to_have_attribute("aria-invalid", "true")
    _shot(page, "policies")
    page.get_by_label("Language").select_option("ko")
    expect(page.locator('nav a[data-page="overview"]')).to_have_text("개요")
    assert page.evaluate("document.documentElement.lang") == "ko"
    _shot(page, "policies-ko")
    # No script error; refused only: the session asked for before login, the bad policy.
    assert errors == []
    assert refused == [(401, "/console/session"), (400, "/console/api/v1/admin/policies/global")]
    context.close()

    # An auditor reads policies, and the page says no to its write.
    auditor = stack.create_key("auditor", user="eve")
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    _login(page, stack.core.url, auditor.key)
    expect(page.locator('nav a[data-page="keys"]')).to_be_hidden()
    expect(page.locator('nav a[data-page="approvals"]')).to_be_hidden()
    _open(page, "policies")
    # The save button is hidden for a role without policy:write; a request made anyway (as
    # a tampered page would) is refused by core, and the page shows why.
    expect(page.locator("#policy-form button[type=submit]")).to_be_hidden()
    page.evaluate("() => document.querySelector('#policy-form').requestSubmit()")
    expect(page.locator("#policy-error")).to_contain_text("policy:write")
    assert _sql(stack, "SELECT count(*) AS n FROM policies") == [{"n": 0}]
    _shot(page, "auditor-refused")
    context.close()


def test_a_page_with_no_session_asks_for_the_key(stack: Stack, browser: Browser) -> None:
    """Without a session the page shows only the login; a developer key is refused there."""
    developer = stack.create_key("developer", user="dev")
    page = browser.new_page()
    page.goto(stack.core.url + "/console/#keys")
    expect(page.locator("#page-login")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()
    page.get_by_label("Admin or auditor API key").fill(developer.key)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_contain_text("developer")
    expect(page.locator("#nav")).to_be_hidden()
    assert orjson.loads(httpx.get(stack.core.url + "/console/session").text)["error"]["code"]
    _shot(page, "login-refused")
    page.close()
