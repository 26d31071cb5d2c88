"""Throwaway Redis and PostgreSQL servers for ``make run`` and the test suite's fixtures,
and nginx with a given configuration for the tests of the shipped one (``deploy/nginx``).

Each start picks a free port on 127.0.0.1 and a fresh data directory under ``base_dir``
(``base_dir/redis``, ``base_dir/pg``); nothing persists from one start to the next, and
leftovers of a run that was killed (a live server, a stale ``postmaster.pid``) are stopped
first. Every server started is stopped again at interpreter exit, should its owner forget::

    redis = start_redis(Path(".run"))
    redis.url        # 'redis://127.0.0.1:40211/0', a free port each time
    redis.stop()

PostgreSQL refuses to run as root, so as root ``initdb`` and ``pg_ctl`` run as the
``postgres`` system user (created if missing) through ``runuser``. When that user cannot
reach ``base_dir/pg`` (pytest's tmp dirs are 0700), the cluster lives in a fresh
``/tmp/aegis-pg-*`` instead, named in ``base_dir/pg/cluster`` and removed on stop.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from devstack.procs import children_of, cmdline, pid_alive, read_pid, stop_pid, stop_popen

__all__ = [
    "Service",
    "ServiceError",
    "find_nginx",
    "missing_binaries",
    "start_nginx",
    "start_postgres",
    "start_redis",
    "stop_leftovers",
]

PG_LIB_ROOT = Path("/usr/lib/postgresql")
# Off a user's PATH on Debian (/usr/sbin), and where nginx's own builds install it.
NGINX_PLACES = (
    Path("/usr/sbin/nginx"),
    Path("/usr/local/sbin/nginx"),
    Path("/usr/local/nginx/sbin/nginx"),
)
PG_USER = "postgres"
PG_TOOLS = ("initdb", "pg_ctl", "postgres")
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 5.0
COMMAND_TIMEOUT_S = 60.0
PORT_ATTEMPTS = 3
TAIL_LINES = 4
TMP_PREFIX = "aegis-pg-"
# sun_path holds 108 bytes; longer socket paths make the postmaster refuse to start.
MAX_SOCKET_PATH = 100
# A throwaway server: durability buys nothing, and tests open many pools at once.
PG_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class ServiceError(RuntimeError):
    """A server could not be started; the message is one line that says why."""


@dataclass(eq=False)
class Service:
    """A running server we started. ``stop()`` is idempotent and leaves no process behind."""

    name: str
    url: str
    pid: int | None = None
    data_dir: Path | None = None
    _stop: Callable[[], None] | None = field(default=None, repr=False)
    _owner_pid: int = field(default_factory=os.getpid, repr=False)

    def stop(self) -> None:
        with _LOCK:
            stop, self._stop = self._stop, None
            _LIVE.discard(self)
        if stop is not None:
            stop()

    def running(self) -> bool:
        """True while the server process is alive and ``stop()`` was not called."""
        return self._stop is not None and self.pid is not None and pid_alive(self.pid)


_LOCK = threading.Lock()
_LIVE: set[Service] = set()


@atexit.register
def _stop_all() -> None:
    # A forked child inherits this set; only the process that started a server stops it.
    with _LOCK:
        mine = [service for service in _LIVE if service._owner_pid == os.getpid()]
    for service in mine:
        with contextlib.suppress(Exception):
            service.stop()


def _register(service: Service) -> Service:
    with _LOCK:
        _LIVE.add(service)
    return service


def _check_not_live(directory: Path) -> None:
    with _LOCK:
        for service in _LIVE:
            if service.data_dir == directory:
                raise ServiceError(
                    f"{service.name} in {directory} is already running in this process;"
                    " stop it first or use another base_dir"
                )


# --- Redis -----------------------------------------------------------------------------


def start_redis(base_dir: Path) -> Service:
    """Start ``redis-server`` on a free port with data (none kept) and log in ``base_dir/redis``."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServiceError("redis-server not found: install the redis-server package")
    directory = Path(base_dir).resolve() / "redis"
    _check_not_live(directory)
    directory.mkdir(parents=True, exist_ok=True)
    _stop_stale_redis(directory)
    log = directory / "redis.log"
    for attempt in range(PORT_ATTEMPTS):
        port = _free_port()
        conf = directory / "redis.conf"
        conf.write_text(_redis_conf(port, directory, log))
        log.write_text("")
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [binary, str(conf)],
                cwd=directory,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        (directory / "redis.pid").write_text(f"{proc.pid}\n")
        if _wait_redis(proc, port):
            break
        proc.wait()
        if attempt + 1 < PORT_ATTEMPTS and "in use" in _tail(log):
            continue
        raise ServiceError(f"redis-server failed to start: {_tail(log) or 'no output'}")

    def stop() -> None:
        stop_popen(proc, STOP_TIMEOUT_S, group=True)
        (directory / "redis.pid").unlink(missing_ok=True)

    return _register(
        Service("redis", f"redis://127.0.0.1:{port}/0", proc.pid, directory, _stop=stop)
    )


