"""The whole Aegis stack on one machine: ``python -m devstack run|stop|env``.

``run`` starts Redis and PostgreSQL (throwaway, under ``.run/``, unless ``REDIS_URL`` /
``DATABASE_URL`` name real ones), applies the schema, starts the development upstream (a
stand-in for vLLM, unless ``UPSTREAM_URL`` names a real one), core and edge, creates a
development admin key, prints how to call the edge, then waits in the foreground for
SIGINT, SIGTERM or SIGHUP (no terminal needed) and stops everything it started.

A real model server named by ``UPSTREAM_URL`` may not answer yet (vLLM takes minutes to load
a model): once the edge has accepted the dev key, the run says it is waiting for the model
server, keeps everything running, asks the model server every ``MODEL_CHECK_S`` seconds
(saying so again every ``MODEL_NOTICE_S``), and prints how to call the edge as soon as it
answers.

While it waits it watches its processes. One that exits (a crash, or ``kill $(cat
.run/core.pid)`` to watch the edge fail open) is reported and started again after
``RESTART_FIRST_S`` seconds, twice as long each time it exits again within
``RESTART_RESET_S`` of starting (at most ``RESTART_MAX_S``); the others keep running. A
throwaway Redis or PostgreSQL that stops ends the run: its replacement would have another
port, and every process would need it.

``stop`` asks a running ``run`` to stop, or cleans up what a killed one left behind (the
pids recorded in ``.run/stack.json`` and the servers in ``.run/``). Every command takes
``--run-dir`` for another folder than ``.run/`` (the tests run their own stack that way).
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from devstack import services
from devstack.procs import cmdline, pid_alive, read_pid, signal_group, stop_pid, wait_gone
from shared.config import model_server_base

__all__ = ["RunDir", "Stack", "StackError", "print_env", "stop"]

ROOT = Path(__file__).resolve().parents[1]
RUN_DIR = ROOT / ".run"

DEFAULT_PORTS = {"UPSTREAM_PORT": 8001, "CORE_PORT": 8081, "EDGE_PORT": 8080}
HEALTH_TIMEOUT_S = 30.0
READY_TIMEOUT_S = 15.0
KEY_TIMEOUT_S = 15.0
# A model server named by UPSTREAM_URL that does not answer yet is asked this often, and the
# wait is reported this often.
MODEL_CHECK_S = 2.0
MODEL_NOTICE_S = 30.0
# What core (or the edge) answers for a model server it could not use: the gateway is up and
# has accepted the key; only the model server is missing.
_UPSTREAM_CODES = frozenset({"upstream_unreachable", "upstream_timeout", "upstream_error"})
CHILD_STOP_TIMEOUT_S = 5.0
RUNNER_STOP_TIMEOUT_S = 15.0
# A process that exits is started again after this long: long enough to call the edge while
# core is down (fail-open), short enough not to wait for it. Doubled each time it exits again
# within RESTART_RESET_S of starting, up to RESTART_MAX_S.
RESTART_FIRST_S = 5.0
RESTART_MAX_S = 60.0
RESTART_RESET_S = 60.0
COMMAND_TIMEOUT_S = 120.0
LOG_TAIL_LINES = 20
POLL_S = 0.1
# A global admin (workspace "*"): it calls the models, and `aegis` uses it for every command.
DEV_KEY_ARGS = ("--user", "dev", "--workspace", "*", "--role", "admin", "--name", "dev-key")

# No proxy: every URL we poll is on 127.0.0.1, and an http_proxy in the environment would
# otherwise swallow them.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class StackError(Exception):
    """Start-up failed; ``str()`` is one line, ``detail`` (a log tail) may follow it."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class _Interrupted(Exception):
    """A stop signal arrived while starting."""


@dataclass(frozen=True)
class RunDir:
    """Where a run keeps its servers' data, logs, pids and the dev key (``.run/``)."""

    path: Path = RUN_DIR

    @property
    def logs(self) -> Path:
        return self.path / "logs"

    @property
    def pid_file(self) -> Path:
        return self.path / "stack.pid"

    @property
    def state_file(self) -> Path:
        return self.path / "stack.json"

    @property
    def key_file(self) -> Path:
        return self.path / "dev-key"

    def child_pid_file(self, name: str) -> Path:
        """``core.pid`` and so on: the pid to ``kill`` (it changes when the process restarts)."""
        return self.path / f"{name}.pid"


