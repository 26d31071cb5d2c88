/* Aegis console: plain JavaScript, no library. The session is an HttpOnly cookie; this script
   never sees a key (except the one a "create key" answer shows once) and sends the session's
   CSRF token with every admin API call. Data is put on the page as text, never as HTML. */
"use strict";

const TEXT = {
  en: {
    skip: "Skip to content", title: "Aegis console", language: "Language", logout: "Log out",
    "nav.overview": "Overview", "nav.bypass": "Bypass events", "nav.audit": "Audit",
    "nav.approvals": "Approvals", "nav.keys": "Keys and users", "nav.policies": "Policies",
    "login.title": "Log in", "login.key": "Admin or auditor API key", "login.submit": "Log in",
    "login.hint": "The key is exchanged for a session of 15 minutes; it is not kept in this browser.",
    "overview.window": "Window", "overview.hour": "Last hour", "overview.day": "Last day",
    refresh: "Refresh", since: "Since", until: "Until", search: "Search", any: "Any", save: "Save",
    "bypass.unreviewed": "Unreviewed only", "bypass.review": "Mark reviewed",
    "bypass.note": "Review note", "bypass.reviewed": "Reviewed", "bypass.none": "No bypass events.",
    "audit.user": "User", "audit.workspace": "Workspace", "audit.decision": "Decision",
    "audit.action": "Action", "audit.request": "Request id", "audit.csv": "Export CSV",
    "audit.json": "Export JSON", "audit.verify": "Verify chains",
    "audit.timehint": "24h, 7d or an ISO 8601 time", "audit.none": "No audit rows match.",
    "audit.intact": "Chains intact", "audit.broken": "Chains BROKEN", "audit.rows": "rows checked",
    "audit.more": "More", "approvals.live": "Updated every 2 seconds.",
    "approvals.none": "No tool call is waiting.", "approvals.approve": "Approve",
    "approvals.reject": "Reject", "approvals.reason": "Reason", "approvals.left": "Time left",
    "keys.create": "Create a key", "keys.role": "Role", "keys.name": "Name",
    "keys.max": "Requests per minute", "keys.tpm": "Tokens per minute", "keys.createbtn": "Create",
    "keys.shown": "The new key, shown this once: copy it now.", "keys.revoke": "Revoke",
    "keys.limits": "Set limits", "keys.users": "Users", "keys.grants": "Grants",
    "keys.permission": "Permission", "keys.grant": "Grant", "keys.confirm": "Revoke key",
    "policies.effective": "Effective policy", "policies.key": "Key id", "policies.show": "Show",
    "policies.edit": "Set an override", "policies.scope": "Scope",
    "policies.subject": "Workspace or key id", "policies.thresholds": "Thresholds (JSON)",
    "policies.dry": "Dry run", "policies.delete": "Remove override", "policies.saved": "Saved.",
    "policies.badjson": "Thresholds must be a JSON object.",
    "ov.requests": "Requests", "ov.blocked": "Blocked", "ov.masked": "Masked",
    "ov.bypassed": "Bypassed", "ov.p50": "Latency p50", "ov.p99": "Latency p99",
    "ov.breaker": "Edge breakers on core", "ov.unreviewed": "Unreviewed bypass events",
    "ov.edges": "Edges", "ov.noedges": "No edge reports its breakers (none running, or Redis cannot be read).",
    "ov.edge": "Edge", "ov.breakers": "Breakers", "ov.failopen": "Fails open", "ov.reported": "Last report",
    "ov.silent": "not reporting", yes: "yes", no: "no",
    "breaker.open": "open", "breaker.half_open": "half-open", "breaker.closed": "closed",
    "breaker.unknown": "unknown",
    "ov.pending": "Pending approvals", "ov.series": "Requests and blocks over time",
    "ov.scanners": "Blocks by scanner", "ov.types": "Threats by type", "ov.loops": "Core loops",
    "ov.nodata": "Nothing in this window.", "ov.allok": "all running",
    "err.session": "Your session ended: log in again.", "err.forbidden": "Not allowed: ",
    loading: "Loading…", done: "Done.",
  },
  ko: {
    skip: "본문으로 건너뛰기", title: "Aegis 콘솔", language: "언어", logout: "로그아웃",
    "nav.overview": "개요", "nav.bypass": "우회 이벤트", "nav.audit": "감사 로그",
    "nav.approvals": "승인", "nav.keys": "키와 사용자", "nav.policies": "정책",
    "login.title": "로그인", "login.key": "관리자 또는 감사자 API 키", "login.submit": "로그인",
    "login.hint": "키는 15분짜리 세션으로 교환되며 이 브라우저에 저장되지 않습니다.",
    "overview.window": "기간", "overview.hour": "최근 1시간", "overview.day": "최근 1일",
    refresh: "새로 고침", since: "시작", until: "끝", search: "검색", any: "전체", save: "저장",
    "bypass.unreviewed": "미검토만", "bypass.review": "검토 완료로 표시",
    "bypass.note": "검토 메모", "bypass.reviewed": "검토됨", "bypass.none": "우회 이벤트가 없습니다.",
    "audit.user": "사용자", "audit.workspace": "워크스페이스", "audit.decision": "판정",
    "audit.action": "동작", "audit.request": "요청 ID", "audit.csv": "CSV 내보내기",
    "audit.json": "JSON 내보내기", "audit.verify": "체인 검증",
    "audit.timehint": "24h, 7d 또는 ISO 8601 시각", "audit.none": "일치하는 감사 기록이 없습니다.",
    "audit.intact": "체인 무결", "audit.broken": "체인 손상", "audit.rows": "행 검사",
    "audit.more": "더 보기", "approvals.live": "2초마다 갱신됩니다.",
    "approvals.none": "대기 중인 도구 호출이 없습니다.", "approvals.approve": "승인",
    "approvals.reject": "거부", "approvals.reason": "사유", "approvals.left": "남은 시간",
    "keys.create": "키 만들기", "keys.role": "역할", "keys.name": "이름",
    "keys.max": "분당 요청 수", "keys.tpm": "분당 토큰 수", "keys.createbtn": "만들기",
    "keys.shown": "새 키는 지금 한 번만 표시됩니다. 지금 복사하세요.", "keys.revoke": "폐기",
    "keys.limits": "한도 설정", "keys.users": "사용자", "keys.grants": "권한 부여",
    "keys.permission": "권한", "keys.grant": "부여", "keys.confirm": "키 폐기",
    "policies.effective": "적용 정책", "policies.key": "키 ID", "policies.show": "보기",
    "policies.edit": "재정의 설정", "policies.scope": "범위",
    "policies.subject": "워크스페이스 또는 키 ID", "policies.thresholds": "임계값 (JSON)",
    "policies.dry": "드라이런", "policies.delete": "재정의 삭제", "policies.saved": "저장했습니다.",
    "policies.badjson": "임계값은 JSON 객체여야 합니다.",
    "ov.requests": "요청", "ov.blocked": "차단", "ov.masked": "마스킹",
    "ov.bypassed": "우회", "ov.p50": "지연 p50", "ov.p99": "지연 p99",
    "ov.breaker": "코어에 대한 엣지 차단기", "ov.unreviewed": "미검토 우회 이벤트",
    "ov.edges": "엣지", "ov.noedges": "차단기 상태를 보고하는 엣지가 없습니다 (실행 중인 엣지가 없거나 Redis를 읽을 수 없음).",
    "ov.edge": "엣지", "ov.breakers": "차단기", "ov.failopen": "장애 시 우회", "ov.reported": "마지막 보고",
    "ov.silent": "보고 없음", yes: "예", no: "아니요",
    "breaker.open": "열림", "breaker.half_open": "반열림", "breaker.closed": "닫힘",
    "breaker.unknown": "알 수 없음",
    "ov.pending": "대기 중인 승인", "ov.series": "시간별 요청과 차단",
    "ov.scanners": "스캐너별 차단", "ov.types": "유형별 위협", "ov.loops": "코어 루프",
    "ov.nodata": "이 기간에는 데이터가 없습니다.", "ov.allok": "모두 실행 중",
    "err.session": "세션이 끝났습니다. 다시 로그인하세요.", "err.forbidden": "허용되지 않음: ",
    loading: "불러오는 중…", done: "완료.",
  },
};

