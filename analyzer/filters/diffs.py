"""Proposed changes as pairs of whole files: from a unified diff that has not been applied, or from git.

A patch is parsed with `unidiff` and applied strictly here: every context and `-` line must match
the file (a hunk may sit at another line, as `git apply` allows, but never with fuzz), or the patch
is refused with a one-line `DiffError` naming the file and the hunk. New files come from the patch
alone, deleted files have no new content, renames and copies keep their old content as the base.

Git is run as a subprocess with argument lists (no shell): `git diff --raw` lists what changed,
`git show REV:path` and `git show :path` give the old and the staged contents, the working tree the
new ones.
"""

from __future__ import annotations

import codecs
import os
import re
import subprocess

from blastguard.records import Record, record
from blastguard.sources import SkipFile, Undecodable, decode, is_within, language_for_name, read_regular

DEV_NULL = "/dev/null"
_PREFIX = re.compile(r"^[abciow12]/")  # a/ b/, git's mnemonic prefixes, `git diff --no-index`'s 1/ 2/


class DiffError(Exception):
    """A patch that is malformed or does not apply, or a git command that failed: one line."""


@record(frozen=True)
class FileChange(Record):
    """One file of a change. Paths are relative to the root (the repository top), with `/`."""

    path: str  # the new path; the old one for a deleted file
    old_path: str | None  # None: a new file
    before: str | None  # None: a new file
    after: str | None  # None: a deleted file
    skipped: str = ""  # why it cannot be checked (a binary change, an undecodable file)
    undecodable: bool = False  # skipped because its new content is not text: not checked (BG005), when read

    @property
    def deleted(self) -> bool:
        return self.after is None and not self.skipped


# --- patches ---------------------------------------------------------------------------------------


def parse_patch(text: str, name: str = "patch"):
    """The `unidiff.PatchSet` of `text`; a malformed patch is a DiffError naming file and hunk."""
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    lines = text.splitlines(keepends=True)
    consumed = [0]

    def feed():
        for number, line in enumerate(lines, 1):
            consumed[0] = number
            yield line

    try:
        patch = PatchSet(feed())
    except (UnidiffParseError, ValueError, UnicodeError) as exc:
        raise DiffError(f"{name}: malformed patch{_where(lines, consumed[0])}: {_first_line(exc)}") from None
    if not len(patch) and text.strip():
        raise DiffError(f"{name}: not a unified diff (no `--- a/file` / `+++ b/file` headers)")
    return patch


def _where(lines: list[str], upto: int) -> str:
    """`, in path, hunk N (@@ … @@) at line L` for the patch line `upto` (1-based)."""
    path, hunk, header = None, 0, ""
    for line in lines[:upto]:
        if line.startswith("diff --git "):
            path, hunk = _clean(line.rstrip("\r\n").rsplit(" ", 1)[-1]), 0
        elif line.startswith("+++ "):
            target = _clean(line[4:].split("\t")[0].rstrip("\r\n"))
            path, hunk = (path if target == DEV_NULL else target), 0
        elif line.startswith("@@ "):
            hunk += 1
            header = line.split(" @@")[0] + " @@"
    where = f", in {path}" if path else ""
    if hunk:
        where += f", hunk {hunk} ({header})"
    return f"{where} at line {upto}" if upto else where


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]


def _unquote(name: str) -> str:
    """A path as git writes it: C-quoted when it holds special or non-ASCII characters."""
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        raw = codecs.escape_decode(name[1:-1].encode("ascii", "backslashreplace"))[0]
        return raw.decode("utf-8", errors="replace")
    return name


def _clean(name: str) -> str:
    name = _unquote(name.strip())
    return _PREFIX.sub("", name, count=1) if name != DEV_NULL else name


def _info(patched, key: str) -> str | None:
    """The value of a git extended header line (`rename from x`) of a file's patch."""
    for line in patched.patch_info or ():
        if line.startswith(key + " "):
            return _unquote(line[len(key) + 1 :].rstrip("\r\n"))
    return None


def _names(patched) -> tuple[str | None, str | None, str]:
    """(old path or None, new path or None, how): how is "rename", "copy" or ""."""
    source, target = patched.source_file or "", patched.target_file or ""
    strip = all(_PREFIX.match(_unquote(n)) for n in (source, target) if n and n != DEV_NULL)
    old = None if source == DEV_NULL or not source else (_clean(source) if strip else _unquote(source))
    new = None if target == DEV_NULL or not target else (_clean(target) if strip else _unquote(target))
    for how in ("rename", "copy"):
        frm, to = _info(patched, f"{how} from"), _info(patched, f"{how} to")
        if frm and to:
            return frm, to, how
    return old, new, ""


