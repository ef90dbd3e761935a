"""Makefiles: each rule's recipe is shell that `make` runs.

Recipe lines (tab-indented under a rule) become one embedded shell source per rule, after what make
itself does to them: the `@`, `-` and `+` prefixes go, `$$` becomes `$`, and `$(VAR)` is replaced by
the variable's value when the Makefile assigns it a plain value (`TF := terraform`), so
`$(TF) destroy -auto-approve` is seen for what it is. Every character maps back to the Makefile.
"""

from __future__ import annotations

import re

from blastguard.frontends.base import Comment, Document, Frontend
from blastguard.records import factory, record
from blastguard.sources import Embedded, Source
from blastguard.textindex import LineIndex

_ASSIGNMENT = re.compile(r"^(?:export[ \t]+|override[ \t]+)?([A-Za-z_][\w.-]*)[ \t]*(?:::=|:=|\?=|\+=|=)[ \t]*(.*)$")
_RULE = re.compile(r"^[^\t#=][^=]*?:(?!=)")
_REFERENCE = re.compile(r"\$(?:\$|\(([^()]*)\)|\{([^{}]*)\}|([@<^*?%|+]))")
_BUILTINS = {"MAKE": "make", "CURDIR": ".", "SHELL": "/bin/sh", "RM": "rm -f"}
_PLACEHOLDER = "MAKEVALUE"  # what an unknown variable or a make function becomes: one plain word


@record(kw_only=True, identity=True)
class MakefileDocument(Document):
    recipes: list[Embedded] = factory(list)

    def children(self) -> list[Embedded]:
        return self.recipes


class MakefileFrontend(Frontend):
    language = "makefile"
    embeds = ("shell",)

    def parse(self, source: Source, wanted=None) -> MakefileDocument:
        text = source.text
        document = MakefileDocument(source=source, index=LineIndex(text))
        variables: dict[str, str] = {}
        recipe: list[tuple[str, int]] = []  # (line, offset of its first character) of the current rule
        in_rule = False
        for line in _logical_lines(text):
            content, start = line
            if content.startswith("\t") and in_rule:
                recipe.append((content, start))
            else:
                if recipe:
                    document.recipes.append(self._recipe(recipe, variables, source))
                    recipe = []
                stripped = content.strip()
                if stripped.startswith("#"):
                    offset = start + content.index("#")
                    document.comments.append(Comment(offset, start + len(content), stripped[1:]))
                elif _RULE.match(content):  # `target: deps` (an assignment's `:=` is not a rule)
                    in_rule = True
                elif match := _ASSIGNMENT.match(content):
                    variables[match.group(1)] = match.group(2).strip()
                    in_rule = False
                elif stripped:
                    in_rule = False
        if recipe:
            document.recipes.append(self._recipe(recipe, variables, source))
        return document

    def _recipe(self, lines: list[tuple[str, int]], variables: dict[str, str], source: Source) -> Embedded:
        chars: list[str] = []
        offsets: list[int] = []
        for content, start in lines:
            body = content[1:]  # the recipe tab
            skipped = len(body) - len(body.lstrip("@-+ \t"))
            _expand(body[skipped:], start + 1 + skipped, variables, chars, offsets)
            chars.append("\n")
            offsets.append(start + len(content))
        offsets.append(offsets[-1] + 1 if offsets else 0)
        return Embedded(Source(source.path, "".join(chars), "shell", source.context), offsets)


def _logical_lines(text: str):
    """(line, start offset) with backslash-newline continuations kept inside the line."""
    start = 0
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line + "\n" + lines[i]
        yield line, start
        start += len(line) + 1
        i += 1


def _expand(
    text: str, start: int, variables: dict[str, str], chars: list[str], offsets: list[int], depth: int = 0
) -> None:
    """Append `text` with make's `$` references resolved; each produced character maps to `start + i`."""
    i = 0
    for match in _REFERENCE.finditer(text):
        for k in range(i, match.start()):
            chars.append(text[k])
            offsets.append(start + k)
        at = start + match.start()
        name = match.group(1) if match.group(1) is not None else match.group(2)
        if match.group(0) == "$$":
            value = "$"
        elif name is None or " " in name or depth > 3:
            value = _PLACEHOLDER  # automatic variables and functions: $@, $(shell …), $(wildcard …)
        elif name in variables:
            nested_chars: list[str] = []
            _expand(variables[name], at, variables, nested_chars, [], depth + 1)
            value = "".join(nested_chars)
        else:
            value = _BUILTINS.get(name, _PLACEHOLDER)
        chars.extend(value)
        # Spread the value over the reference, its last character on the reference's last, so a
        # finding that covers the value covers the whole `$(VAR)` in the Makefile.
        width = match.end() - match.start()
        offsets.extend(at + (min(k, width - 1) if k < len(value) - 1 else width - 1) for k in range(len(value)))
        i = match.end()
    for k in range(i, len(text)):
        chars.append(text[k])
        offsets.append(start + k)
