"""tox.ini: the `commands`, `commands_pre` and `commands_post` of each `[testenv…]` section.

Read as an INI file is (a `key = value` whose value goes on over the more indented lines after it;
whole-line `#` / `;` comments), keeping the position of every character. Each command line is one
command: tox splits it into words and runs it without a shell, and the shell rules judge its program
and arguments the same way. A leading `-` (go on when it fails) and `!` are not part of the command.
tox's substitutions (`{posargs}`, `{envdir}`, `{env:NAME:default}`) become one plain word of equal
length. A section named like production (`[testenv:deploy-prod]`) makes its commands production;
its `setenv` values are their environment. A substitution left open is reported as not checked.
"""

from __future__ import annotations

import re

from blastguard.frontends.base import Comment, Document, Frontend, Problem
from blastguard.records import factory, record
from blastguard.sources import Embedded, Source
from blastguard.textindex import LineIndex

_SECTION = re.compile(r"\[([^\]\n]*)\][ \t]*(?:[#;][^\n]*)?$")
_KEY = re.compile(r"([^=:\s][^=:\n]*?)[ \t]*[=:][ \t]*")
_COMMAND_KEYS = frozenset({"commands", "commands_pre", "commands_post"})
_INLINE_COMMENT = re.compile(r"(?<![\\\S])#")
_SETENV_LINE = re.compile(r"\s*([A-Za-z_]\w*)\s*=\s*(.*?)\s*$")


@record(kw_only=True, identity=True)
class ToxDocument(Document):
    scripts: list[Embedded] = factory(list)

    def children(self) -> list[Embedded]:
        return self.scripts


class ToxFrontend(Frontend):
    language = "tox"
    embeds = ("shell",)

    def parse(self, source: Source, wanted=None) -> ToxDocument:
        document = ToxDocument(source=source, index=LineIndex(source.text))
        sections = _sections(source.text, document)
        for name, values in sections:
            if name != "testenv" and not name.startswith("testenv:"):
                continue
            context = source.context
            setenv = values.get("setenv")
            if setenv is not None:
                context = context.with_env(_setenv(setenv[0]))
            if source.context.names.matches(name.partition(":")[2]):
                context = context.with_production(f"tox environment [{name}]")
            for key in ("commands_pre", "commands", "commands_post"):
                if key in values:
                    document.scripts += _commands(*values[key], source, context, document)
        return document


def _sections(text: str, document: ToxDocument) -> list[tuple[str, dict[str, tuple[str, int]]]]:
    """Each section's name and its keys' values, with the offset where each value starts. A value's
    continuation lines stay in it, line breaks and all, so its characters keep their offsets."""
    spans: list[tuple[str, dict[str, list[int]]]] = []  # each key's value as [start, end]
    key: str | None = None
    position = 0
    for line in text.splitlines(keepends=True):
        start, body = position, line.rstrip("\r\n")
        position += len(line)
        stripped = body.strip()
        if not stripped or stripped[0] in "#;":
            if stripped:
                document.comments.append(Comment(start + body.index(stripped[0]), start + len(body), stripped[1:]))
            continue
        if body[0] in " \t" and key is not None:  # a continuation line of the current value
            spans[-1][1][key][1] = start + len(body)
            continue
        key = None
        if body.startswith("["):
            match = _SECTION.match(body)
            if match is None:
                reason = "a section header of tox.ini is not closed, so none of its commands were read"
                document.unchecked.append(Problem(start, start + len(body), reason))
                return []
            spans.append((match.group(1).strip(), {}))
            continue
        match = _KEY.match(body)
        if match and spans:
            key = match.group(1).strip().lower()
            spans[-1][1][key] = [start + match.end(), start + len(body)]
    return [(name, {k: (text[a:b], a) for k, (a, b) in values.items()}) for name, values in spans]


def _setenv(value: str) -> dict[str, str]:
    env = {}
    for line in value.splitlines():
        match = _SETENV_LINE.match(line)
        if match and "{" not in match.group(2):
            env[match.group(1)] = match.group(2)
    return env


def _commands(value: str, value_start: int, source: Source, context, document: ToxDocument) -> list[Embedded]:
    """One embedded command per logical line: a line ending in `\\` goes on on the next."""
    found = []
    lines = re.split(r"(?<!\\)\n", value)
    offset = value_start
    for line in lines:
        line_start, offset = offset, offset + len(line) + 1
        comment = _INLINE_COMMENT.search(line)
        code = line[: comment.start()] if comment else line
        if comment and code.strip():  # after a command: where a suppression of its findings is written
            document.comments.append(
                Comment(line_start + comment.start(), line_start + len(line), line[comment.end() :])
            )
        stripped = code.lstrip(" \t")
        at = line_start + len(code) - len(stripped)
        while stripped[:1] in ("-", "!") and not stripped.startswith("--"):  # `- cmd` goes on when it fails
            rest = stripped[1:]
            stripped = rest.lstrip(" \t")
            at += 1 + len(rest) - len(stripped)
        stripped = stripped.rstrip()
        if not stripped:
            continue
        replaced = _substitutions(stripped)
        if replaced is None:
            document.unchecked.append(Problem(at, at + len(stripped), "a tox substitution that is never closed"))
            continue
        offsets = list(range(at, at + len(replaced) + 1))
        found.append(Embedded(Source(source.path, replaced, "shell", context), offsets))
    return found


def _substitutions(text: str) -> str | None:
    """`text` with each `{…}` (nested ones included) as one plain word of its length; None if one is left open."""
    out, depth, opened = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "{}" and depth == 0:
            out.append(ch)
            continue
        if ch == "{" and (i == 0 or text[i - 1] != "\\"):
            depth, opened = depth + 1, opened if depth else i
        elif ch == "}" and depth and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                out.append("X" * (i + 1 - opened))
            continue
        if depth == 0:
            out.append(ch)
    return None if depth else "".join(out)
