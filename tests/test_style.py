"""The code style is the formatter's and the linter's, configured in pyproject.toml: a change that
breaks it fails here, not in review. The types are mypy's, configured there too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from blastguard.config import toml_parser

REPO = Path(__file__).resolve().parent.parent


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_the_code_is_formatted():
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linter_finds_nothing():
    result = ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def _installed_layout(root: Path) -> dict[str, str]:
    """The packages laid out under `root` as an install lays them out (pyproject's `package-dir`:
    `blastguard` from analyzer/, `blastguard.rules` from rules/), made of links to the repository's
    files. mypy cannot follow that mapping, which an editable install resolves with an import hook.
    Returns each folder made -> the repository folder it stands for."""
    mapping = toml_parser().loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    folders = {}
    for package, source in sorted(mapping.items()):  # a package before the packages inside it
        folder = root.joinpath(*package.split("."))
        folder.mkdir()
        for entry in (REPO / source).iterdir():
            if entry.name != "__pycache__":
                (folder / entry.name).symlink_to(entry)
        folders[str(folder)] = source
    return folders


def mypy(root: Path, *args: str) -> subprocess.CompletedProcess:
    """mypy with the repository's configuration, `root` holding the installed layout."""
    folders = _installed_layout(root)
    command = [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml")]
    command += ["--cache-dir", str(root / ".mypy_cache"), *args]
    result = subprocess.run(
        command, cwd=root, env={**os.environ, "MYPYPATH": str(root)}, capture_output=True, text=True, timeout=300
    )
    for folder, source in sorted(folders.items(), reverse=True):  # report the repository's paths
        result.stdout = result.stdout.replace(folder + os.sep, source + "/")
    return result


def test_the_type_checker_finds_nothing(tmp_path):
    result = mypy(tmp_path, "-p", "blastguard")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout and "note:" not in result.stdout, result.stdout


# A record used as `record` builds it (no run-time check sees these), and three misuses.
_RECORD_USE = """
from blastguard.records import Record, factory, record


@record(frozen=True)
class Point(Record):
    x: int
    y: int = 0
    tags: list[str] = factory(list)


@record
class Counter(Record):
    count: int


moved: Point = Point(1, tags=["a"]).replace(y=2)
Counter(3).count += 1
Point()
Point(1, 2, [], 3)
moved.x = 3
"""


def test_the_type_checker_reads_what_record_builds(tmp_path):
    (tmp_path / "use.py").write_text(_RECORD_USE)
    result = mypy(tmp_path, "use.py")
    errors = [line.split(": error: ")[1] for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == [
        'Missing positional argument "x" in call to "Point"  [call-arg]',
        'Too many arguments for "Point"  [call-arg]',
        'Property "x" defined in "Point" is read-only  [misc]',
    ], result.stdout + result.stderr