def _redis_conf(port: int, directory: Path, log: Path) -> str:
    return "\n".join(
        [
            "bind 127.0.0.1",
            f"port {port}",
            "protected-mode yes",
            "daemonize no",
            f"dir {_redis_quote(directory)}",
            f"logfile {_redis_quote(log)}",
            'save ""',
            "appendonly no",
            "",
        ]
    )


def _redis_quote(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wait_redis(proc: subprocess.Popen[bytes], port: int) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(OSError):
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(64).startswith(b"+PONG"):
                    return True
        time.sleep(0.02)
    stop_popen(proc, STOP_TIMEOUT_S, group=True)
    return False


def _stop_stale_redis(directory: Path) -> None:
    pid = read_pid(directory / "redis.pid")
    if pid is not None and _is_stale_redis(pid, directory):
        stop_pid(pid, STOP_TIMEOUT_S)
    (directory / "redis.pid").unlink(missing_ok=True)


def _is_stale_redis(pid: int, directory: Path) -> bool:
    # redis-server rewrites its argv as "redis-server 127.0.0.1:PORT" and Debian's binary is
    # a link to redis-check-rdb, so go by its name and its cwd, which is its dir.
    if not pid_alive(pid):
        return False
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
        cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return False
    return name.startswith("redis") and cwd == directory


# --- PostgreSQL ------------------------------------------------------------------------


def start_postgres(base_dir: Path, database: str = "aegis") -> Service:
    """Start a fresh PostgreSQL cluster on a free port, with ``database`` created.

    The URL is ``postgresql://postgres@127.0.0.1:PORT/<database>`` (trust auth, no password).
    """
    tools = _pg_tools()
    root = Path(base_dir).resolve() / "pg"
    _check_not_live(root)
    root.mkdir(parents=True, exist_ok=True)
    _stop_stale_postgres(root, tools)
    user = _pg_user()
    cluster = _cluster_dir(root, user)
    (root / "cluster").write_text(f"{cluster}\n")
    data = cluster / "data"
    log = cluster / "postgres.log"
    try:
        _initdb(tools, data, user, cwd=cluster)
        port = _start_cluster(tools, data, log, user, cwd=cluster)
        pid = read_pid(data / "postmaster.pid")
        if database != "postgres":
            _createdb(tools, port, database)
    except BaseException:
        _stop_cluster(tools, data, user, read_pid(data / "postmaster.pid"))
        _remove_cluster(root, cluster, keep_log=True)
        raise

    def stop() -> None:
        _stop_cluster(tools, data, user, pid)
        _remove_cluster(root, cluster, keep_log=True)

    url = f"postgresql://postgres@127.0.0.1:{port}/{database}"
    return _register(Service("postgres", url, pid, root, _stop=stop))


def missing_binaries() -> list[str]:
    """Which of redis-server, initdb, pg_ctl, postgres cannot be found here."""
    missing = [] if shutil.which("redis-server") else ["redis-server"]
    found = _find_pg_tools()
    return missing + [name for name in PG_TOOLS if name not in found]


def stop_leftovers(base_dir: Path) -> list[str]:
    """Stop servers a killed run left in ``base_dir``; say what was stopped, one line each."""
    base = Path(base_dir).resolve()
    stopped = []
    redis_dir = base / "redis"
    pid = read_pid(redis_dir / "redis.pid")
    if pid is not None and _is_stale_redis(pid, redis_dir):
        stopped.append(f"stopped a leftover redis-server (pid {pid})")
    _stop_stale_redis(redis_dir)
    root = base / "pg"
    if root.is_dir():
        with contextlib.suppress(ServiceError):
            pid = _stop_stale_postgres(root, _pg_tools())
            if pid is not None:
                stopped.append(f"stopped a leftover PostgreSQL (pid {pid})")
    return stopped


def _find_pg_tools() -> dict[str, Path]:
    # PATH first (a pg_ctl there may be a symlink into a versioned lib dir: take all three
    # from that dir so the versions match), then Debian's newest /usr/lib/postgresql/N/bin.
    on_path = shutil.which("pg_ctl")
    candidates: list[Path] = []
    if on_path is not None:
        candidates += [Path(on_path).resolve().parent, Path(on_path).parent]
    versions = sorted(PG_LIB_ROOT.glob("*/bin"), key=_version_key, reverse=True)
    candidates += versions
    for directory in candidates:
        tools = {name: directory / name for name in (*PG_TOOLS, "createdb", "psql")}
        if all(os.access(tools[name], os.X_OK) for name in PG_TOOLS):
            return {name: path for name, path in tools.items() if os.access(path, os.X_OK)}
    found = {name: shutil.which(name) for name in (*PG_TOOLS, "createdb", "psql")}
    return {name: Path(path) for name, path in found.items() if path is not None}


def _version_key(bindir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name))


