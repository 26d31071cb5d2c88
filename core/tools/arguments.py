"""Argument checks of one tool call: size, JSON shape, paths, shell patterns, URLs.

Every check reads the model's text without Python's ``re``: sizes and shapes by length and
``orjson``, paths and URLs character by character (and ``urllib.parse``, which splits on
characters), shell patterns with RE2, whose time is linear in the text, so a hostile
argument (a megabyte of ``rm -r -r -r …``) costs as long as reading it once.

    >>> rules = ArgumentRules(paths=("path",), extensions=frozenset({".md"}))
    >>> check_arguments('{"path": "docs/README.md"}', rules, Egress.parse(""))
    >>> check_arguments('{"path": "../../etc/passwd"}', rules, Egress.parse("")).type
    'tool_path_escape'
    >>> check_arguments('{"path": "%2e%2e/secret.md"}', rules, Egress.parse("")).argument
    'path'

A path must stay inside the agent's workspace root: relative (no ``/``, ``\\``, ``~`` or
drive ``C:`` at its start, no ``:`` at all), no ``..`` component (also as Windows reads one:
``... `` and ``.. `` lose their trailing dots and spaces), no percent sign (``%2e%2e``
becomes ``..`` in whatever decodes it next), no control character (NUL ends a C string
early), each checked again after NFKC normalisation (fullwidth U+FF0E and U+FF0F are ``.``
and ``/``), and its file type on the tool's list. A URL must be ``http``/``https`` with a
host on the egress allow-list (exactly, or under a ``*.`` suffix), no credentials, no
backslash, no percent-encoded host. The shell patterns are what a destructive or
exfiltrating command line or Python snippet looks like (``rm -rf``, ``curl … | sh``,
``os.system``, ``/dev/tcp/`` …): a tripwire for what an injected prompt makes a model write,
not a sandbox: code can always be written to evade a pattern, which is why such tools are
CRITICAL.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import orjson
import re2

from core.tools.catalogue import ArgumentRules
from shared.rulepack import re2_options

__all__ = [
    "ARGUMENTS_INVALID",
    "ARGUMENTS_TOO_LARGE",
    "PATH_ESCAPE",
    "PATH_EXTENSION",
    "SHELL_PATTERN",
    "SHELL_PATTERNS",
    "URL_NOT_ALLOWED",
    "ArgumentProblem",
    "Egress",
    "check_arguments",
    "path_problem",
    "url_allowed",
]

ARGUMENTS_INVALID: Final = "tool_arguments_invalid"
ARGUMENTS_TOO_LARGE: Final = "tool_arguments_too_large"
PATH_ESCAPE: Final = "tool_path_escape"
PATH_EXTENSION: Final = "tool_path_extension"
SHELL_PATTERN: Final = "tool_shell_pattern"
URL_NOT_ALLOWED: Final = "tool_url_not_allowed"

MAX_PATH_CHARS: Final = 1024
MAX_URL_CHARS: Final = 2048
MAX_LIST_ITEMS: Final = 100

SHELL_PATTERNS: Final = (
    # Shell: destroy, take over, exfiltrate.
    r"\brm\s+(?:-\S*\s+)*-[a-z]*[rf]",
    r"\bmkfs(?:\.[a-z0-9]+)?\b",
    r"\bdd\s[^|;&\n]*\bof=/dev/",
    r">\s*/dev/(?:sd|hd|nvme|xvd|disk)",
    r"\b(?:shutdown|reboot|poweroff|halt)\b",
    r":\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:",
    r"\b(?:curl|wget|fetch)\b[^|;&\n]*\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b",
    r"\bbase64\s+(?:-d|--decode)\b[^\n]*\|\s*(?:ba|z)?sh\b",
    r"\b(?:ba|z)?sh\s+-i\b",
    r"/dev/(?:tcp|udp)/",
    r"\bnc(?:at)?\b[^\n]*\s-[a-z]*e\b",
    r"\bchmod\s+(?:-\S+\s+)*0?777\b",
    r"\bsudo\b",
    r"/etc/(?:passwd|shadow|sudoers)\b",
    r"(?:~|\$HOME)?/\.ssh/",
    r"\bcrontab\b",
    # Python: a shell, process or file destruction from inside the interpreter.
    r"\bos\.(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?|remove|unlink|rmdir|removedirs|kill)\b",
    r"\bsubprocess\b",
    r"\bshutil\.rmtree\b",
    r"\b__import__\s*\(",
    r"\b(?:eval|exec)\s*\(",
    r"\bpty\.spawn\b",
    r"\bsocket\.socket\b",
    r"\bctypes\b",
)
_SHELL: Final = re2.compile("(?i)(?:" + "|".join(SHELL_PATTERNS) + ")", options=re2_options())


@dataclass(frozen=True, slots=True)
class ArgumentProblem:
    """Why a call's arguments are refused: the finding type, and the argument's name (one
    of the catalogue's, never the model's text) or ``None`` for the whole."""

    type: str
    argument: str | None = None


class Egress:
    """The hosts a tool's URL may name: exact names, and ``*.suffix`` for any host under a
    domain.

    >>> egress = Egress.parse("docs.python.org, *.go.kr")
    >>> url_allowed("https://docs.python.org/3/", egress), url_allowed("https://www.go.kr/", egress)
    (True, True)
    >>> url_allowed("https://go.kr.evil.example/", egress)
    False
    """

    __slots__ = ("hosts", "suffixes")

    def __init__(self, hosts: Iterable[str], suffixes: Iterable[str]) -> None:
        self.hosts = frozenset(hosts)
        self.suffixes = tuple(suffixes)

    @classmethod
    def parse(cls, text: str | Iterable[str]) -> Egress:
        words = text.replace(",", " ").split() if isinstance(text, str) else list(text)
        hosts: list[str] = []
        suffixes: list[str] = []
        for word in words:
            word = word.strip().lower().rstrip(".")
            if word.startswith("*."):
                suffixes.append(word[1:])  # ".go.kr"
            elif word:
                hosts.append(word)
        return cls(hosts, suffixes)

    def allows(self, host: str) -> bool:
        return host in self.hosts or any(host.endswith(suffix) for suffix in self.suffixes)

    def as_list(self) -> list[str]:
        return sorted(self.hosts) + sorted("*" + suffix for suffix in self.suffixes)


def check_arguments(text: str, rules: ArgumentRules, egress: Egress) -> ArgumentProblem | None:
    """The first problem of a call's ``arguments`` (the JSON source text the model wrote)
    under ``rules``, or ``None`` when they pass."""
    # Characters first: a megabyte is never encoded to count its bytes.
    if len(text) > rules.max_bytes or len(text.encode("utf-8", "surrogatepass")) > rules.max_bytes:
        return ArgumentProblem(ARGUMENTS_TOO_LARGE)
    try:
        arguments = orjson.loads(text) if text.strip() else {}
    except orjson.JSONDecodeError:
        return ArgumentProblem(ARGUMENTS_INVALID)
    if not isinstance(arguments, dict):
        return ArgumentProblem(ARGUMENTS_INVALID)
    if not rules.inspects:
        return None
    for name in rules.paths:
        for value in _values(arguments, name):
            if value is None:
                return ArgumentProblem(ARGUMENTS_INVALID, name)
            kind = path_problem(value, rules.extensions)
            if kind is not None:
                return ArgumentProblem(kind, name)
    for name in rules.commands:
        for value in _values(arguments, name):
            if value is None:
                return ArgumentProblem(ARGUMENTS_INVALID, name)
            if _SHELL.search(value) is not None:
                return ArgumentProblem(SHELL_PATTERN, name)
    for name in rules.urls:
        for value in _values(arguments, name):
            if value is None:
                return ArgumentProblem(ARGUMENTS_INVALID, name)
            if not url_allowed(value, egress):
                return ArgumentProblem(URL_NOT_ALLOWED, name)
    return None


def _values(arguments: dict[str, Any], name: str) -> list[str | None]:
    """The text values of argument ``name``: a string, or a list of them (``None`` stands
    for anything else: not a value this check can read, so the call is refused)."""
    if name not in arguments:
        return []
    value = arguments[name]
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and len(value) <= MAX_LIST_ITEMS:
        return [item if isinstance(item, str) else None for item in value]
    return [None]


def path_problem(path: str, extensions: frozenset[str] | None) -> str | None:
    """``tool_path_escape`` when ``path`` could leave the workspace root,
    ``tool_path_extension`` when its file type is not on ``extensions`` (``None``: any).

    >>> path_problem("notes/a.md", frozenset({".md"})) is None
    True
    >>> path_problem("C:\\\\Windows\\\\win.ini", None), path_problem("a.exe", frozenset({".md"}))
    ('tool_path_escape', 'tool_path_extension')
    """
    if not path or len(path) > MAX_PATH_CHARS:
        return PATH_ESCAPE
    normal = unicodedata.normalize("NFKC", path)
    for form in (path, normal) if normal != path else (path,):
        if _escapes(form):
            return PATH_ESCAPE
    if extensions is None:
        return None
    last = normal.replace("\\", "/").rsplit("/", 1)[-1]
    dot = last.rfind(".")
    if dot <= 0 or last[dot:].lower() not in extensions:
        return PATH_EXTENSION
    return None


def _escapes(path: str) -> bool:
    if path[0] in "/\\~" or ":" in path or "%" in path:
        return True
    if any(ord(c) < 32 or 127 <= ord(c) < 160 or c in "\u2028\u2029" for c in path):
        return True
    for part in path.replace("\\", "/").split("/"):
        # "..", and what Windows reads as it: trailing dots and spaces are dropped.
        if part.count(".") >= 2 and not part.strip(". "):
            return True
    return False


def url_allowed(url: str, egress: Egress) -> bool:
    """Whether a tool may be sent to ``url``: http(s), a host ``egress`` allows, no
    credentials, backslash, whitespace, control character or percent-encoded host."""
    if not url or len(url) > MAX_URL_CHARS or "\\" in url:
        return False
    if any(ord(c) <= 32 or 127 <= ord(c) < 160 for c in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for a port that is not one
    except ValueError:
        return False
    del port
    if parts.scheme.lower() not in ("http", "https"):
        return False
    netloc = parts.netloc
    if not netloc or "@" in netloc or "%" in netloc:
        return False
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return False
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    return egress.allows(host.lower())
