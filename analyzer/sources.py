"""Sources: the text of one file (or of stdin) with the language it is written in.

Reading never raises for bad input: oversized, binary and undecodable files come back as a reason to
skip, which the engine turns into a notification.
"""

from __future__ import annotations

import os
import re
from blastguard.context import Context
from blastguard.records import record

# Names per language. A language pack is loaded only for files it claims here.
EXTENSIONS: dict[str, str] = {
    ".sql": "sql",
    ".psql": "sql",
    ".pgsql": "sql",
    ".mysql": "sql",
    ".ddl": "sql",
    ".dml": "sql",
    ".tf": "terraform",
    ".tofu": "terraform",
    ".sh": "shell",
    ".bash": "shell",
    ".mk": "makefile",
    ".py": "python",
}
FILENAMES: dict[str, str] = {
    "Makefile": "makefile",
    "makefile": "makefile",
    "GNUmakefile": "makefile",
    ".gitlab-ci.yml": "gitlab-ci",
    ".gitlab-ci.yaml": "gitlab-ci",
}
_WORKFLOW = re.compile(r"(?:^|/)\.github/workflows/[^/]+\.ya?ml$")
# Files a shell runs without being asked: start-up files, direnv's, and git's hooks. Whatever is written
# into them runs the next time a shell starts, a directory is entered, or a commit is made.
_SHELL_STARTUP = frozenset({".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".bash_aliases", ".profile",
                            ".zshrc", ".zprofile", ".zshenv", ".zlogin", ".zlogout", ".kshrc", ".mkshrc",
                            ".envrc", ".xprofile", ".xinitrc", ".xsessionrc"})  # fmt: skip
_GIT_HOOKS = ("applypatch-msg|pre-applypatch|post-applypatch|pre-commit|pre-merge-commit|prepare-commit-msg|"
              "commit-msg|post-commit|pre-rebase|post-checkout|post-merge|pre-push|pre-receive|update|"
              "proc-receive|post-receive|post-update|reference-transaction|push-to-checkout|pre-auto-gc|"
              "post-rewrite|sendemail-validate|fsmonitor-watchman|post-index-change")  # fmt: skip
_RUN_BY_A_SHELL = re.compile(rf"(?:^|/)(?:\.git/hooks/(?:{_GIT_HOOKS})|\.husky/(?:{_GIT_HOOKS})|"
                             r"etc/(?:profile|bash\.bashrc|bashrc|zshrc|zprofile|zshenv|zlogin|environment))$")  # fmt: skip
# Interpreters named on a `#!` line.
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash"})
PYTHON_INTERPRETER = re.compile(r"python(?:\d+(?:\.\d+)?)?")
# Files whose language only their content tells: no extension (scripts), and JSON (Terraform plans).
SNIFFED_EXTENSIONS = frozenset({"", ".json"})
_SNIFF_BYTES = 4096

DEFAULT_MAX_FILE_SIZE = 1024 * 1024
_BINARY_SNIFF = 8192
_SQL_START = re.compile(
    r"\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*"
    r"(select|insert|update|delete|merge|with|create|alter|drop|truncate|grant|revoke|set|begin|"
    r"start|commit|rollback|explain|do|pragma|replace|use|vacuum|analyze|copy|call|comment)\b",
    re.IGNORECASE | re.DOTALL,
)


@record
class Source:
    path: str  # the name shown in reports
    text: str
    language: str
    context: Context | None = None  # where it will run, as far as known (None: nothing known)

    def __post_init__(self) -> None:
        if self.context is None:
            self.context = Context()


