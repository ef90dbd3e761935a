"""Which files a scan reads: walk folders, honour .gitignore and excludes, pick files by language."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

import pathspec

from blastguard.records import Record, record
from blastguard.sources import SkipFile, is_within, language_for_name, read_regular, sniff_language

# Folders no one wants scanned: version control, dependencies, virtual environments, caches and
# build output. Hidden folders are otherwise scanned: `.github` holds workflows that run commands.
DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    "node_modules",
    "bower_components",
    ".venv",
    "venv",
    "__pypackages__",
    ".tox",
    ".nox",
    ".eggs",
    "*.egg-info",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".direnv",
    ".terraform",
    ".terragrunt-cache",
    "build",
    "dist",
    "_build",
    "buck-out",
    "target",
    "site-packages",
)


@record(frozen=True)
class Candidate(Record):
    path: str  # filesystem path
    language: str


@record(frozen=True)
class Skipped(Record):
    """Something a walk met and did not read, with the reason the scan reports."""

    path: str
    reason: str
    level: str = "warning"


_NOT_REGULAR = "not a regular file (a FIFO, device or socket is never opened for reading)"


def _spec(patterns) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


class Walker:
    """Every folder and file is visited once, by its identity on disk: symbolic links that loop
    (`ln -s . again`) or lead somewhere twice cost nothing more, and a link that leads out of the
    scanned folder is not followed. Links are followed after the folder's own tree, so a file is
    reported under its real path when it has one inside the scan."""

    def __init__(self, root: str, exclude: list[str], respect_gitignore: bool = True) -> None:
        self.root = os.path.abspath(root)
        self.defaults = _spec(DEFAULT_EXCLUDES)
        self.excludes = _spec(exclude)
        self.respect_gitignore = respect_gitignore
        self._visited: set[tuple[int, int]] = set()  # folders walked and files yielded, across walks

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

    def walk(self, directory: str) -> Iterator[Candidate | Skipped]:
        inherited = self._inherited_ignores(directory)
        if self._ignored(directory, True, inherited):
            # The user named an ignored folder: scan it rather than silently check nothing.
            inherited = []
        boundary = os.path.realpath(directory)
        links: list[tuple[str, list]] = []  # symbolic links met on the way, with the ignores where they sit
        yield from self._walk(directory, inherited, boundary, links)
        while links:
            path, ignores = links.pop(0)
            yield from self._follow(path, ignores, boundary, links)

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
            data = read_regular(os.path.join(directory, ".gitignore"))
        except SkipFile:
            return None  # none, or not a regular file: nothing is ignored, so more is checked, not less
        return _spec(data.decode("utf-8", errors="replace").splitlines())

    def _walk(
        self, directory: str, ignores: list[tuple[str, pathspec.PathSpec]], boundary: str, links: list[tuple[str, list]]
    ) -> Iterator[Candidate | Skipped]:
        try:
            identity = _identity(os.stat(directory))
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            yield Skipped(directory, f"the folder cannot be read ({exc.strerror or exc})")
            return
        if identity in self._visited:
            return  # reached again through a link: its files are already in the scan
        self._visited.add(identity)
        if self.respect_gitignore and (spec := self._gitignore(directory)):
            ignores = ignores + [(os.path.abspath(directory), spec)]
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # through a link: a link to a folder is matched as a folder
            except OSError:
                is_dir = False  # a link that loops on itself: reported below, by name
            if self.excluded(entry.path, is_dir) or self._ignored(entry.path, is_dir, ignores):
                continue
            if entry.is_symlink():
                links.append((entry.path, ignores))
            elif is_dir:
                if not os.path.isfile(os.path.join(entry.path, "pyvenv.cfg")):  # a virtual environment
                    yield from self._walk(entry.path, ignores, boundary, links)
            else:
                yield from self._file(entry.path, entry.stat(follow_symlinks=False))

    def _follow(
        self, path: str, ignores: list[tuple[str, pathspec.PathSpec]], boundary: str, links: list[tuple[str, list]]
    ) -> Iterator[Candidate | Skipped]:
        """A symbolic link, once the real tree is walked: followed only while it stays inside the scan."""
        target = os.path.realpath(path)
        try:
            info = os.stat(path)
        except OSError as exc:
            if language_for_name(path):
                yield Skipped(path, f"a symbolic link to nothing readable ({exc.strerror or exc})", "note")
            return
        if not is_within(target, boundary):
            yield Skipped(
                path, f"a symbolic link that leads out of the scanned folder (to {target}); not followed", "note"
            )
        elif stat.S_ISDIR(info.st_mode):
            if not os.path.isfile(os.path.join(path, "pyvenv.cfg")):
                yield from self._walk(path, ignores, boundary, links)
        else:
            yield from self._file(path, info)

    def _file(self, path: str, info: os.stat_result) -> Iterator[Candidate | Skipped]:
        if not stat.S_ISREG(info.st_mode):
            if language_for_name(path):
                yield Skipped(path, _NOT_REGULAR)
            return
        identity = _identity(info)
        if identity in self._visited:
            return  # the same file under another name (a link, a hard link): checked once
        language = sniff_language(path)  # sources.detect_language, as every entry point decides
        if language:
            self._visited.add(identity)
            yield Candidate(path, language)

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