const state = { lang: "en", session: null, page: null, poll: null, auditNext: null, auditSearch: 0, bypassSearch: 0 };

function t(id) {
  return (TEXT[state.lang] && TEXT[state.lang][id]) || TEXT.en[id] || id;
}

function $(id) {
  return document.getElementById(id);
}

/* h("td", {class: "x"}, "text", child…): an element; strings become text nodes. */
function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  return node;
}

function applyText() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  $("lang").value = state.lang;
}

function say(message) {
  $("status").textContent = message || "";
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { accept: "application/json" };
  if (state.session) headers["x-csrf-token"] = state.session.csrf;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch("api/" + path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    showLogin(t("err.session"));
    throw new ApiError(401, t("err.session"));
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = (data.error && data.error.message) || response.statusText;
    throw new ApiError(response.status, (response.status === 403 ? t("err.forbidden") : "") + message);
  }
  return data;
}

function may(permission) {
  return !!state.session && state.session.permissions.includes(permission);
}

function showLogin(message) {
  state.session = null;
  stopPolling();
  $("nav").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
  for (const section of document.querySelectorAll("main > section")) section.hidden = true;
  $("page-login").hidden = false;
  $("login-error").textContent = message || "";
  $("login-key").focus();
}

async function loadSession() {
  const response = await fetch("session", { credentials: "same-origin", headers: { accept: "application/json" } });
  if (!response.ok) {
    showLogin("");
    return;
  }
  state.session = await response.json();
  $("who").textContent = `${state.session.user} · ${state.session.role} · ${state.session.workspace}`;
  $("logout").hidden = false;
  $("nav").hidden = false;
  for (const node of document.querySelectorAll("[data-needs]")) node.hidden = !may(node.dataset.needs);
  route();
}

