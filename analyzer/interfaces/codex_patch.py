"""Codex's `apply_patch` format, read and applied in memory as Codex applies it.

    *** Begin Patch
    *** Add File: migrations/0003.sql
    +DROP TABLE users;
    *** Update File: app/models.py
    *** Move to: app/model.py
    @@ class User:
     context
    -removed
    +added
    *** Delete File: old.sql
    *** End Patch

An update is a list of chunks: an optional `@@ anchor` line to seek to, then lines that keep (` `),
remove (`-`) or add (`+`). The kept and removed lines must be found in the file, from where the
previous chunk ended, exactly or (as Codex does) ignoring trailing, then surrounding whitespace.
Nothing in the patch is ever run: it is text to read.
"""

from __future__ import annotations

from blastguard.records import Record, factory, record

BEGIN = "*** Begin Patch"
END = "*** End Patch"
_ADD, _UPDATE, _DELETE, _MOVE = "*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: "
_END_OF_FILE = "*** End of File"


class PatchError(Exception):
    """A patch that is not in the apply_patch format; the message is one sentence."""


class PatchWillNotApply(Exception):
    """A patch whose lines are not in the file: Codex refuses it by itself."""


@record
class Chunk(Record):
    anchor: str | None
    old: list[str] = factory(list)
    new: list[str] = factory(list)
    at_end: bool = False  # `*** End of File`: the lines end the file


@record
class FileOperation(Record):
    kind: str  # add | update | delete
    path: str
    move_to: str | None = None
    content: str = ""  # an added file's text
    chunks: list[Chunk] = factory(list)


def looks_like_patch(text: str) -> bool:
    return text.lstrip().startswith(BEGIN)


def parse(text: str) -> list[FileOperation]:
    """The file operations of a patch, in order."""
    lines = text.strip().splitlines()
    if not lines or lines[0].strip() != BEGIN:
        raise PatchError(f"the patch does not start with {BEGIN!r}")
    if lines[-1].strip() != END:
        raise PatchError(f"the patch does not end with {END!r}")
    operations: list[FileOperation] = []
    current: FileOperation | None = None
    for line in lines[1:-1]:
        if line.startswith(_ADD):
            current = FileOperation("add", line[len(_ADD) :].strip())
            operations.append(current)
        elif line.startswith(_UPDATE):
            current = FileOperation("update", line[len(_UPDATE) :].strip())
            operations.append(current)
        elif line.startswith(_DELETE):
            current = None
            operations.append(FileOperation("delete", line[len(_DELETE) :].strip()))
        elif current is None:
            if line.strip():
                raise PatchError(f"a line of the patch belongs to no file: {line[:60]!r}")
        elif current.kind == "add":
            if not line.startswith("+"):
                raise PatchError(f"a line of the added file {current.path} does not start with '+'")
            current.content += line[1:] + "\n"
        else:
            _update_line(current, line)
    if not operations:
        raise PatchError("the patch changes no file")
    return operations


def _update_line(operation: FileOperation, line: str) -> None:
    if line.startswith(_MOVE) and not operation.chunks:
        operation.move_to = line[len(_MOVE) :].strip()
        return
    if line.startswith("@@"):
        operation.chunks.append(Chunk(line[2:].strip() or None))
        return
    if line.strip() == _END_OF_FILE:
        if operation.chunks:
            operation.chunks[-1].at_end = True
        return
    if not operation.chunks:
        operation.chunks.append(Chunk(None))
    chunk = operation.chunks[-1]
    mark, rest = (line[0], line[1:]) if line else (" ", "")
    if mark == " ":
        chunk.old.append(rest)
        chunk.new.append(rest)
    elif mark == "-":
        chunk.old.append(rest)
    elif mark == "+":
        chunk.new.append(rest)
    else:
        raise PatchError(f"a line of the update of {operation.path} does not start with ' ', '-' or '+'")


def apply(before: str, chunks: list[Chunk], shown: str) -> str:
    """`before` with the chunks applied, or PatchWillNotApply when their lines are not in it."""
    lines = before.split("\n")
    trailing_newline = bool(lines) and lines[-1] == ""
    if trailing_newline:
        lines.pop()
    position = 0
    replacements: list[tuple[int, int, list[str]]] = []
    for chunk in chunks:
        if chunk.anchor is not None:
            found = _seek(lines, [chunk.anchor], position, False)
            if found is None:
                raise PatchWillNotApply(f"the line {chunk.anchor!r} is not in {shown}")
            position = found + 1
        if not chunk.old:  # pure addition: at the end of the file (or after the anchor)
            at = len(lines) if chunk.anchor is None else position
            replacements.append((at, 0, chunk.new))
            continue
        found = _seek(lines, chunk.old, position, chunk.at_end)
        if found is None:
            raise PatchWillNotApply(f"the lines the patch replaces are not in {shown}")
        replacements.append((found, len(chunk.old), chunk.new))
        position = found + len(chunk.old)
    for start, length, new in sorted(replacements, reverse=True):
        lines[start : start + length] = new
    return "\n".join(lines) + ("\n" if trailing_newline or not lines else "")


def _seek(lines: list[str], pattern: list[str], start: int, at_end: bool) -> int | None:
    """Where `pattern` occurs in `lines` from `start`: exactly, then ignoring trailing, then surrounding
    whitespace, then typographic punctuation (Codex's own tolerance)."""
    last = len(lines) - len(pattern)
    candidates = [last] if at_end and last >= start else range(start, last + 1)
    for normal in (lambda s: s, str.rstrip, str.strip, _plain):
        wanted = [normal(p) for p in pattern]
        for index in candidates:
            if [normal(x) for x in lines[index : index + len(pattern)]] == wanted:
                return index
    return None


# Typographic characters Codex matches as their ASCII look-alikes (dashes, quotes, spaces).
_TYPOGRAPHIC = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\u2018\u2019\u201a\u201b", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f", '"'),
        **dict.fromkeys("\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "),
    }
)


def _plain(line: str) -> str:
    return line.strip().translate(_TYPOGRAPHIC)


def loose(text: str) -> str:
    """`text` as an agent's edit tool may match it: line endings, typographic punctuation and spacing
    at line ends ignored. Text absent even so is truly absent."""
    return "\n".join(_plain(line) for line in text.replace("\r\n", "\n").split("\n"))
