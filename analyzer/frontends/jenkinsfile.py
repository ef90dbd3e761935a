"""Jenkinsfile: the `sh` steps of a pipeline are shell.

A Jenkinsfile is Groovy, and no well-kept Groovy parser exists for Python, so this is a scanner: it
knows Groovy's comments and string forms well enough to never take text inside them for code, and
reads the argument of each `sh` step: `sh '…'`, `sh "…"`, a triple-quoted string of either quote,
`sh(script: '…')`, `sh script: '…', returnStdout: true`. A string's escapes are undone (each character maps to where its
escape starts); in a `"…"` string Groovy fills `${…}` and `$name` in before the shell runs, so each is one
plain word of equal length. A script that is not one string literal (a variable, a concatenation) is
reported as not checked rather than skipped.

`stage('Deploy prod') { … }` makes the steps inside production when its name says so, and the
`KEY = 'value'` lines of an `environment { … }` block are the environment of the steps in its scope
(a value named like production makes them production too).
"""

from __future__ import annotations

import re

from blastguard.frontends.base import Comment, Document, Frontend, Problem
from blastguard.records import factory, record
from blastguard.sources import Embedded, Source
from blastguard.textindex import LineIndex

_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_BLANKS = re.compile(r"[ \t]*(?:\\\n[ \t]*)*")
# Groovy's escapes in every string form but slashy ones.
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "s": " ", "t": "\t", "\\": "\\", "'": "'", '"': '"', "$": "$"}
# Methods that only trim a script's blanks: the shell reads the same commands.
_TRIMS = {"stripIndent", "trim", "stripTrailing", "stripLeading"}
_METHOD_CALL = re.compile(r"\.(\w+)\(\)")
_GSTRING_NAME = re.compile(r"\$[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*")
_ENV_ENTRY = re.compile(r"([A-Za-z_]\w*)[ \t]*=[ \t]*")


@record(kw_only=True, identity=True)
class JenkinsfileDocument(Document):
    scripts: list[Embedded] = factory(list)

    def children(self) -> list[Embedded]:
        return self.scripts


class JenkinsfileFrontend(Frontend):
    language = "jenkinsfile"
    embeds = ("shell",)

    def parse(self, source: Source, wanted=None) -> JenkinsfileDocument:
        document = JenkinsfileDocument(source=source, index=LineIndex(source.text))
        _Scanner(source, document).run()
        return document


class _Literal:
    """A string literal: its value, the host offset of each value character (and one past the end),
    and whether Groovy interpolates it."""

    __slots__ = ("value", "offsets", "start", "end", "interpolated")

    def __init__(self, value: str, offsets: list[int], start: int, end: int, interpolated: bool) -> None:
        self.value, self.offsets, self.start, self.end, self.interpolated = value, offsets, start, end, interpolated


class _Unreadable(Exception):
    """Text the scanner cannot read with certainty (an unterminated string or comment)."""

    def __init__(self, at: int, reason: str) -> None:
        super().__init__(reason)
        self.at, self.reason = at, reason