function stopPolling() {
  if (state.poll) clearInterval(state.poll);
  state.poll = null;
}

const PAGES = {
  overview: loadOverview, bypass: loadBypass, audit: () => loadAudit(false),
  approvals: startApprovals, keys: loadKeys, policies: loadPolicies,
};

function route() {
  if (!state.session) return;
  let page = location.hash.slice(1) || "overview";
  const link = document.querySelector(`nav a[data-page="${CSS.escape(page)}"]`);
  if (!link || link.hidden) page = "overview";
  stopPolling();
  state.page = page;
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== "page-" + page;
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.page === page) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  say("");
  PAGES[page]().catch((error) => say(error.message));
}

function table(columns, rows, extra) {
  const head = h("tr", {}, columns.map(([, label]) => h("th", { scope: "col" }, label)), extra ? h("th", { scope: "col" }, "") : null);
  const body = rows.map((row) => h("tr", {},
    columns.map(([key]) => h("td", {}, cell(row[key]))),
    extra ? h("td", {}, extra(row)) : null));
  return h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, head), h("tbody", {}, body)));
}

function cell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return h("code", {}, JSON.stringify(value));
  return String(value);
}

/* Overview */

async function loadOverview() {
  const window_ = $("overview-window").value;
  const data = await api("GET", "v1/admin/overview?window=" + encodeURIComponent(window_));
  const body = $("overview-body");
  const ms = (v) => (v === null || v === undefined ? "–" : `${Math.round(v * 10) / 10} ms`);
  const cards = [
    ["ov.requests", data.requests, ""], ["ov.blocked", data.blocked, data.blocked ? "bad" : ""],
    ["ov.masked", data.masked, ""], ["ov.bypassed", data.bypassed, data.bypassed ? "bad" : ""],
    ["ov.p50", ms(data.latency_ms.p50), ""], ["ov.p99", ms(data.latency_ms.p99), ""],
  ];
  const breaker = data.breaker.state;
  cards.push(["ov.breaker", t("breaker." + breaker), breaker === "closed" ? "ok" : "bad"]);
  if (data.bypass) {
    cards.push(["ov.unreviewed", data.bypass.unreviewed, data.bypass.unreviewed ? "bad" : "ok"]);
  }
  if (data.pending_approvals !== null) cards.push(["ov.pending", data.pending_approvals, ""]);
  const loops = data.core.failing_loops.length ? data.core.failing_loops.join(", ") : t("ov.allok");
  cards.push(["ov.loops", loops, data.core.failing_loops.length ? "bad" : "ok"]);
  body.replaceChildren(
    h("div", { class: "cards" }, cards.map(([label, value, kind]) =>
      h("div", { class: "card " + kind }, h("span", { class: "n" }, String(value)), t(label)))),
    h("div", { class: "charts" },
      h("figure", { class: "chart" }, h("h3", {}, t("ov.series")), seriesChart(data.series)),
      h("figure", { class: "chart" }, h("h3", {}, t("ov.scanners")), barList(data.blocks_by_scanner)),
      h("figure", { class: "chart" }, h("h3", {}, t("ov.types")), barList(data.threats_by_type))),
    edgeTable(data.breaker.edges));
}

