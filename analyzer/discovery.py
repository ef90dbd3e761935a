"""Which files a scan reads: walk folders, honour .gitignore and excludes, pick files by language."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pathspec

from blastguard.sources import language_for_name, sniff_language

# Folders no one wants scanned: version control, dependencies, virtual environments, caches and
# build output. Hidden folders are otherwise scanned: `.github` holds workflows that run commands.
DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".bzr", "node_modules", "bower_components", ".venv", "venv", "__pypackages__",
    ".tox", ".nox", ".eggs", "*.egg-info", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".direnv", ".terraform", ".terragrunt-cache", "build", "dist", "_build", "buck-out", "target",
    "site-packages",
)  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    path: str  # filesystem path
    language: str


def _spec(patterns) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


class Walker:
    def __init__(self, root: str, exclude: list[str], respect_gitignore: bool = True) -> None:
        self.root = os.path.abspath(root)
        self.defaults = _spec(DEFAULT_EXCLUDES)
        self.excludes = _spec(exclude)
        self.respect_gitignore = respect_gitignore

    def excluded(self, path: str, is_dir: bool) -> bool:
        """Excluded by the built-in list or the configured patterns (relative to the config root)."""
        absolute = os.path.abspath(path)
        name = os.path.basename(absolute) + ("/" if is_dir else "")
        if self.defaults.match_file(name):
            return True
        relative = os.path.relpath(absolute, self.root)
        if relative.startswith(".."):
            return False
        return self.excludes.match_file(relative.replace(os.sep, "/") + ("/" if is_dir else ""))

    def walk(self, directory: str) -> Iterator[Candidate]:
        inherited = self._inherited_ignores(directory)
        if self._ignored(directory, True, inherited):
            # The user named an ignored folder: scan it rather than silently check nothing.
            inherited = []
        yield from self._walk(directory, inherited)

    def _inherited_ignores(self, directory: str) -> list[tuple[str, pathspec.PathSpec]]:
        """.gitignore files above `directory`, up to the repository top, still apply inside it."""
        if not self.respect_gitignore:
            return []
        found = []
        current = os.path.abspath(directory)
        while not os.path.isdir(os.path.join(current, ".git")):
            parent = os.path.dirname(current)
            if parent == current:
                return []  # not inside a git work tree: only the scanned folder's own files apply
            current = parent
            spec = self._gitignore(current)
            if spec:
                found.append((current, spec))
        return list(reversed(found))

    @staticmethod
    def _gitignore(directory: str) -> pathspec.PathSpec | None:
        try:
            with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                return _spec(handle.read().splitlines())
        except OSError:
            return None

    def _walk(self, directory: str, ignores: list[tuple[str, pathspec.PathSpec]]) -> Iterator[Candidate]:
        if self.respect_gitignore and (spec := self._gitignore(directory)):
            ignores = ignores + [(os.path.abspath(directory), spec)]
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if self.excluded(entry.path, is_dir) or self._ignored(entry.path, is_dir, ignores):
                continue
            if is_dir:
                if not os.path.isfile(os.path.join(entry.path, "pyvenv.cfg")):  # a virtual environment
                    yield from self._walk(entry.path, ignores)
            elif entry.is_file() and (language := language_for_name(entry.path) or sniff_language(entry.path)):
                yield Candidate(entry.path, language)

    @staticmethod
    def _ignored(path: str, is_dir: bool, ignores: list[tuple[str, pathspec.PathSpec]]) -> bool:
        absolute = os.path.abspath(path)
        for base, spec in ignores:
            relative = os.path.relpath(absolute, base).replace(os.sep, "/")
            if spec.match_file(relative + ("/" if is_dir else "")):
                return True
        return False


def display_path(path: str) -> str:
    """Relative to the working directory when inside it, with forward slashes."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, os.getcwd())
    chosen = absolute if relative.startswith("..") else relative
    return chosen.replace(os.sep, "/")


def find_project_root(start: str) -> str:
    """The git work tree containing `start`, else `start` itself: SARIF URIs are relative to it."""
    current = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(os.path.abspath(start)))
    probe = current
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return current
        probe = parent