def _split(text: str) -> list[str]:
    """Lines with their `\\n` (the last one may lack it), split as a patch is: at `\\n` only."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _bare(line: str) -> str:
    line = line[:-1] if line.endswith("\n") else line
    return line[:-1] if line.endswith("\r") else line


def _show(line: str) -> str:
    line = _bare(line)
    return "`" + (line if len(line) <= 60 else line[:57] + "...") + "`"


def _hunk_sides(hunk) -> tuple[list[str], list[tuple[str, int | str]]]:
    """The lines the hunk expects (`old`), and what replaces them: ("keep", index into old) or
    ("add", text)."""
    old: list[str] = []
    new: list[tuple[str, int | str]] = []
    last = None
    for line in hunk:
        kind = line.line_type
        if kind == "\\":  # "\ No newline at end of file": the previous line has no line break
            added = new[-1][1] if last == "+" and new else None
            if isinstance(added, str):  # the previous line was added (a kept one is an index)
                new[-1] = ("add", added.rstrip("\n").rstrip("\r"))
            continue
        if kind == " ":
            new.append(("keep", len(old)))
            old.append(line.value)
        elif kind == "-":
            old.append(line.value)
        elif kind == "+":
            new.append(("add", line.value))
        else:
            continue  # a blank separator unidiff attaches after the hunk
        last = kind
    return old, new


def _locate(lines: list[str], expected: list[str], at: int, floor: int) -> int | None:
    """Where `expected` matches `lines`: at `at`, else the nearest place at or after `floor`."""
    want = [_bare(x) for x in expected]

    def fits(position: int) -> bool:
        return floor <= position <= len(lines) - len(want) and all(
            _bare(lines[position + k]) == w for k, w in enumerate(want)
        )

    if not want:
        return at if floor <= at <= len(lines) else None
    if fits(at):
        return at
    for distance in range(1, len(lines) + 1):
        for position in (at - distance, at + distance):
            if fits(position):
                return position
        if at - distance < floor and at + distance > len(lines) - len(want):
            break
    return None


def apply_hunks(text: str, patched, label: str) -> str:
    """`text` with the hunks of one file's patch applied, strictly; DiffError names what failed."""
    lines = _split(text)
    out: list[str] = []
    cursor = 0
    for number, hunk in enumerate(patched, 1):
        old, new = _hunk_sides(hunk)
        at = hunk.source_start - 1 if hunk.source_length else hunk.source_start
        position = _locate(lines, old, at, cursor)
        header = f"@@ -{hunk.source_start},{hunk.source_length} +{hunk.target_start},{hunk.target_length} @@"
        if position is None:
            raise DiffError(
                f"{label}, hunk {number} ({header}) does not apply: {_mismatch(lines, old, max(at, cursor))}"
            )
        out += lines[cursor:position]
        for _, value in new:
            out.append(value if isinstance(value, str) else lines[position + value])  # added, or kept
        cursor = position + len(old)
    out += lines[cursor:]
    # A line that ended the file without a break and is no longer last gets one.
    return "".join(line if i == len(out) - 1 or line.endswith("\n") else line + "\n" for i, line in enumerate(out))


def _mismatch(lines: list[str], old: list[str], at: int) -> str:
    for k, expected in enumerate(old):
        if at + k >= len(lines):
            count = f"{len(lines)} line{'' if len(lines) == 1 else 's'}"
            return f"the file has {count}, the patch expects {_show(expected)} at line {at + k + 1}"
        if _bare(lines[at + k]) != _bare(expected):
            return f"line {at + k + 1} is {_show(lines[at + k])}, the patch expects {_show(expected)}"
    return f"its lines overlap an earlier hunk or lie past line {len(lines)}"


def _within(top: str, path: str) -> bool:
    """Whether `path`, symbolic links followed, lies in the folder whose real path is `top`."""
    return is_within(os.path.realpath(path), top)


def _read(path: str) -> bytes | None:
    if not os.path.lexists(path):
        return None
    try:
        return read_regular(path)  # never blocks on a FIFO, never reads a device
    except SkipFile as skip:
        raise DiffError(f"{path}: {skip}") from None