class _Scanner:
    def __init__(self, source: Source, document: JenkinsfileDocument) -> None:
        self.text = source.text
        self.source = source
        self.document = document
        # Open blocks: (brace depth, production evidence, environment) of each `stage`/`environment` scope.
        self.scopes: list[tuple[int, tuple[str, ...], dict[str, str]]] = []
        self.depth = 0
        self.pending_scope: tuple[tuple[str, ...], dict[str, str]] | None = None

    # --- the main loop: code, skipping comments and strings -------------------------------------

    def run(self) -> None:
        text, i = self.text, 0
        try:
            while i < len(text):
                ch = text[i]
                if text.startswith("//", i) or text.startswith("/*", i):
                    i = self._comment(i)
                elif ch in "'\"":
                    i = self._string(i).end
                elif ch == "{":
                    self.depth += 1
                    if self.pending_scope is not None:
                        self.scopes.append((self.depth, *self.pending_scope))
                        self.pending_scope = None
                    i += 1
                elif ch == "}":
                    while self.scopes and self.scopes[-1][0] >= self.depth:
                        self.scopes.pop()
                    self.depth -= 1
                    i += 1
                elif (m := _IDENTIFIER.match(text, i)) and (i == 0 or not _is_word(text[i - 1])):
                    i = self._identifier(m.group(0), m.end())
                else:
                    i += 1
        except _Unreadable as exc:
            self.document.unchecked.append(Problem(exc.at, len(text), f"the Jenkinsfile from here on: {exc.reason}"))

    def _identifier(self, name: str, end: int) -> int:
        k = end - len(name) - 1
        while k >= 0 and self.text[k] in " \t\r\n":
            k -= 1
        if k >= 0 and self.text[k] == ".":
            return end  # `foo.sh`: a method of another object
        if name == "sh":
            return self._sh(end - 2, end)
        if name == "stage":
            return self._stage(end)
        if name == "environment":
            return self._environment(end)
        return end

    def _comment(self, i: int) -> int:
        text = self.text
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            self.document.comments.append(Comment(i, end, text[i + 2 : end]))
            return end
        end = text.find("*/", i + 2)
        if end < 0:
            raise _Unreadable(i, "a comment that is never closed")
        self.document.comments.append(Comment(i, end + 2, text[i + 2 : end]))
        return end + 2

    def _skip(self, i: int, newlines: bool) -> int:
        """Past blanks and comments (and line breaks, when `newlines`)."""
        text = self.text
        while i < len(text):
            if text[i] in " \t\r" or (text[i] == "\n" and newlines) or text.startswith("\\\n", i):
                i += 2 if text[i] == "\\" else 1
            elif text.startswith(("/*", "//"), i):  # a line comment stops before its line break
                i = self._comment(i)
            else:
                break
        return i

    # --- `sh` steps -------------------------------------------------------------------------------

    def _sh(self, start: int, i: int) -> int:
        text = self.text
        j = self._skip(i, False)
        parenthesised = text.startswith("(", j)
        if parenthesised:
            j = self._skip(j + 1, True)
        elif j >= len(text) or not (text[j] in "'\"" or _IDENTIFIER.match(text, j)):
            return i  # `sh` is not called here (`def sh = …`, `sh.call`)
        elif (m := _IDENTIFIER.match(text, j)) and (
            text.startswith("=", self._skip(m.end(), False)) and not text.startswith("==", self._skip(m.end(), False))
        ):
            return i  # `sh = …`
        script: _Literal | None = None
        unreadable = False
        positional = 0
        while True:
            j = self._skip(j, parenthesised)
            if j >= len(text) or text[j] in ")\n;}":
                break
            name = _IDENTIFIER.match(text, j)
            after_name = self._skip(name.end(), False) if name else j
            is_named = bool(name) and text.startswith(":", after_name) and not text.startswith("::", after_name)
            key = name.group(0) if name and is_named else None
            value_start = self._skip(after_name + 1, True) if is_named else j
            literal, j = self._argument(value_start, parenthesised)
            if key == "script" or (key is None and positional == 0):
                script, unreadable = literal, literal is None
            if key is None:
                positional += 1
            j = self._skip(j, parenthesised)
            if text.startswith(",", j):
                j = self._skip(j + 1, True)
                continue
            break
        end = j + 1 if parenthesised and text.startswith(")", j) else j
        if unreadable:
            where = text[start:end].rstrip()
            self.document.unchecked.append(
                Problem(start, start + len(where), "an `sh` step whose script is not one string literal")
            )
        elif script is not None:
            self.document.scripts.append(self._embedded(script))
        return max(end, i)

    def _argument(self, i: int, parenthesised: bool) -> tuple[_Literal | None, int]:
        """A string literal (possibly trimmed: `'''…'''.stripIndent()`) and where the argument ends; None
        for any other expression, which is skipped to its end."""
        text = self.text
        literal = None
        if i < len(text) and text[i] in "'\"":
            literal = self._string(i)
            j = literal.end
            while (m := _METHOD_CALL.match(text, self._skip(j, False))) and m.group(1) in _TRIMS:
                j = m.end()
            k = self._skip(j, parenthesised)
            if k >= len(text) or text[k] in ",)\n;}":
                return literal, j
        return None, self._expression_end(i, parenthesised)

    def _expression_end(self, i: int, parenthesised: bool) -> int:
        text, depth = self.text, 0
        while i < len(text):
            ch = text[i]
            if text.startswith("//", i) or text.startswith("/*", i):
                i = self._comment(i)
                continue
            if ch in "'\"":
                i = self._string(i).end
                continue
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                if depth == 0:
                    return i
                depth -= 1
            elif depth == 0 and (ch == "," or (ch == "\n" and not parenthesised)):
                return i
            i += 1
        return i

    def _embedded(self, literal: _Literal) -> Embedded:
        context = self.source.context
        for _, evidence, env in self.scopes:
            context = context.with_env(env).with_production(*evidence)
        return Embedded(Source(self.source.path, literal.value, "shell", context), literal.offsets)

    # --- context: stages and environment blocks ---------------------------------------------------

    def _stage(self, i: int) -> int:
        text = self.text
        j = self._skip(i, False)
        if not text.startswith("(", j):
            return i
        j = self._skip(j + 1, True)
        if j < len(text) and text[j] in "'\"":
            name = self._string(j)
            if self.source.context.names.matches(name.value):
                self.pending_scope = ((f"stage '{name.value}'",), {})
            return name.end
        return j

    def _environment(self, i: int) -> int:
        """`environment { KEY = 'value' … }`: literal values become the scope's environment."""
        text = self.text
        j = self._skip(i, False)
        if not text.startswith("{", j):
            return i
        env: dict[str, str] = {}
        j += 1
        while True:
            j = self._skip(j, True)
            m = _ENV_ENTRY.match(text, j)
            if not m or m.end() >= len(text):
                break
            if text[m.end()] not in "'\"":  # `KEY = credentials('id')`: a value only the run knows
                j = self._expression_end(m.end(), False)
                continue
            value = self._string(m.end())
            if "$" not in text[value.start : value.end] or not value.interpolated:  # an interpolation is unknown
                env[m.group(1)] = value.value
            j = value.end
        evidence = tuple(
            f"environment sets {key} = '{value}'"
            for key, value in env.items()
            if self.source.context.names.matches(value)
        )
        # The block's own scope is its parent's: it sets what the steps beside it see.
        parent_depth = self.depth
        self.scopes.append((parent_depth, evidence, env))
        return i

    # --- string literals ----------------------------------------------------------------------------

    def _string(self, i: int) -> _Literal:
        text = self.text
        quote = text[i]
        triple = text.startswith(quote * 3, i)
        delimiter = quote * 3 if triple else quote
        interpolated = quote == '"'
        j = i + len(delimiter)
        value: list[str] = []
        offsets: list[int] = []
        while True:
            if j >= len(text) or (not triple and text[j] == "\n"):
                raise _Unreadable(i, "a string that is never closed")
            if text.startswith(delimiter, j):
                break
            ch = text[j]
            if ch == "\\":
                nxt = text[j + 1 : j + 2]
                if nxt == "\n":  # a line continuation: neither character is in the value
                    j += 2
                    continue
                if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[j + 2 : j + 6]):
                    value.append(chr(int(text[j + 2 : j + 6], 16)))
                    offsets.append(j)
                    j += 6
                    continue
                value.append(_ESCAPES.get(nxt, nxt))
                offsets.append(j)
                j += 2
                continue
            if interpolated and ch == "$":
                end = self._interpolation_end(j)
                if end > j + 1:
                    # Groovy fills this in before the shell runs: one plain word of equal length.
                    value.extend("X" * (end - j))
                    offsets.extend(range(j, end))
                    j = end
                    continue
            value.append(ch)
            offsets.append(j)
            j += 1
        end = j + len(delimiter)
        return _Literal("".join(value), offsets + [j], i, end, interpolated)

    def _interpolation_end(self, j: int) -> int:
        """Where a GString's `${…}` or `$name.field` that starts at `j` ends; `j + 1` when it is a plain `$`."""
        text = self.text
        if text.startswith("${", j):
            depth, k = 0, j + 1
            while k < len(text):
                if text[k] in "'\"":
                    k = self._string(k).end
                    continue
                depth += {"{": 1, "}": -1}.get(text[k], 0)
                k += 1
                if depth == 0:
                    return k
            raise _Unreadable(j, "an interpolation that is never closed")
        m = _GSTRING_NAME.match(text, j)
        return m.end() if m else j + 1


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"