@record(frozen=True)
class Embedded:
    """A source inside another (SQL in a shell command, a script in a workflow step).

    `offsets[i]` is the host offset of the child's character i, with one extra entry for the end,
    so every position found in the child maps back to the host file exactly.
    """

    source: Source
    offsets: list[int]
    # When the child's text is not in the host at all (`psql -f file.sql` reads another file),
    # every finding in it points at this span of the host instead.
    anchor: tuple[int, int] | None = None
    # Where each child character ends in the host, when that is not one past its start: a value
    # spliced in from an expression (`{table}`) stands for the whole expression.
    ends: list[int] | None = None

    def host_span(self, start: int, end: int) -> tuple[int, int]:
        if self.anchor:
            return self.anchor
        end = max(end, start + 1)
        last = min(end - 1, len(self.offsets) - 1)
        host_end = self.ends[last] if self.ends and last < len(self.ends) else self.offsets[last] + 1
        return self.offsets[min(start, len(self.offsets) - 1)], host_end


class SkipFile(Exception):
    """A file that cannot be analysed; the message says why, in a few words."""


def language_for_name(name: str) -> str | None:
    """By file name: a GitHub workflow by its folder, a Makefile by its name, a shell's start-up files and
    git hooks as shell, others by extension."""
    posix = name.replace(os.sep, "/")
    if _WORKFLOW.search(posix):
        return "github-actions"
    base = os.path.basename(posix)
    if base in _SHELL_STARTUP or _RUN_BY_A_SHELL.search(posix):
        return "shell"
    if base in FILENAMES:
        return FILENAMES[base]
    if base.endswith(".gitlab-ci.yml"):
        return "gitlab-ci"
    _, ext = os.path.splitext(base)
    return EXTENSIONS.get(ext.lower())


def language_for_content(text: str) -> str | None:
    """Guess from the text alone: a shell or Python shebang, a Terraform plan's JSON, or SQL."""
    if text.startswith("#!"):
        words = text[2:].split("\n", 1)[0].split()
        interpreter = os.path.basename(words[-1] if words and os.path.basename(words[0]) == "env" else (words or [""])[0])
        if interpreter in SHELLS:
            return "shell"
        return "python" if PYTHON_INTERPRETER.fullmatch(interpreter) else None
    head = text[:_SNIFF_BYTES]
    if head.lstrip().startswith("{") and '"format_version"' in head and '"terraform_version"' in head:
        return "terraform-plan"
    if _SQL_START.match(text):
        return "sql"
    return None


def sniff_language(path: str) -> str | None:
    """The language of a file whose name does not tell (a script without extension, a JSON plan)."""
    _, ext = os.path.splitext(path)
    if ext.lower() not in SNIFFED_EXTENSIONS:
        return None
    try:
        head = read_regular(path, limit=_SNIFF_BYTES).decode("utf-8", errors="replace")
    except SkipFile:
        return None
    language = language_for_content(head)
    return language if language in ("shell", "python", "terraform-plan") else None


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 with an optional BOM (stripped, so columns match what editors show)."""
    if b"\0" in data[:_BINARY_SNIFF]:
        raise SkipFile("binary file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkipFile(f"not valid UTF-8 (byte {exc.start})") from None


def is_within(path: str, folder: str) -> bool:
    """Whether the absolute `path` is `folder` or lies under it (by name: resolve links first where they count)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def read_regular(path: str, max_size: int | None = None, limit: int | None = None) -> bytes:
    """The bytes of the regular file at `path`, never blocking: a FIFO, device or socket is refused
    before it could stall the reader (opening a FIFO waits for a writer, reading a device may never
    end). `max_size` refuses a larger file; `limit` reads only its first bytes. Raises SkipFile."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise SkipFile(f"cannot be read: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte in the name
        raise SkipFile("cannot be read: no file can have that name") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SkipFile("not a regular file (a FIFO, device or socket is never opened for reading)")
        if max_size is not None and info.st_size > max_size:
            raise SkipFile(f"larger than the {max_size}-byte limit ({info.st_size} bytes)")
        wanted = info.st_size if limit is None else min(limit, info.st_size)
        chunks, left = [], wanted
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise SkipFile(f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_source(path: str, display_path: str, language: str, max_size: int) -> Source:
    return Source(display_path, decode(read_regular(path, max_size)), language)