def _text(data: bytes, path: str) -> str:
    """Decoded for applying, as a check of the file reads it (a Latin-1 or UTF-16 file is the text an
    agent's patch was written against); a UTF-8 BOM is kept, so the first line matches the patch's."""
    text = decode(data, language_for_name(path))  # raises Undecodable for binary content
    return "\ufeff" + text if data.startswith(codecs.BOM_UTF8) else text


def apply_patch(text: str, root: str = ".", name: str = "patch") -> list[FileChange]:
    """The files a unified diff changes, with their content before and after, read from `root` (the
    folder the patch's paths are relative to) and the patch. Nothing is written."""
    patch = parse_patch(text, name)
    top = os.path.realpath(root)
    current: dict[str, str | None] = {}  # what earlier entries of the patch made of a path
    changes: list[FileChange] = []
    for patched in patch:
        old, new, how = _names(patched)
        path = new or old
        if path is None:
            raise DiffError(f"{name}: a file entry names no file")
        label = f"{name}: {path}"
        for named in (old, new):
            if named is not None and (os.path.isabs(named) or os.path.normpath(named).split(os.sep)[0] == ".."):
                raise DiffError(f"{label}: the path leaves the folder the patch applies to")
            if named is not None and not _within(top, os.path.join(root, named)):
                # As `git apply` refuses a path beyond a symbolic link. Reading it would quote, in a
                # hunk's mismatch, a file from anywhere on the machine.
                raise DiffError(
                    f"{label}: {named} leads out of the folder the patch applies to, through a symbolic link"
                )
        if patched.is_binary_file:
            # Its new content is not in the patch: for a file blastguard reads, not checked (BG005).
            changes.append(FileChange(path, old, None, None, skipped="binary change", undecodable=True))
            continue
        if not len(patched) and not how and (old is not None and new is not None):
            continue  # a mode change: no content changes
        before: str | None = None
        if old is not None:
            if old in current:
                before = current[old]
            else:
                data = _read(os.path.join(root, old))
                if data is not None:
                    try:
                        before = _text(data, old)
                    except SkipFile as skip:
                        undecodable = isinstance(skip, Undecodable)
                        changes.append(FileChange(path, old, None, None, skipped=str(skip), undecodable=undecodable))
                        continue
            if before is None:
                if patched.is_added_file and patched.source_file != DEV_NULL and not how:
                    old = None  # `diff -N`: an empty old side for a file that did not exist
                else:
                    raise DiffError(f"{label}: {old} does not exist, and the patch changes it")
        elif new is not None:
            exists = current[new] is not None if new in current else os.path.lexists(os.path.join(root, new))
            if exists:
                raise DiffError(f"{label}: the patch creates {new}, which already exists")
        after_text = apply_hunks(before or "", patched, label)
        if new is None:
            if after_text.strip("\n"):
                raise DiffError(f"{label}: the patch deletes {old}, but the file has lines the patch does not remove")
            current[path] = None  # the path is the old one: nothing new is named
            changes.append(FileChange(path, path, _strip_bom(before), None))
            continue
        if how == "rename":
            assert old is not None  # a rename names what it renames
            current[old] = None
        current[new] = after_text
        base = None if how == "copy" or old is None else _strip_bom(before)
        changes.append(FileChange(new, None if base is None else old, base, _strip_bom(after_text)))
    return changes


def _strip_bom(text: str | None) -> str | None:
    return text[1:] if text and text.startswith("\ufeff") else text


def pre_images(text: str) -> dict[str, str]:
    """The old content of each file of a patch, from its context and `-` lines alone: exact for a
    patch whose hunks cover whole files (rules' examples). New files are left out."""
    images = {}
    for patched in parse_patch(text):
        old, _, _ = _names(patched)
        if old is not None:
            images[old] = "".join(line for hunk in patched for line in _hunk_sides(hunk)[0])
    return images


# --- git -------------------------------------------------------------------------------------------


def _git(root: str, *args: str, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}  # a check never writes the index
    try:
        result = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, env=env, timeout=120)
    except FileNotFoundError:
        raise DiffError("git is not installed (needed for --diff and --staged)") from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise DiffError(f"git {args[0]} failed: {exc}") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise DiffError(f"git {args[0]} failed: {message[0] if message else f'exit {result.returncode}'}")
    return result.stdout


def git_toplevel(start: str) -> str:
    try:
        return _git(start, "rev-parse", "--show-toplevel").decode("utf-8").strip()
    except DiffError:
        raise DiffError(
            f"{os.path.abspath(start)} is not inside a git repository (needed for --diff and --staged)"
        ) from None


def _resolve(top: str, rev: str) -> str | None:
    try:
        return _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").decode().strip()
    except DiffError:
        return None