@dataclass
class _Child:
    name: str
    port: int
    port_var: str
    health: str
    env: dict[str, str]
    argv: list[str]
    log: Path
    pid_file: Path
    url: str
    proc: subprocess.Popen[bytes]
    started: float
    # Exits in a row, each within RESTART_RESET_S of its start: the next restart's backoff.
    exits: int = 0
    restart_at: float | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid


class Stack:
    """One ``run``: start everything, restart what dies, stop everything on a signal."""

    def __init__(
        self, environ: Mapping[str, str] | None = None, run_dir: RunDir = RunDir()
    ) -> None:
        self._env = dict(os.environ if environ is None else environ)
        self._dir = run_dir
        self._children: list[_Child] = []
        self._services: list[services.Service] = []
        self._stop = threading.Event()
        self._signal: int | None = None
        self._owns_pid_file = False
        self._urls: dict[str, str] = {}
        # Set while the model server has not answered yet: (base URL, dev key).
        self._pending: tuple[str, str] | None = None
        self._waiting_since = 0.0
        self._next_model_check = 0.0
        self._next_model_notice = 0.0

    # --- the run ------------------------------------------------------------------------

    def run(self) -> int:
        """Start the stack and stay in the foreground; the exit status for the command."""
        self._handle_signals()
        try:
            self._start()
            return self._wait()
        except _Interrupted:
            return 0
        except (StackError, services.ServiceError, OSError) as exc:
            if self._stop.is_set():
                return 0  # Ctrl-C also reached a tool we were running; not a failure
            _say(f"error: {exc}", err=True)
            if isinstance(exc, StackError) and exc.detail:
                print(exc.detail, file=sys.stderr, flush=True)
            return 1
        finally:
            self._shutdown()

    def _start(self) -> None:
        _check_no_runner(self._dir)
        self._dir.logs.mkdir(parents=True, exist_ok=True)
        self._dir.pid_file.write_text(f"{os.getpid()}\n")
        self._owns_pid_file = True
        ports = self._ports()
        upstream_url = self._env.get("UPSTREAM_URL", "").strip()
        for var, port in ports.items():
            if not (var == "UPSTREAM_PORT" and upstream_url):
                _check_port(port, var)

        redis_url = self._env.get("REDIS_URL", "").strip()
        if not redis_url:
            redis_url = self._start_service(services.start_redis)
        database_url = (
            self._env.get("DATABASE_URL", "").strip() or self._env.get("POSTGRES_URL", "").strip()
        )
        if not database_url:
            database_url = self._start_service(services.start_postgres)
        self._urls.update(redis=redis_url, database=database_url)
        self._save_state()
        common = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
        self._aegis(["db", "migrate"], common, "schema migration")
        _say("schema       migrated (aegis db migrate)")

        if not upstream_url:
            port = ports["UPSTREAM_PORT"]
            upstream_url = f"http://127.0.0.1:{port}"
            self._start_child("devupstream", port, "/health", {}, "UPSTREAM_PORT")
        else:
            _say(f"upstream     {upstream_url} (UPSTREAM_URL; not started here)")
        self._urls["upstream"] = upstream_url
        core_url = f"http://127.0.0.1:{ports['CORE_PORT']}"
        core_env = {**common, "UPSTREAM_URL": upstream_url}
        self._start_child("core", ports["CORE_PORT"], "/api/v1/health", core_env, "CORE_PORT")
        self._check_ready(core_url)
        edge_env = {"CORE_ENDPOINT": core_url, "REDIS_URL": redis_url, "UPSTREAM_URL": upstream_url}
        self._start_child("edge", ports["EDGE_PORT"], "/api/v1/health", edge_env, "EDGE_PORT")

        key = self._create_key(common)
        base_url = f"{self._urls['edge']}/v1"
        model = self._wait_for_key(base_url, key)
        self._urls["base"] = base_url
        self._save_state()
        if model is None:
            self._pending = (base_url, key)
            self._waiting_since = time.monotonic()
            self._next_model_notice = self._waiting_since + MODEL_NOTICE_S
            _say(
                f"waiting for the model server at {upstream_url} (UPSTREAM_URL) to answer"
                " GET /v1/models; edge and core are up meanwhile (a model call answers 502)"
                " and it is asked every"
                f" {MODEL_CHECK_S:.0f}s: a vLLM loading its model may take minutes. Ctrl-C stops."
            )
        else:
            self._print_banner(base_url, key, model)

    def _wait(self) -> int:
        """Watch until a stop signal: restart a child that exits, end if a server stops."""
        while not self._stop.wait(0.5):
            for service in self._services:
                # A signal may be on its way: a stop we asked for is not a crash.
                if not service.running() and not self._stop.wait(0.3):
                    _say(
                        f"{service.name} stopped unexpectedly; stopping everything"
                        " (`make run` starts a fresh one)",
                        err=True,
                    )
                    return 1
            for child in self._children:
                if child.restart_at is None:
                    code = child.proc.poll()
                    if code is not None and not self._stop.wait(0.3):
                        self._exited(child, code)
                elif time.monotonic() >= child.restart_at:
                    self._restart(child)
            self._check_model_server()
        return 0

    def _check_model_server(self) -> None:
        """Ask the model server again; once it answers, and the edge with it, print the banner."""
        now = time.monotonic()
        if self._pending is None or now < self._next_model_check:
            return
        self._next_model_check = now + MODEL_CHECK_S
        waited = _duration(now - self._waiting_since)
        # The model server itself first: every call through the gateway is an audit row.
        upstream = self._urls["upstream"]
        status, _ = _get(f"{_model_server_base(upstream)}/v1/models", self._upstream_auth())
        if status == 200 and all(c.restart_at is None for c in self._children):
            base_url, key = self._pending
            status, body = _get(f"{base_url}/models", {"Authorization": f"Bearer {key}"})
            if status == 200:
                self._pending = None
                _say(f"the model server at {upstream} answers (after {waited})")
                self._print_banner(base_url, key, _first_model(body))
                return
        if now >= self._next_model_notice:
            self._next_model_notice = now + MODEL_NOTICE_S
            answer = f"answers {status}" if status else "does not answer"
            _say(f"still waiting for the model server at {upstream} ({answer}; {waited} so far)")

    def _upstream_auth(self) -> dict[str, str]:
        key = self._env.get("UPSTREAM_API_KEY", "").strip()
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _exited(self, child: _Child, code: int) -> None:
        child.pid_file.unlink(missing_ok=True)
        delay = self._schedule_restart(child)
        others = [c.name for c in self._children if c is not child and c.restart_at is None]
        keep = f"{', '.join(others)} keep running; " if others else ""
        _say(
            f"{child.name} (pid {child.pid}) {_exit_text(code)}; {keep}restarting {child.name}"
            f" in {delay:.0f}s (log {_show(child.log)})",
            err=True,
        )
        if code > 0:  # a crash, not a kill: show why
            _print_tail(child.log)

    def _schedule_restart(self, child: _Child) -> float:
        now = time.monotonic()
        child.exits = 1 if now - child.started >= RESTART_RESET_S else child.exits + 1
        delay = min(RESTART_MAX_S, RESTART_FIRST_S * 2.0 ** (child.exits - 1))
        child.restart_at = now + delay
        return delay

    def _restart(self, child: _Child) -> None:
        child.restart_at = None
        try:
            _check_port(child.port, child.port_var)
            child.proc = _launch(child.argv, child.env, child.log, fresh_log=False)
            child.started = time.monotonic()
            child.pid_file.write_text(f"{child.pid}\n")
            self._save_state()
            self._await_healthy(child)
        except (StackError, OSError) as exc:
            if child.proc.poll() is None:
                _stop_child(child)
            child.pid_file.unlink(missing_ok=True)
            delay = self._schedule_restart(child)
            _say(f"{child.name} did not come back ({exc}); next try in {delay:.0f}s", err=True)
            _print_tail(child.log)
            return
        _say(f"{child.name} is back (pid {child.pid})")

    def _shutdown(self) -> None:
        if self._children or self._services:
            why = f" ({signal.Signals(self._signal).name})" if self._signal else ""
            _say(f"stopping{why}…")
        # One SIGTERM each (a second one makes uvicorn skip its graceful shutdown), edge
        # first, then a shared deadline before SIGKILL.
        for child in reversed(self._children):
            if child.proc.poll() is None:
                signal_group(child.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + CHILD_STOP_TIMEOUT_S
        for child in reversed(self._children):
            try:
                child.proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _say(f"{child.name} did not stop in {CHILD_STOP_TIMEOUT_S:.0f}s; killing it")
                signal_group(child.proc.pid, signal.SIGKILL)
                child.proc.wait()
            signal_group(child.proc.pid, signal.SIGKILL)
            child.pid_file.unlink(missing_ok=True)
        for service in reversed(self._services):
            try:
                service.stop()
            except (services.ServiceError, OSError) as exc:
                _say(f"could not stop {service.name}: {exc}", err=True)
        left = [c.name for c in self._children if pid_alive(c.proc.pid)]
        left += [s.name for s in self._services if s.pid is not None and pid_alive(s.pid)]
        if left:
            _say(f"still running after stop: {', '.join(left)}", err=True)
        elif self._children or self._services:
            _say("stopped; nothing left running")
        if self._owns_pid_file:
            self._dir.pid_file.unlink(missing_ok=True)
            self._dir.state_file.unlink(missing_ok=True)

    # --- signals ------------------------------------------------------------------------

    def _handle_signals(self) -> None:
        def on_signal(signum: int, frame: FrameType | None) -> None:
            if self._signal is None:
                self._signal = signum
            self._stop.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        # Under nohup SIGHUP is ignored on purpose; keep it that way.
        if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
            signal.signal(signal.SIGHUP, on_signal)

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise _Interrupted

    # --- pieces -------------------------------------------------------------------------

    def _ports(self) -> dict[str, int]:
        ports = {}
        for var, default in DEFAULT_PORTS.items():
            raw = self._env.get(var, "").strip()
            try:
                port = int(raw) if raw else default
            except ValueError:
                port = 0
            if not 0 < port < 65536:
                raise StackError(f"{var} has value {raw!r}: not a port number (1-65535)")
            ports[var] = port
        if len(set(ports.values())) != len(ports):
            raise StackError(f"two services share a port: {ports}; set distinct ports")
        return ports

    def _start_service(self, start: Callable[[Path], services.Service]) -> str:
        self._check_stop()
        began = time.monotonic()
        service = start(self._dir.path)
        self._services.append(service)
        label = "Redis" if service.name == "redis" else "PostgreSQL"
        took = time.monotonic() - began
        _say(f"{label:<12} {service.url} (throwaway, {_show(service.data_dir)}; {took:.1f}s)")
        return service.url

    def _start_child(
        self, name: str, port: int, health: str, extra: Mapping[str, str], port_var: str
    ) -> None:
        self._check_stop()
        env = {**self._env, "PYTHONUNBUFFERED": "1", "HOST": "127.0.0.1", "PORT": str(port)}
        env.update(extra)
        if name == "edge":
            # The edge sits in the DMZ and never talks to PostgreSQL.
            env.pop("DATABASE_URL", None)
            env.pop("POSTGRES_URL", None)
        _check_port(port, port_var)
        argv = [sys.executable, "-m", name]
        log = self._dir.logs / f"{name}.log"
        child = _Child(
            name=name,
            port=port,
            port_var=port_var,
            health=health,
            env=env,
            argv=argv,
            log=log,
            pid_file=self._dir.child_pid_file(name),
            url=f"http://127.0.0.1:{port}",
            proc=_launch(argv, env, log, fresh_log=True),
            started=time.monotonic(),
        )
        child.pid_file.write_text(f"{child.pid}\n")
        self._children.append(child)
        self._urls[name] = child.url
        self._save_state()
        self._await_healthy(child)
        _say(f"{name:<12} {child.url} (pid {child.pid}, log {_show(child.log)})")

    def _await_healthy(self, child: _Child) -> None:
        url = f"{child.url}{child.health}"
        status, _ = self._poll(url, HEALTH_TIMEOUT_S, child)
        if status != 200:
            why = f"answered {status}" if status else "did not answer"
            raise StackError(
                f"{child.name} {why} on {url} within {HEALTH_TIMEOUT_S:.0f}s"
                f" (log {_show(child.log)}); last lines:",
                _tail(child.log),
            )

    def _check_ready(self, core_url: str) -> None:
        core = next(c for c in self._children if c.name == "core")
        status, body = self._poll(f"{core_url}/api/v1/ready", READY_TIMEOUT_S, core)
        if status != 200:
            _say(
                f"warning: core is not ready ({status or 'no answer'} from /api/v1/ready):"
                f" {body[:300]}",
                err=True,
            )

    def _poll(
        self,
        url: str,
        timeout: float,
        child: _Child | None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, str]:
        """GET ``url`` until it answers 200 or ``timeout`` passes: the last (status, body)."""
        deadline = time.monotonic() + timeout
        last: tuple[int, str] = (0, "")
        while True:
            self._check_stop()
            if child is not None and child.proc.poll() is not None:
                raise StackError(
                    f"{child.name} exited with status {child.proc.returncode} while starting"
                    f" (log {_show(child.log)}); last lines:",
                    _tail(child.log),
                )
            last = _get(url, headers)
            if last[0] == 200 or time.monotonic() >= deadline:
                return last
            time.sleep(POLL_S)

    def _aegis(self, args: list[str], extra: Mapping[str, str], what: str) -> str:
        self._check_stop()
        aegis = Path(sys.executable).parent / "aegis"
        argv = [str(aegis), *args] if aegis.exists() else _aegis_fallback(args)
        try:
            result = subprocess.run(
                argv,
                cwd=ROOT,
                env={**self._env, **extra},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise StackError(f"{what} failed: {exc}") from exc
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()
            tail = "\n".join(output.splitlines()[-LOG_TAIL_LINES:])
            raise StackError(
                f"{what} failed (aegis {' '.join(args[:2])} exited {result.returncode}):", tail
            )
        return result.stdout

    def _create_key(self, common: Mapping[str, str]) -> str:
        # The first admin key, made on PostgreSQL itself: no API key exists yet to ask core.
        out = self._aegis(
            ["keys", "create", "--direct", *DEV_KEY_ARGS, "--json"], common, "dev key"
        )
        parsed = None
        for line in reversed(out.strip().splitlines()):
            with contextlib.suppress(ValueError):
                parsed = json.loads(line)
                break
        if not isinstance(parsed, dict) or not isinstance(parsed.get("key"), str):
            raise StackError("aegis keys create --json printed no {'key': ...} object", out[-500:])
        key: str = parsed["key"]
        key_file = self._dir.key_file
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out_file:
            os.fchmod(out_file.fileno(), 0o600)
            out_file.write(key + "\n")
        _say(f"dev key      {parsed.get('id', '?')} (admin, user dev) in {_show(key_file)}")
        return key

    def _wait_for_key(self, base_url: str, key: str) -> str | None:
        """The first model the edge lists with the dev key; ``None`` when the edge accepted
        the key but the model server (``UPSTREAM_URL``) did not answer."""
        edge = next(c for c in self._children if c.name == "edge")
        auth = {"Authorization": f"Bearer {key}"}
        deadline = time.monotonic() + KEY_TIMEOUT_S
        while True:
            status, body = self._poll(f"{base_url}/models", 0, edge, auth)
            if status == 200:
                return _first_model(body)
            if "devupstream" not in self._urls and _error_code(body) in _UPSTREAM_CODES:
                return None
            if time.monotonic() >= deadline:
                raise StackError(
                    f"the edge did not accept the dev key within {KEY_TIMEOUT_S:.0f}s"
                    f" (GET /v1/models: {status or 'no answer'} {body[:300]}); edge log:",
                    _tail(edge.log),
                )
            time.sleep(POLL_S)

    def _save_state(self) -> None:
        state = {
            "runner_pid": os.getpid(),
            "urls": self._urls,
            "key_file": str(self._dir.key_file),
            "children": [
                {"name": c.name, "pid": c.pid, "url": c.url, "argv": c.argv, "log": str(c.log)}
                for c in self._children
            ],
            "services": [
                {"name": s.name, "url": s.url, "pid": s.pid, "data_dir": str(s.data_dir)}
                for s in self._services
            ],
        }
        self._dir.state_file.write_text(json.dumps(state, indent=2) + "\n")

    def _print_banner(self, base_url: str, key: str, model: str) -> None:
        body = json.dumps({"model": model, "messages": [{"role": "user", "content": "Hello!"}]})
        upstream = self._urls["upstream"]
        if "devupstream" in self._urls:
            upstream_line = (
                f"{upstream}: the development upstream, a stand-in for vLLM"
                " (set UPSTREAM_URL to use a real one)"
            )
        else:
            upstream_line = f"{upstream} (from UPSTREAM_URL)"
        logs = ", ".join(_show(c.log) for c in self._children)
        core_pid = _show(self._dir.child_pid_file("core"))
        if _flag(self._env.get("FAIL_OPEN_ENABLED", "")):
            fail_open = [
                "Fail-open is on: stop core with `kill $(cat {pid})`, then run the curl above",
                "again with -i within {delay:.0f} s: the answer comes straight from the upstream",
                "with `X-Aegis-Bypassed: true`, and core comes back by itself.",
            ]
        else:
            fail_open = [
                "Fail-open is off: while core is down the edge answers 503. To see it fail open,",
                "start with `FAIL_OPEN_ENABLED=true make run`, stop core with",
                "`kill $(cat {pid})` and run the curl above again with -i within {delay:.0f} s.",
            ]
        fail_open = [line.format(pid=core_pid, delay=RESTART_FIRST_S) for line in fail_open]
        lines = [
            "",
            "Aegis is running.",
            "",
            f"  Base URL   {base_url}",
            f"  API key    {key}   (also in {_show(self._dir.key_file)})",
            f"  Model      {model}",
            f"  Upstream   {upstream_line}",
            f"  Logs       {logs}",
            "",
            "aegis (keys, users, audit, bypass, policy, tools) calls core with this key:",
            "",
            f"  export AEGIS_CORE_URL={shlex.quote(self._urls['core'])}",
            f"  export AEGIS_API_KEY={shlex.quote(key)}",
            "",
            "Try it with curl:",
            "",
            f"  curl -sS {base_url}/chat/completions \\",
            f"    -H {shlex.quote('Authorization: Bearer ' + key)} \\",
            "    -H 'Content-Type: application/json' \\",
            f"    -d {shlex.quote(body)}",
            "",
            "or with the openai package (installed in .venv; paste into .venv/bin/python):",
            "",
            "  from openai import OpenAI",
            f"  client = OpenAI(base_url={json.dumps(base_url)}, api_key={json.dumps(key)})",
            f"  reply = client.chat.completions.create(model={json.dumps(model)},"
            ' messages=[{"role": "user", "content": "Hello!"}])',
            "  print(reply.choices[0].message.content)",
            "",
            "A process that exits is restarted after"
            f" {RESTART_FIRST_S:.0f} s (later if it keeps exiting); the others keep running.",
            *fail_open,
            "",
            "Ctrl-C or `make stop` stops everything.",
            "",
        ]
        print("\n".join(lines), flush=True)


# --- stop and env ----------------------------------------------------------------------


def stop(run_dir: RunDir = RunDir()) -> int:
    """Stop a running ``run``, or clean up after a killed one; 0 when nothing is left."""
    pid = read_pid(run_dir.pid_file)
    if pid is not None and _is_runner(pid):
        _say(f"stopping the stack (runner pid {pid})…")
        os.kill(pid, signal.SIGTERM)
        if wait_gone(pid, RUNNER_STOP_TIMEOUT_S):
            _say("stopped")
            return 0
        _say(f"the runner did not stop within {RUNNER_STOP_TIMEOUT_S:.0f}s; killing it", err=True)
        stop_pid(pid, 1.0)
    done = _clean_leftovers(run_dir)
    for line in done:
        _say(line)
    if not done:
        _say("nothing is running")
    leftover = [line for line in done if line.startswith("could not")]
    return 1 if leftover else 0


def print_env(run_dir: RunDir = RunDir()) -> int:
    """Print ``export`` lines for the running stack's URLs and key (for ``eval``)."""
    pid = read_pid(run_dir.pid_file)
    if pid is None or not _is_runner(pid) or not run_dir.state_file.exists():
        _say("no stack is running (`make run` starts one)", err=True)
        return 1
    state = json.loads(run_dir.state_file.read_text())
    urls = state.get("urls", {})
    values = {
        "REDIS_URL": urls.get("redis"),
        "DATABASE_URL": urls.get("database"),
        "UPSTREAM_URL": urls.get("upstream"),
        "OPENAI_BASE_URL": urls.get("base"),
        "AEGIS_CORE_URL": urls.get("core"),
    }
    with contextlib.suppress(OSError):
        values["OPENAI_API_KEY"] = values["AEGIS_API_KEY"] = run_dir.key_file.read_text().strip()
    for name, value in values.items():
        if value:
            print(f"export {name}={shlex.quote(value)}")
    return 0


def _clean_leftovers(run_dir: RunDir) -> list[str]:
    done = []
    try:
        state = json.loads(run_dir.state_file.read_text())
    except (OSError, ValueError):
        state = {}
    for child in reversed(state.get("children", [])):
        pid, argv = child.get("pid"), child.get("argv")
        # Only a process that still runs the recorded argv is ours; a pid may be reused.
        if isinstance(pid, int) and pid_alive(pid) and cmdline(pid) == argv:
            gone = stop_pid(pid, CHILD_STOP_TIMEOUT_S, group=True)
            verb = "stopped" if gone else "could not stop"
            done.append(f"{verb} a leftover {child.get('name')} (pid {pid})")
        if isinstance(child.get("name"), str):
            run_dir.child_pid_file(child["name"]).unlink(missing_ok=True)
    done += services.stop_leftovers(run_dir.path)
    run_dir.pid_file.unlink(missing_ok=True)
    run_dir.state_file.unlink(missing_ok=True)
    return done


def _check_no_runner(run_dir: RunDir) -> None:
    pid = read_pid(run_dir.pid_file)
    if pid is not None and pid != os.getpid() and _is_runner(pid):
        raise StackError(f"a stack is already running (pid {pid}); `make stop` stops it")
    for line in _clean_leftovers(run_dir):
        _say(f"{line} (from an earlier run)")


def _is_runner(pid: int) -> bool:
    argv = cmdline(pid)
    return pid_alive(pid) and "devstack" in argv and "run" in argv


def _check_port(port: int, var: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As uvicorn binds: SO_REUSEADDR, so a TIME_WAIT left by the last run is no conflict.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            raise StackError(
                f"port {port} is already in use; set {var} to a free port"
                f" (e.g. {var}={port + 100} make run)"
            ) from None


def _get(url: str, headers: Mapping[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310 (http only)
    try:
        with _HTTP.open(request, timeout=2) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except (OSError, ValueError):
        return 0, ""


def _launch(
    argv: list[str], env: Mapping[str, str], log: Path, *, fresh_log: bool
) -> subprocess.Popen[bytes]:
    """Start one of our processes, output to ``log`` (appended to on a restart)."""
    with log.open("wb" if fresh_log else "ab") as out:
        return subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Its own session: Ctrl-C reaches only us, and we stop children in order.
            start_new_session=True,
        )


def _stop_child(child: _Child) -> None:
    signal_group(child.proc.pid, signal.SIGTERM)
    try:
        child.proc.wait(CHILD_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        signal_group(child.proc.pid, signal.SIGKILL)
        child.proc.wait()
    signal_group(child.proc.pid, signal.SIGKILL)


def _first_model(body: str) -> str:
    try:
        return str(json.loads(body)["data"][0]["id"])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise StackError(f"GET /v1/models returned no model: {body[:300]}") from exc


def _error_code(body: str) -> str:
    """The ``error.code`` of an answer in OpenAI's error shape, or ``""``."""
    try:
        code = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return ""
    return code if isinstance(code, str) else ""


def _model_server_base(url: str) -> str:
    # As core reads UPSTREAM_URL; a value core refuses stops core, which says why.
    try:
        return model_server_base(url)
    except ValueError:
        return url.rstrip("/")


def _duration(seconds: float) -> str:
    """``42s``, ``3m05s``."""
    whole = int(seconds)
    return f"{whole // 60}m{whole % 60:02d}s" if whole >= 60 else f"{whole}s"


def _exit_text(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was stopped by {signal.Signals(-code).name}"
        return f"was stopped by signal {-code}"
    return f"exited with status {code}"


def _flag(value: str) -> bool:
    # The edge reads FAIL_OPEN_ENABLED itself (shared.config: these spell true).
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _aegis_fallback(args: list[str]) -> list[str]:
    # No console script (not installed with pip install -e yet): call its entry point.
    code = "import sys; from core.cli.main import main; sys.exit(main())"
    return [sys.executable, "-c", code, *args]


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    kept = text.rstrip().splitlines()[-lines:]
    return "\n".join(f"  {line}" for line in kept) or "  (log is empty)"


def _print_tail(path: Path) -> None:
    print(f"last lines of {_show(path)}:", file=sys.stderr)
    print(_tail(path), file=sys.stderr, flush=True)


def _show(path: Path | None) -> str:
    if path is None:
        return "?"
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


def _say(message: str, *, err: bool = False) -> None:
    print(f"devstack: {message}", file=sys.stderr if err else sys.stdout, flush=True)
