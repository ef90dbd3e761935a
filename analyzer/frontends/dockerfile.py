"""Dockerfiles and Containerfiles: what `RUN` runs while the image is built, and what the container runs
when it starts (`ENTRYPOINT` with `CMD` as its arguments, and `HEALTHCHECK CMD`).

Lines are joined as the builder joins them: an escape character (`\\`, or the one the `# escape=`
directive names) at a line's end continues the instruction, and comment lines inside it are dropped.
The shell form is a command line for the stage's shell (`/bin/sh -c`, or what `SHELL [...]` names; a
PowerShell or cmd stage is not read). The exec form (`["rm", "-rf", "/x"]`) is the program and its
arguments, where `["sh", "-c", "…"]` hands the script to the shell (command_words). A heredoc
(`RUN <<EOF … EOF`) is a script of its own, run by the interpreter its `#!` line names. Every character
maps back to the file. `ENV` and `ARG` defaults are the environment of what follows them in the stage;
a Dockerfile named for production (`Dockerfile.prod`) is the context.
"""

from __future__ import annotations

import json
import os
import re
import shlex

from blastguard.frontends.base import Comment, Frontend
from blastguard.frontends.command_words import Piece, embedded, program_source
from blastguard.frontends.host_document import HostDocument
from blastguard.frontends.json_positions import string_items
from blastguard.sources import PYTHON_INTERPRETER, SHELLS, Source
from blastguard.textindex import LineIndex

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from blastguard.context import Context

_DIRECTIVE = re.compile(r"#[ \t]*([A-Za-z]+)[ \t]*=[ \t]*(\S*)[ \t]*$")
_INSTRUCTION = re.compile(r"[ \t]*([A-Za-z]+)(?:[ \t]+|$)")
_FLAG = re.compile(r"--[A-Za-z-]+(?:=\S*)?[ \t]+")  # `RUN --mount=type=cache,target=/root/.cache`
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_HEREDOC_ALONE = re.compile(r"<<-?([\"']?)[A-Za-z_][A-Za-z0-9_]*\1[ \t]*$")


class _Line:
    """One instruction as the builder reads it: its text with continuations joined, the host offset of
    each character (plus the end), and the physical lines after it that its heredocs take."""

    __slots__ = ("keyword", "offsets", "text")

    def __init__(self, keyword: str, text: str, offsets: list[int]) -> None:
        self.keyword, self.text, self.offsets = keyword, text, offsets

    def piece(self, start: int, end: int) -> Piece:
        return Piece.at(self.text[start:end], self.offsets[start : end + 1])


class _Stage:
    """What a build stage has set so far."""

    def __init__(self, context: Context, shell: str | None) -> None:
        self.context = context
        self.shell = shell  # the language of a shell-form command; None: not read
        self.entrypoint: tuple[_Line, int] | None = None
        self.command: tuple[_Line, int] | None = None


class DockerfileFrontend(Frontend):
    language = "dockerfile"
    embeds = ("shell", "python")

    def parse(self, source: Source, wanted=None) -> HostDocument:
        text = source.text
        document = HostDocument(source=source, index=LineIndex(text))
        base = os.path.basename(source.path.replace(os.sep, "/"))
        context = source.context
        if context.names.matches(base):
            context = context.with_production(f"Dockerfile {base} is named for production")
        escape = _escape(text)
        shell = "shell" if escape == "\\" else None  # a backtick escape is a Windows image's: cmd runs it
        stage = _Stage(context, shell)
        for line in _instructions(text, escape, document.comments):
            keyword = line.keyword
            if keyword == "ONBUILD":  # runs in the builds of images made from this one
                start = _arguments(line)
                inner = _INSTRUCTION.match(line.text, start)
                keyword = inner.group(1).upper() if inner else ""
                line = _Line(keyword, line.text[start:], line.offsets[start:])
            if keyword == "FROM":
                document.scripts.extend(_started(stage, source))
                stage = _Stage(context, shell)
            elif keyword in ("ENV", "ARG"):
                stage.context = stage.context.with_env(_assignments(line.text[len(keyword) :], keyword))
            elif keyword == "SHELL":
                words = _exec_form(line, _arguments(line))
                program = os.path.basename(words[0].value) if words else ""
                stage.shell = "shell" if program in SHELLS else None
            elif keyword == "RUN":
                document.scripts.extend(_run(line, stage, source))
            elif keyword == "ENTRYPOINT":
                stage.entrypoint = (line, _arguments(line))
            elif keyword == "CMD":
                stage.command = (line, _arguments(line))
            elif keyword == "HEALTHCHECK":
                start = _arguments(line)
                if line.text[start : start + 4].upper() == "CMD " or line.text[start:].upper() == "CMD":
                    found = _command(line, _arguments(line, start + 3), stage, source)
                    if found is not None:
                        document.scripts.append(found)
        document.scripts.extend(_started(stage, source))
        return document


def _escape(text: str) -> str:
    """The escape character: `\\`, or what an `# escape=` parser directive at the top names."""
    for line in text.split("\n"):
        directive = _DIRECTIVE.match(line.strip())
        if not directive:
            break
        if directive.group(1).lower() == "escape" and directive.group(2) in ("\\", "`"):
            return directive.group(2)
    return "\\"