def _pg_tools() -> dict[str, Path]:
    tools = _find_pg_tools()
    missing = [name for name in PG_TOOLS if name not in tools]
    if missing:
        raise ServiceError(
            f"PostgreSQL server binaries not found ({', '.join(missing)}):"
            " install the postgresql package"
        )
    if "createdb" not in tools and "psql" not in tools:
        raise ServiceError("neither createdb nor psql found: install postgresql-client")
    return tools


def _pg_user() -> pwd.struct_passwd | None:
    """The postgres system user when we are root (PostgreSQL refuses root), else None."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(PG_USER)
    except KeyError:
        pass
    _command(
        "useradd",
        [
            "useradd",
            "--system",
            "--user-group",
            "--home",
            "/var/lib/postgresql",
            "--shell",
            "/bin/bash",
            PG_USER,
        ],
    )
    return pwd.getpwnam(PG_USER)


def _cluster_dir(root: Path, user: pwd.struct_passwd | None) -> Path:
    if user is None:
        return root
    os.chown(root, user.pw_uid, user.pw_gid)
    check = ["test", "-r", str(root), "-a", "-w", str(root), "-a", "-x", str(root)]
    if _run_pg(check, user, cwd=Path("/")).returncode == 0:
        return root
    # The postgres user cannot traverse a parent (pytest's tmp dirs are 0700).
    cluster = Path(tempfile.mkdtemp(prefix=TMP_PREFIX))
    os.chown(cluster, user.pw_uid, user.pw_gid)
    return cluster


def _initdb(tools: dict[str, Path], data: Path, user: pwd.struct_passwd | None, cwd: Path) -> None:
    base = [str(tools["initdb"]), "-D", str(data), "-U", PG_USER, "--auth=trust", "-N"]
    result = _run_pg([*base, "--encoding=UTF8", "--locale=C.UTF-8"], user, cwd)
    if result.returncode != 0 and "locale" in result.stdout.lower():
        # Some systems lack C.UTF-8; plain C works everywhere.
        shutil.rmtree(data, ignore_errors=True)
        result = _run_pg([*base, "--encoding=UTF8", "--locale=C"], user, cwd)
    if result.returncode != 0:
        raise ServiceError(f"initdb failed: {_tail(result.stdout) or 'no output'}")


def _start_cluster(
    tools: dict[str, Path], data: Path, log: Path, user: pwd.struct_passwd | None, cwd: Path
) -> int:
    for attempt in range(PORT_ATTEMPTS):
        port = _free_port()
        _configure(data, port)
        start = [str(tools["pg_ctl"]), "-w", "-t", str(int(START_TIMEOUT_S))]
        result = _run_pg([*start, "-D", str(data), "-l", str(log), "start"], user, cwd)
        if result.returncode == 0:
            return port
        why = _tail(log) or _tail(result.stdout) or "no output"
        if attempt + 1 < PORT_ATTEMPTS and "could not bind" in why:
            continue
        raise ServiceError(f"PostgreSQL failed to start: {why}")
    raise AssertionError("unreachable")


def _configure(data: Path, port: int) -> None:
    socket_dir = str(data)
    if len(f"{socket_dir}/.s.PGSQL.{port}") > MAX_SOCKET_PATH:
        socket_dir = ""  # TCP only; pg_ctl -w reads postmaster.pid, not a socket
    settings = {**PG_SETTINGS, "port": str(port), "unix_socket_directories": socket_dir}
    lines = [f"{name} = '{_pg_quote(value)}'" for name, value in settings.items()]
    # Appended, so these win over initdb's defaults (a later port= wins on a retry).
    with (data / "postgresql.conf").open("a") as conf:
        conf.write("\n# devstack: a throwaway server\n" + "\n".join(lines) + "\n")


def _pg_quote(value: str) -> str:
    return value.replace("'", "''")


def _createdb(tools: dict[str, Path], port: int, database: str) -> None:
    target = ["-h", "127.0.0.1", "-p", str(port), "-U", PG_USER, "-w"]
    if "createdb" in tools:
        argv = [str(tools["createdb"]), *target, database]
    else:
        quoted = '"' + database.replace('"', '""') + '"'
        argv = [str(tools["psql"]), *target, "-d", "postgres", "-c", f"CREATE DATABASE {quoted}"]
    _command("createdb", argv, env=_pg_env())


def _stop_cluster(
    tools: dict[str, Path], data: Path, user: pwd.struct_passwd | None, pid: int | None
) -> None:
    if pid is None or not pid_alive(pid):
        return
    workers = children_of(pid)
    stop = [str(tools["pg_ctl"]), "-D", str(data), "-m", "immediate", "-w", "-t", "10", "stop"]
    cwd = data.parent if data.parent.is_dir() else Path("/")
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        _run_pg(stop, user, cwd)
    if pid_alive(pid):
        stop_pid(pid, STOP_TIMEOUT_S)
    # After a SIGKILL the postmaster's workers may linger until they notice.
    for worker in workers:
        if pid_alive(worker):
            stop_pid(worker, STOP_TIMEOUT_S)


def _stop_stale_postgres(root: Path, tools: dict[str, Path]) -> int | None:
    """Stop a postmaster left on this root's cluster and wipe it; return its pid if one ran."""
    cluster = _recorded_cluster(root)
    stopped = None
    for candidate in {cluster, root}:
        data = candidate / "data"
        pid = read_pid(data / "postmaster.pid")
        if pid is not None and pid_alive(pid) and any(str(data) in a for a in cmdline(pid)):
            _stop_cluster(tools, data, _pg_user(), pid)
            stopped = pid
    _remove_cluster(root, cluster, keep_log=False)
    return stopped