function edgeTable(edges) {
  const title = h("h3", { id: "edges-title" }, t("ov.edges"));
  if (!edges || !edges.length) return h("section", { id: "edges" }, title, h("p", { class: "hint" }, t("ov.noedges")));
  const rows = edges.map((edge) => h("tr", { class: edge.reporting ? "" : "stale" },
    h("td", {}, edge.instance),
    h("td", {}, Object.entries(edge.cores).map(([core, s]) => `${core}: ${t("breaker." + s)}`).join(", ")),
    h("td", {}, edge.fail_open ? t("yes") : t("no")),
    h("td", {}, edge.reporting ? `${edge.age_s} s` : `${t("ov.silent")} (${Math.round(edge.age_s)} s)`)));
  return h("section", { id: "edges" }, title,
    h("table", { "aria-labelledby": "edges-title" },
      h("thead", {}, h("tr", {}, [t("ov.edge"), t("ov.breakers"), t("ov.failopen"), t("ov.reported")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows)));
}

function seriesChart(series) {
  const width = 600, height = 160, max = Math.max(1, ...series.map((b) => b.requests));
  const step = width / Math.max(1, series.length);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `${t("ov.series")}: ${series.map((b) => b.requests).join(", ")}` });
  series.forEach((bar, i) => {
    const all = (bar.requests / max) * (height - 10), blocked = (bar.blocked / max) * (height - 10);
    const rect = svg("rect", { x: i * step + 1, y: height - all, width: Math.max(1, step - 2), height: all, fill: "#1f4e79" });
    const title = svg("title", {});
    title.textContent = `${bar.start}: ${bar.requests} / ${bar.blocked}`;
    rect.append(title);
    chart.append(rect, svg("rect", { x: i * step + 1, y: height - blocked, width: Math.max(1, step - 2), height: blocked, fill: "#a4262c" }));
  });
  return chart;
}

function barList(items) {
  if (!items.length) return h("p", { class: "hint" }, t("ov.nodata"));
  const max = Math.max(...items.map((i) => i.count));
  return h("div", {}, items.map((item) => {
    const fill = h("div", { class: "fill" });
    fill.style.width = `${(item.count / max) * 100}%`;
    return h("div", { class: "hbar" }, h("span", {}, item.name), fill, h("span", {}, String(item.count)));
  }));
}

/* Bypass events */

