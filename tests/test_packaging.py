"""What the code reads at run time ships in the installed package (deploy/Dockerfile installs
the project with ``pip install .``, not as an editable checkout): every data file beside the
code is named by ``[tool.setuptools.package-data]``, so an image never starts without, say,
the classifier's encoder tier."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Documentation and the bootstrap script sit beside the code but are never read by it.
PACKAGES = ("edge", "core", "shared", "devstack", "devupstream")
NOT_RUNTIME = ("*.md", "devstack/bootstrap.sh")


def _tracked_data_files() -> list[str]:
    """Every file under the packages, read from the tree (a CI checkout or an unpacked
    source archive alike), less byte-code caches."""
    out = [
        path.relative_to(ROOT).as_posix()
        for top in PACKAGES
        for path in (ROOT / top).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    return [
        path
        for path in out
        if not path.endswith((".py", ".pyi", ".pyc"))
        and not any(fnmatch.fnmatch(path, pattern) for pattern in NOT_RUNTIME)
    ]


def _shipped(path: str, package_data: dict[str, list[str]]) -> bool:
    for package, patterns in package_data.items():
        prefix = package.replace(".", "/") + "/"
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            if any(fnmatch.fnmatch(rest, pattern) for pattern in patterns):
                return True
    return False


def test_every_data_file_beside_the_code_is_package_data() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    files = _tracked_data_files()
    assert "core/model/encoder.onnx" in files and "core/model/injection.onnx" in files
    missing = [path for path in files if not _shipped(path, package_data)]
    assert missing == []