def _instructions(text: str, escape: str, comments: list[Comment]):
    """The instructions of `text`, with their continuation lines joined; comment lines go to `comments`."""
    lines = text.split("\n")
    position = 0
    index = 0
    while index < len(lines):
        line, start = lines[index], position
        position += len(line) + 1
        index += 1
        stripped = line.strip()
        if stripped.startswith("#"):
            at = start + line.index("#")
            comments.append(Comment(at, start + len(line.rstrip("\r")), stripped[1:]))
            continue
        match = _INSTRUCTION.match(line)
        if not stripped or not match:
            continue
        chars: list[str] = []
        offsets: list[int] = []
        indent = len(line) - len(line.lstrip(" \t"))
        segment, segment_start = line[indent:], start + indent  # the instruction starts at its keyword
        while True:
            body = segment.rstrip(" \t\r")
            continued = body.endswith(escape) and index <= len(lines)
            kept = body[:-1] if continued else body
            chars.append(kept)
            offsets.extend(range(segment_start, segment_start + len(kept)))
            if not continued or index >= len(lines):
                break
            # the next lines that continue it; comment lines and blank lines inside it are dropped
            while index < len(lines) and (not lines[index].strip() or lines[index].lstrip().startswith("#")):
                skipped = lines[index]
                if skipped.strip():
                    at = position + skipped.index("#")
                    comments.append(Comment(at, position + len(skipped.rstrip("\r")), skipped.strip()[1:]))
                position += len(skipped) + 1
                index += 1
            if index >= len(lines):
                break
            segment, segment_start = lines[index], position
            position += len(segment) + 1
            index += 1
        joined = "".join(chars)
        offsets.append(offsets[-1] + 1 if offsets else start)
        instruction = _Line(match.group(1).upper(), joined, offsets)
        heredocs = list(_HEREDOC.finditer(joined)) if instruction.keyword == "RUN" else []
        for heredoc in heredocs:  # each takes the lines up to its terminator
            strip_tabs, word = heredoc.group(1) == "-", heredoc.group(3)
            while index < len(lines):
                body, body_start = lines[index], position
                position += len(body) + 1
                index += 1
                instruction.text += "\n" + body
                instruction.offsets[-1:] = [body_start - 1, *range(body_start, body_start + len(body) + 1)]
                if (body.lstrip("\t") if strip_tabs else body).rstrip("\r") == word:
                    break
        yield instruction


def _arguments(line: _Line, start: int | None = None) -> int:
    """Where the instruction's arguments start, after its keyword (or `start`) and its `--flags`."""
    at = len(line.keyword) if start is None else start
    while at < len(line.text) and line.text[at] in " \t":
        at += 1
    while flag := _FLAG.match(line.text, at):
        at = flag.end()
    return at


def _exec_form(line: _Line, start: int) -> list[Piece] | None:
    """The words of an exec form (`["rm", "-rf", "/x"]`); None for the shell form, which includes a list
    that is not valid JSON, as the builder reads it."""
    first_line = line.text.split("\n", 1)[0]
    if not first_line[start:].lstrip().startswith("["):
        return None
    try:
        words = string_items(first_line, start)
    except json.JSONDecodeError:
        return None
    if words is None:
        return None
    return [
        Piece(w.value, [line.offsets[s] for s in w.starts], [line.offsets[e - 1] + 1 for e in w.ends]) for w in words
    ]


def _run(line: _Line, stage: _Stage, source: Source):
    start = _arguments(line)
    heredoc = _HEREDOC_ALONE.match(line.text.split("\n", 1)[0], start)
    if heredoc is None:
        found = _command(line, start, stage, source)
        if found is not None:
            yield found
        return
    # `RUN <<EOF`: the body is the script, run by its `#!` interpreter or the stage's shell
    body_start = line.text.find("\n", start) + 1
    last_line = line.text.rfind("\n")
    if body_start <= 0 or last_line < body_start:
        return
    body = line.piece(body_start, last_line + 1)
    language = _interpreter(body.value) if body.value.startswith("#!") else stage.shell
    if language:
        yield embedded(body, source.replace(language=language, context=stage.context), (0, 0))


def _command(line: _Line, start: int, stage: _Stage, source: Source, more: list[Piece] | None = None):
    """The exec or shell form at `start`; `more` words follow an exec form (CMD after ENTRYPOINT)."""
    words = _exec_form(line, start)
    if words is not None:
        words += more or []
        return program_source(words, source, stage.context, (line.offsets[start], line.offsets[-1]))
    if stage.shell is None or start >= len(line.text):
        return None
    return embedded(line.piece(start, len(line.text)), source.replace(language="shell", context=stage.context), (0, 0))


def _started(stage: _Stage, source: Source):
    """What the stage's container runs when it starts: ENTRYPOINT, with CMD as its arguments when both
    are exec forms; CMD alone without an ENTRYPOINT."""
    found = None
    if stage.entrypoint is not None:
        line, start = stage.entrypoint
        more = None
        if stage.command is not None and _exec_form(line, start) is not None:
            more = _exec_form(*stage.command)
        found = _command(line, start, stage, source, more)
    elif stage.command is not None:
        found = _command(*stage.command, stage, source)
    if found is not None:
        yield found


def _interpreter(script: str) -> str | None:
    words = script[2:].split("\n", 1)[0].split()
    program = os.path.basename(words[-1] if words and os.path.basename(words[0]) == "env" else (words or [""])[0])
    return "shell" if program in SHELLS else "python" if PYTHON_INTERPRETER.fullmatch(program) else None


def _assignments(text: str, keyword: str) -> dict[str, str]:
    """`ENV A=1 B="two words"`, the legacy `ENV A 1`, and `ARG NAME=default` (an ARG without one sets nothing)."""
    try:
        words = shlex.split(text)
    except ValueError:
        return {}
    if keyword == "ENV" and words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.split("=", 1) for word in words if "=" in word)