def is_revision(start: str, rev: str) -> bool:
    try:
        return _resolve(git_toplevel(start), rev) is not None
    except DiffError:
        return False


def _empty_tree(top: str) -> str:
    return _git(top, "hash-object", "-t", "tree", "--stdin", stdin=b"").decode().strip()


def _base(top: str, rev: str) -> str:
    commit = _resolve(top, rev)
    if commit is not None:
        return commit
    if rev == "HEAD" and _resolve(top, "HEAD") is None:
        return _empty_tree(top)  # no commit yet: everything is new
    raise DiffError(f"unknown revision {rev!r}: it names no commit in this repository")


def _raw(top: str, *args: str) -> list[tuple[str, str, str, str, str]]:
    """(status, old mode, new mode, old path, new path) from `git diff --raw -z`."""
    out = _git(top, "diff", "--raw", "-z", "-M", "--no-ext-diff", "--no-textconv", *args).decode(
        "utf-8", "surrogateescape"
    )
    fields = out.split("\0")
    entries = []
    i = 0
    while i < len(fields) and fields[i].startswith(":"):
        meta = fields[i][1:].split()
        old_mode, new_mode, status = meta[0], meta[1], meta[4]
        if status[0] in "RC":
            entries.append((status[0], old_mode, new_mode, fields[i + 1], fields[i + 2]))
            i += 3
        else:
            entries.append((status[0], old_mode, new_mode, fields[i + 1], fields[i + 1]))
            i += 2
    return entries


_SKIPPED_MODES = {"120000": "a symbolic link", "160000": "a submodule"}


def git_changes(start: str, rev: str | None = None, staged: bool = False) -> tuple[str, str, list[FileChange]]:
    """(repository top, the base's description, changes): the working tree against `rev` (default
    HEAD; untracked files that are not ignored count as new), or with `staged` the index against HEAD."""
    top = git_toplevel(start)
    rev = rev or "HEAD"
    base = _base(top, rev)
    entries = _raw(top, "--cached", base, "--") if staged else _raw(top, base, "--")
    if not staged:
        untracked = _git(top, "ls-files", "-z", "--others", "--exclude-standard").decode("utf-8", "surrogateescape")
        entries += [("A", "000000", "100644", p, p) for p in untracked.split("\0") if p]
    changes = []
    for status, old_mode, new_mode, old, new in entries:
        if status == "U":
            continue  # unmerged: nothing settled to compare
        path = old if status == "D" else new
        mode = new_mode if status != "D" else old_mode
        if mode in _SKIPPED_MODES or (status != "A" and old_mode in _SKIPPED_MODES):
            continue
        language = language_for_name(path)
        try:
            before = None if status in "AC" else _before(_git(top, "show", "--no-textconv", f"{base}:{old}"), language)
            if status == "D":
                after = None
            elif staged:
                after = decode(_git(top, "show", "--no-textconv", f":{new}"), language)
            else:
                where = os.path.join(top, new)
                if not os.path.exists(where):
                    continue
                # a FIFO or device is skipped with a notice, never opened
                after = decode(read_regular(where), language)
        except SkipFile as skip:
            undecodable = isinstance(skip, Undecodable)
            changes.append(FileChange(path, old, None, None, skipped=str(skip), undecodable=undecodable))
            continue
        changes.append(FileChange(path, None if status in "AC" else old, before, after))
    described = "the index" if staged else rev
    return top, described, changes


def _before(data: bytes, language: str | None) -> str | None:
    """A file's content at the base; None when it was not text, so all its new content counts as new."""
    try:
        return decode(data, language)
    except Undecodable:
        return None


def git_staged_view(top: str, suffixes: tuple[str, ...] = (".tf", ".tofu")) -> dict[str, str | None]:
    """Where the index differs from the working tree, for files ending in `suffixes`: path (relative
    to top) -> the staged text, or None for a file only in the working tree. With the disk for the
    rest, the state a commit of the index would have (what change-only rules read of a module)."""
    view: dict[str, str | None] = {}
    for _, _, _, _, path in _raw(top):
        if path.endswith(suffixes):
            try:
                view[path] = decode(_git(top, "show", "--no-textconv", f":{path}"))
            except (SkipFile, DiffError):
                continue
    untracked = _git(top, "ls-files", "-z", "--others", "--exclude-standard").decode("utf-8", "surrogateescape")
    for path in untracked.split("\0"):
        if path.endswith(suffixes):
            view[path] = None
    return view