async function loadBypass() {
  const params = new URLSearchParams({ since: $("bypass-since").value, limit: "200" });
  if ($("bypass-unreviewed").checked) params.set("unreviewed", "true");
  const search = ++state.bypassSearch;
  const data = await api("GET", "v1/admin/bypass-events?" + params);
  if (search !== state.bypassSearch) return;
  const body = $("bypass-body");
  if (!data.events.length) {
    body.replaceChildren(h("p", {}, t("bypass.none")));
    return;
  }
  const columns = [["id", "#"], ["occurred_at", t("since")], ["user", t("audit.user")],
    ["workspace", t("audit.workspace")], ["route", "route"], ["reason", "reason"],
    ["request_id", t("audit.request")], ["edge_findings", "findings"],
    ["reviewed_by", t("bypass.reviewed")], ["review_note", t("bypass.note")]];
  body.replaceChildren(table(columns, data.events, reviewForm));
}

function reviewForm(event) {
  if (event.reviewed_by) return "";
  const id = `note-${event.id}`;
  const error = h("span", { class: "error", role: "alert", id: id + "-error" });
  const note = h("input", { id, name: "note", required: true, "aria-describedby": id + "-error" });
  return h("form", { class: "inline", onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api("POST", `v1/admin/bypass-events/${encodeURIComponent(event.id)}/review`, { note: note.value });
      say(t("done"));
      await loadBypass();
    } catch (err) {
      error.textContent = err.message;
    }
  } }, h("label", { for: id }, t("bypass.note")), note, h("button", { type: "submit" }, t("bypass.review")), error);
}

/* Audit */