def _recorded_cluster(root: Path) -> Path:
    try:
        recorded = Path((root / "cluster").read_text().strip())
    except OSError:
        return root
    # Only ever remove what we could have made: root itself or one of our tmp dirs.
    if recorded.parent == Path(tempfile.gettempdir()) and recorded.name.startswith(TMP_PREFIX):
        return recorded
    return root


def _remove_cluster(root: Path, cluster: Path, *, keep_log: bool) -> None:
    if cluster != root:
        shutil.rmtree(cluster, ignore_errors=True)
    shutil.rmtree(root / "data", ignore_errors=True)
    if not keep_log:
        (root / "postgres.log").unlink(missing_ok=True)
    (root / "cluster").unlink(missing_ok=True)


def _run_pg(
    argv: Sequence[str], user: pwd.struct_passwd | None, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL tool, as the postgres user when we are root; output in ``stdout``."""
    if user is not None:
        argv = [_runuser(), "-u", user.pw_name, "--", *argv]
    return subprocess.run(
        argv,
        cwd=cwd,
        env=_pg_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
        # Out of the terminal's process group: Ctrl-C stops our caller, who then stops us,
        # rather than killing initdb or pg_ctl half-way.
        start_new_session=True,
    )


def _runuser() -> str:
    found = shutil.which("runuser") or next(
        (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.access(p, os.X_OK)), None
    )
    if found is None:
        raise ServiceError("runuser not found (util-linux): needed to run PostgreSQL as root")
    return found


def _pg_env() -> dict[str, str]:
    # PG* variables (PGDATA, PGPORT, PGHOST, ...) from the caller would redirect the tools.
    env = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _command(what: str, argv: Sequence[str], env: dict[str, str] | None = None) -> None:
    try:
        result = subprocess.run(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ServiceError(f"{what} failed: {exc}") from exc
    if result.returncode != 0:
        raise ServiceError(f"{what} failed: {_tail(result.stdout) or 'no output'}")


# --- nginx -----------------------------------------------------------------------------


def find_nginx() -> Path | None:
    """The nginx binary: on PATH, or where packages put it off a user's PATH; None if absent."""
    on_path = shutil.which("nginx")
    if on_path is not None:
        return Path(on_path)
    return next((path for path in NGINX_PLACES if os.access(path, os.X_OK)), None)


def start_nginx(config: Path, port: int) -> Service:
    """Run ``nginx -c config`` in the foreground; ``config`` must listen on 127.0.0.1:``port``.

    The config's folder is nginx's prefix and holds its output (``nginx.log``: the error log,
    and the access log when it goes to stdout). The config is checked first (``nginx -t``),
    so a mistake in it is a one-line :class:`ServiceError`, not a timeout.
    """
    binary = find_nginx()
    if binary is None:
        raise ServiceError("nginx not found: install the nginx package")
    directory = Path(config).resolve().parent
    _check_not_live(directory)
    base = [str(binary), "-p", f"{directory}/", "-c", str(Path(config).resolve()), "-e", "stderr"]
    check = subprocess.run(
        [*base, "-t", "-q"],
        cwd=directory,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
    )
    if check.returncode != 0:
        raise ServiceError(f"nginx rejected {config}: {_tail(check.stderr) or 'no output'}")
    log = directory / "nginx.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [*base, "-g", "daemon off;"],
            cwd=directory,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            raise ServiceError(f"nginx exited with status {proc.returncode}: {_tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            break
        if time.monotonic() > deadline:
            stop_popen(proc, STOP_TIMEOUT_S, group=True)
            raise ServiceError(f"nginx did not listen on 127.0.0.1:{port}: {_tail(log)}")
        time.sleep(0.02)

    def stop() -> None:
        stop_popen(proc, STOP_TIMEOUT_S, group=True)

    return _register(Service("nginx", f"http://127.0.0.1:{port}", proc.pid, directory, _stop=stop))


# --- shared ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(source: str | Path, lines: int = TAIL_LINES) -> str:
    """The last non-empty lines of a text or a file, joined into one line."""
    if isinstance(source, Path):
        try:
            source = source.read_text(errors="replace")
        except OSError:
            return ""
    kept = [line.strip() for line in source.splitlines() if line.strip()]
    return " | ".join(kept[-lines:])
