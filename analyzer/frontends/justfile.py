"""justfiles (`just`): each recipe's body is what `just` runs, and a backtick in a top-level assignment
runs when the file is read.

A recipe's indented lines go to the shell one by one (their `@` and `-` prefixes are `just`'s own); a
recipe whose body starts with `#!`, or marked `[script]` / `[script("python3")]`, is one script for that
interpreter (a shell or Python; others are not read). `set shell := [...]` (and `set script-interpreter`)
name the interpreter; one that is neither a shell nor Python is not read.
`{{ expression }}` is filled in before the shell sees the line: it becomes one plain word of the same
length, so positions still match the file. A recipe named for production (`deploy-prod`) runs there.
"""

from __future__ import annotations

import os
import re

from blastguard.frontends.base import Comment, Frontend
from blastguard.frontends.command_words import Piece, embedded
from blastguard.frontends.host_document import HostDocument
from blastguard.sources import PYTHON_INTERPRETER, SHELLS, Source
from blastguard.textindex import LineIndex

_INTERPOLATION = re.compile(r"\{\{.*?\}\}")
_SET_SHELL = re.compile(r"set[ \t]+(shell|script-interpreter)[ \t]*:=[ \t]*\[[ \t]*(['\"])([^'\"]*)\2")
# `[script]` runs the body as one script with the `script-interpreter` (`sh -eu`); `[script("python3")]` names one
_SCRIPT_ATTRIBUTE = re.compile(r"\[(?:[^\]]*,[ \t]*)?script(?:[ \t]*\([ \t]*(['\"])([^'\"]*)\1)?")
_ASSIGNMENT = re.compile(r"(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_-]*[ \t]*:=")
_BACKTICK = re.compile(r"`([^`\n]+)`")
# `name param='x' *rest: dependency` (a leading `@` makes it quiet); not an assignment's `:=`
_RECIPE = re.compile(r"@?([A-Za-z_][A-Za-z0-9_-]*)[^:\n]*:(?!=)")


class JustfileFrontend(Frontend):
    language = "justfile"
    embeds = ("shell", "python")

    def parse(self, source: Source, wanted=None) -> HostDocument:
        text = source.text
        document = HostDocument(source=source, index=LineIndex(text))
        languages: dict[str, str | None] = {"shell": "shell", "script-interpreter": "shell"}
        script: str | None = None  # the interpreter a `[script]` attribute names for the next recipe
        lines = _lines(text)
        index = 0
        while index < len(lines):
            line, start = lines[index]
            index += 1
            stripped = line.strip()
            if stripped.startswith("#"):
                at = start + line.index("#")
                document.comments.append(Comment(at, start + len(line), stripped[1:]))
                continue
            if not stripped or line[0] in " \t":
                continue
            if shell := _SET_SHELL.match(line):
                languages[shell.group(1)] = _language(os.path.basename(shell.group(3)))
            elif line.startswith("["):
                if attribute := _SCRIPT_ATTRIBUTE.match(line):
                    script = attribute.group(2) or "script-interpreter"
            elif _ASSIGNMENT.match(line):
                document.scripts.extend(_backticks(line, start, source))
            elif recipe := _RECIPE.match(line):
                body = []
                while index < len(lines) and (not lines[index][0].strip() or lines[index][0][0] in " \t"):
                    body.append(lines[index])
                    index += 1
                if script is None:
                    language, linewise = languages["shell"], True
                elif script == "script-interpreter":
                    language, linewise = languages["script-interpreter"], False
                else:
                    language, linewise = _language(os.path.basename(script)), False
                found = _recipe(recipe.group(1), body, language, linewise, source)
                if found is not None:
                    document.scripts.append(found)
                script = None
        return document


def _lines(text: str) -> list[tuple[str, int]]:
    found, position = [], 0
    for line in text.split("\n"):
        found.append((line.rstrip("\r"), position))
        position += len(line) + 1
    return found


def _language(program: str) -> str | None:
    return "shell" if program in SHELLS else "python" if PYTHON_INTERPRETER.fullmatch(program) else None


def _recipe(name: str, body: list[tuple[str, int]], language: str | None, linewise: bool, source: Source):
    """The recipe's body as one source: lines the shell runs one by one (`linewise`), or one script."""
    while body and not body[-1][0].strip():
        body.pop()  # blank lines after the body belong to no recipe
    if not body:
        return None
    first = body[0][0]
    indent = len(first) - len(first.lstrip(" \t"))
    if linewise and first.lstrip(" \t").startswith("#!"):
        words = first.lstrip(" \t")[2:].split()
        program = os.path.basename(words[-1] if words and os.path.basename(words[0]) == "env" else (words or [""])[0])
        language, linewise = _language(program), False
    if language is None:
        return None
    chars: list[str] = []
    offsets: list[int] = []
    for line, start in body:
        cut = min(indent, len(line) - len(line.lstrip(" \t")))
        if linewise:  # `@` (quiet) and `-` (go on after a failure) are just's, not the shell's
            while cut < len(line) and line[cut] in "@-":
                cut += 1
        chars.append(line[cut:] + "\n")
        offsets.extend(range(start + cut, start + len(line) + 1))
    code = _INTERPOLATION.sub(lambda m: "X" * len(m.group(0)), "".join(chars))
    context = source.context
    if context.names.matches(name):
        context = context.with_production(f"recipe '{name}' is named for production")
    return embedded(Piece.at(code, offsets), source.replace(language=language, context=context), (0, 0))


def _backticks(line: str, start: int, source: Source):
    """`` version := `git describe` ``: the command runs when `just` reads the file."""
    for match in _BACKTICK.finditer(line):
        command = Piece.at(match.group(1), list(range(start + match.start(1), start + match.end(1))))
        yield embedded(command, source.replace(language="shell"), (0, 0))