function auditParams() {
  const params = new URLSearchParams();
  for (const name of ["user", "workspace", "decision", "action", "since", "until", "request_id"]) {
    const value = $("audit-form").elements[name].value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

async function loadAudit(more) {
  $("audit-error").textContent = "";
  // Only the latest search draws: an earlier one answering late must not replace it.
  const search = ++state.auditSearch;
  const params = auditParams();
  params.set("limit", "100");
  if (more && state.auditNext) params.set("before", state.auditNext);
  let data;
  try {
    data = await api("GET", "v1/admin/audit?" + params);
  } catch (err) {
    if (search === state.auditSearch) $("audit-error").textContent = err.message;
    return;
  }
  if (search !== state.auditSearch) return;
  state.auditNext = data.next;
  const columns = [["timestamp", "time"], ["request_id", t("audit.request")], ["user_id", t("audit.user")],
    ["workspace_id", t("audit.workspace")], ["action", t("audit.action")], ["decision", t("audit.decision")],
    ["findings", "findings"], ["latency_ms", "ms"], ["bypassed", t("ov.bypassed")]];
  const body = $("audit-body");
  if (!more) body.replaceChildren();
  if (!data.rows.length && !more) body.append(h("p", {}, t("audit.none")));
  else body.append(table(columns, data.rows));
  if (data.next) body.append(h("button", { type: "button", class: "secondary", onclick: (e) => { e.target.remove(); loadAudit(true); } }, t("audit.more")));
}

async function exportAudit(format) {
  $("audit-error").textContent = "";
  const params = auditParams();
  params.set("format", format);
  const response = await fetch("api/v1/admin/audit/export?" + params, {
    credentials: "same-origin", headers: { "x-csrf-token": state.session.csrf },
  });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    $("audit-error").textContent = (data.error && data.error.message) || response.statusText;
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: `aegis-audit.${format === "csv" ? "csv" : "jsonl"}` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function verifyAudit() {
  const out = $("audit-chain");
  out.textContent = t("loading");
  try {
    const since = $("audit-since").value.trim();
    const report = await api("GET", "v1/admin/audit/verify" + (since ? "?since=" + encodeURIComponent(since) : ""));
    out.replaceChildren(h("span", { class: report.ok ? "ok-text" : "bad-text" }, t(report.ok ? "audit.intact" : "audit.broken")),
      ` — ${report.rows} ${t("audit.rows")}`, report.ok ? "" : h("pre", {}, JSON.stringify(report, null, 2)));
  } catch (err) {
    out.textContent = err.message;
  }
}

/* Approvals */

async function startApprovals() {
  await loadApprovals();
  state.poll = setInterval(() => {
    // A form being filled in is not redrawn under the user's hands.
    if (!document.querySelector("#approvals-body :focus")) loadApprovals().catch((e) => say(e.message));
  }, 2000);
}

function timeLeft(expires) {
  const seconds = Math.max(0, Math.round((Date.parse(expires) - Date.now()) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

async function loadApprovals() {
  const data = await api("GET", "v1/admin/approvals?status=pending&limit=200");
  const body = $("approvals-body");
  if (!data.approvals.length) {
    body.replaceChildren(h("p", {}, t("approvals.none")));
    return;
  }
  const rows = data.approvals.map((row) => ({ ...row, left: timeLeft(row.expires_at) }));
  const columns = [["tool", "tool"], ["level", "level"], ["user_id", t("audit.user")],
    ["workspace", t("audit.workspace")], ["request_id", t("audit.request")], ["preview", "arguments"],
    ["requested_at", t("since")], ["left", t("approvals.left")]];
  body.replaceChildren(table(columns, rows, decideForm));
}

function decideForm(row) {
  const id = `reason-${row.id}`;
  const error = h("span", { class: "error", role: "alert", id: id + "-error" });
  const reason = h("input", { id, name: "reason", "aria-describedby": id + "-error" });
  const decide = (verb) => async () => {
    try {
      const body = verb === "reject" ? { reason: reason.value } : (reason.value ? { reason: reason.value } : {});
      await api("POST", `v1/admin/approvals/${encodeURIComponent(row.id)}/${verb}`, body);
      say(t("done"));
      await loadApprovals();
    } catch (err) {
      error.textContent = err.message;
    }
  };
  return h("div", { class: "inline" },
    h("button", { type: "button", onclick: decide("approve"), "aria-label": `${t("approvals.approve")} ${row.tool} ${row.request_id}` }, t("approvals.approve")),
    h("label", { for: id }, t("approvals.reason")), reason,
    h("button", { type: "button", class: "danger", onclick: decide("reject"), "aria-label": `${t("approvals.reject")} ${row.tool} ${row.request_id}` }, t("approvals.reject")),
    error);
}

/* Keys, users, grants */

async function loadKeys() {
  const [keys, users, grants] = await Promise.all([
    api("GET", KEYS_PAGE), api("GET", "v1/admin/users"), api("GET", "v1/admin/grants")]);
  const keyTable = table(keyColumns(), keys.keys, keyActions);
  $("keys-body").replaceChildren(keyTable);
  moreKeys(keyTable, keys.next);
  $("users-body").replaceChildren(table([["user", t("audit.user")], ["roles", t("keys.role")],
    ["workspaces", t("audit.workspace")], ["active_keys", "keys"], ["grants", t("keys.grants")]], users.users));
  $("grants-body").replaceChildren(table([["user", t("audit.user")], ["permission", t("keys.permission")],
    ["granted_by", "by"], ["granted_at", "at"]], grants.grants, (g) =>
    h("button", { type: "button", class: "danger", onclick: async () => {
      try {
        await api("POST", "v1/admin/grants/revoke", { user: g.user, permission: g.permission });
        await loadKeys();
      } catch (err) {
        $("grant-error").textContent = err.message;
      }
    } }, t("keys.revoke"))));
}

function keyColumns() {
  return [["id", "id"], ["name", t("keys.name")], ["user", t("audit.user")],
    ["workspace", t("audit.workspace")], ["role", t("keys.role")], ["max_requests", t("keys.max")],
    ["tokens_per_minute", t("keys.tpm")], ["created_at", "created"], ["revoked_at", "revoked"]];
}

/* The keys API answers a page at a time (100, newest first here): "More" appends the next. */
const KEYS_PAGE = "v1/admin/keys?all=true&order=newest";

function moreKeys(keyTable, next) {
  if (!next) return;
  const button = h("button", { type: "button", class: "secondary", onclick: async () => {
    button.remove();
    try {
      const page = await api("GET", KEYS_PAGE + "&after=" + encodeURIComponent(next));
      const rows = table(keyColumns(), page.keys, keyActions).querySelectorAll("tbody tr");
      keyTable.querySelector("tbody").append(...rows);
      moreKeys(keyTable, page.next);
    } catch (error) {
      say(error.message);
    }
  } }, t("audit.more"));
  $("keys-body").append(button);
}

function keyActions(key) {
  if (key.revoked_at || key.revoked) return "";
  const id = `limit-${key.id}`;
  const error = h("span", { class: "error", role: "alert" });
  const max = h("input", { id: id + "-max", type: "number", min: "1", value: key.max_requests ?? "" });
  const tpm = h("input", { id: id + "-tpm", type: "number", min: "1", value: key.tokens_per_minute ?? "" });
  const number = (input) => (input.value === "" ? null : Number(input.value));
  return h("div", { class: "inline" },
    h("label", { for: id + "-max" }, t("keys.max")), max,
    h("label", { for: id + "-tpm" }, t("keys.tpm")), tpm,
    h("button", { type: "button", onclick: async () => {
      try {
        await api("POST", `v1/admin/keys/${encodeURIComponent(key.id)}/limits`, { max_requests: number(max), tokens_per_minute: number(tpm) });
        say(t("done"));
      } catch (err) {
        error.textContent = err.message;
      }
    } }, t("keys.limits")),
    h("button", { type: "button", class: "danger", "aria-label": `${t("keys.confirm")} ${key.id}`, onclick: async () => {
      if (!confirm(`${t("keys.confirm")} ${key.id}?`)) return;
      try {
        await api("POST", `v1/admin/keys/${encodeURIComponent(key.id)}/revoke`);
        await loadKeys();
      } catch (err) {
        error.textContent = err.message;
      }
    } }, t("keys.revoke")), error);
}

async function createKey(event) {
  event.preventDefault();
  const form = $("key-form").elements;
  const body = { user: form.user.value.trim(), workspace: form.workspace.value.trim(), role: form.role.value };
  if (form.name.value.trim()) body.name = form.name.value.trim();
  if (form.max_requests.value) body.max_requests = Number(form.max_requests.value);
  if (form.tokens_per_minute.value) body.tokens_per_minute = Number(form.tokens_per_minute.value);
  $("key-error").textContent = "";
  try {
    const created = await api("POST", "v1/admin/keys", body);
    $("key-created").replaceChildren(h("div", { class: "created" }, h("p", {}, t("keys.shown")),
      h("code", { id: "created-key", tabindex: "0" }, created.key), ` (${created.id})`));
    $("created-key").focus();
    await loadKeys();
  } catch (err) {
    $("key-error").textContent = err.message;
  }
}

async function grant(event) {
  event.preventDefault();
  const form = $("grant-form").elements;
  $("grant-error").textContent = "";
  try {
    await api("POST", "v1/admin/grants", { user: form.user.value.trim(), permission: form.permission.value.trim() });
    await loadKeys();
  } catch (err) {
    $("grant-error").textContent = err.message;
  }
}

/* Policies */

async function loadPolicies() {
  const data = await api("GET", "v1/admin/policies");
  const rows = [{ scope: "defaults", subject: "", thresholds: data.defaults.thresholds, dry_run: data.defaults.dry_run }, ...data.policies];
  $("policies-body").replaceChildren(table([["scope", t("policies.scope")], ["subject", t("policies.subject")],
    ["thresholds", t("policies.thresholds")], ["dry_run", t("policies.dry")], ["updated_by", "by"],
    ["updated_at", "at"]], rows));
  await showEffective();
}

async function showEffective(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams();
  const workspace = $("eff-workspace").value.trim(), key = $("eff-key").value.trim();
  if (workspace) params.set("workspace", workspace);
  if (key) params.set("key_id", key);
  const data = await api("GET", "v1/admin/policies/effective?" + params);
  $("effective-body").textContent = JSON.stringify(data, null, 2);
}

function policyPath() {
  const scope = $("pol-scope").value, subject = $("pol-subject").value.trim();
  return "v1/admin/policies/" + encodeURIComponent(scope) + (scope === "global" ? "" : "/" + encodeURIComponent(subject));
}

async function savePolicy(event) {
  event.preventDefault();
  const error = $("policy-error");
  error.textContent = "";
  $("pol-thresholds").removeAttribute("aria-invalid");
  let thresholds;
  try {
    thresholds = JSON.parse($("pol-thresholds").value);
    if (typeof thresholds !== "object" || thresholds === null || Array.isArray(thresholds)) throw new Error();
  } catch {
    error.textContent = t("policies.badjson");
    $("pol-thresholds").setAttribute("aria-invalid", "true");
    return;
  }
  try {
    await api("PUT", policyPath(), { thresholds, dry_run: $("pol-dry").checked });
    say(t("policies.saved"));
    await loadPolicies();
  } catch (err) {
    error.textContent = err.message;
    $("pol-thresholds").setAttribute("aria-invalid", "true");
  }
}

async function deletePolicy() {
  $("policy-error").textContent = "";
  try {
    await api("DELETE", policyPath());
    say(t("done"));
    await loadPolicies();
  } catch (err) {
    $("policy-error").textContent = err.message;
  }
}

/* Start */

async function login(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  const response = await fetch("login", {
    method: "POST", credentials: "same-origin",
    headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ key: $("login-key").value }),
  });
  $("login-key").value = "";
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    $("login-error").textContent = (data.error && data.error.message) || response.statusText;
    $("login-key").focus();
    return;
  }
  $("page-login").hidden = true;
  await loadSession();
  $("main").focus();
}

async function logout() {
  try {
    await fetch("logout", { method: "POST", credentials: "same-origin", headers: { "x-csrf-token": state.session.csrf } });
  } finally {
    location.hash = "";
    showLogin("");
  }
}

function start() {
  const saved = localStorage.getItem("aegis-console-lang");
  state.lang = saved || (document.documentElement.lang === "ko" ? "ko" : "en");
  applyText();
  $("lang").addEventListener("change", () => {
    state.lang = $("lang").value;
    localStorage.setItem("aegis-console-lang", state.lang);
    applyText();
    if (state.session) route();
  });
  $("login-form").addEventListener("submit", (e) => login(e).catch((err) => { $("login-error").textContent = err.message; }));
  $("logout").addEventListener("click", logout);
  $("overview-form").addEventListener("submit", (e) => { e.preventDefault(); loadOverview().catch((err) => say(err.message)); });
  $("bypass-form").addEventListener("submit", (e) => { e.preventDefault(); loadBypass().catch((err) => say(err.message)); });
  $("audit-form").addEventListener("submit", (e) => { e.preventDefault(); loadAudit(false); });
  $("audit-csv").addEventListener("click", () => exportAudit("csv"));
  $("audit-json").addEventListener("click", () => exportAudit("jsonl"));
  $("audit-verify").addEventListener("click", verifyAudit);
  $("key-form").addEventListener("submit", createKey);
  $("grant-form").addEventListener("submit", grant);
  $("effective-form").addEventListener("submit", (e) => showEffective(e).catch((err) => say(err.message)));
  $("policy-form").addEventListener("submit", savePolicy);
  $("pol-delete").addEventListener("click", deletePolicy);
  window.addEventListener("hashchange", route);
  loadSession().catch((err) => showLogin(err.message));
}

document.addEventListener("DOMContentLoaded", start);
