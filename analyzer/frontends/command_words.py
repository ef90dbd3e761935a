"""Commands a host file gives as a list of words (Dockerfile `RUN ["rm", "-rf", "/x"]`, a compose
`command:` list, a Kubernetes container's `command` and `args`), read as the shell would run them.

Each word keeps where its characters are in the host. `sh -c SCRIPT` (and `bash -ec`, `python3 -c`)
hands its script to that interpreter: the script is the source, character for character. Any other
list is one command: its words joined by blanks, each quoted where the shell would split it, so the
shell rules judge the program and its arguments exactly as written.
"""

from __future__ import annotations

import os
import re
import shlex

from blastguard.sources import PYTHON_INTERPRETER, SHELLS, Embedded, Source

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from blastguard.context import Context

# `-c`, and clusters that end with it (`-ec`, `-lc`, `-euxc`): the next word is the script.
_SCRIPT_OPTION = re.compile(r"-[a-z]*c")


class Piece:
    """A word from a host file: its value, and where each of its characters starts and ends in the host
    (an escape such as `\\"` is one character spanning two)."""

    __slots__ = ("ends", "starts", "value")

    def __init__(self, value: str, starts: list[int], ends: list[int]) -> None:
        self.value, self.starts, self.ends = value, starts, ends

    @classmethod
    def spanning(cls, value: str, start: int, end: int) -> Piece:
        """A word whose characters cannot be told apart in the host: each stands for the whole span."""
        return cls(value, [start] * len(value), [end] * len(value))

    @classmethod
    def at(cls, value: str, offsets: list[int]) -> Piece:
        """A word whose character i is at `offsets[i]`."""
        return cls(value, offsets[: len(value)], [o + 1 for o in offsets[: len(value)]])

    def replace(self, pattern: re.Pattern, replacement) -> Piece:
        """The word with `pattern`'s matches replaced by `replacement(match)` (a string); the new text
        stands for the whole match."""
        value, starts, ends, last = [], [], [], 0
        for match in pattern.finditer(self.value):
            value.append(self.value[last : match.start()])
            starts.extend(self.starts[last : match.start()])
            ends.extend(self.ends[last : match.start()])
            new = replacement(match)
            value.append(new)
            starts.extend([self.starts[match.start()]] * len(new))
            ends.extend([self.ends[match.end() - 1]] * len(new))
            last = match.end()
        if last == 0:
            return self
        value.append(self.value[last:])
        starts.extend(self.starts[last:])
        ends.extend(self.ends[last:])
        return Piece("".join(value), starts, ends)

    @property
    def start(self) -> int | None:
        return self.starts[0] if self.starts else None

    @property
    def end(self) -> int | None:
        return self.ends[-1] if self.ends else None


def program_source(words: list[Piece], source: Source, context: Context, span: tuple[int, int]) -> Embedded | None:
    """What running `words` runs, as an embedded source; None for an empty list. `span` is the list's
    place in the host, for a word that has no characters."""
    if not words:
        return None
    program = os.path.basename(words[0].value)
    language = "shell" if program in SHELLS else "python" if PYTHON_INTERPRETER.fullmatch(program) else None
    if language:
        for index, word in enumerate(words[1:-1], start=1):
            if word.value == "--":
                break
            if _SCRIPT_OPTION.fullmatch(word.value) and (language == "shell" or word.value == "-c"):
                return embedded(words[index + 1], source.replace(language=language, context=context), span)
            if not word.value.startswith("-"):
                break  # a script file and its arguments
    return _joined(words, source.replace(language="shell", context=context), span)


def embedded(word: Piece, source: Source, span: tuple[int, int]) -> Embedded:
    """`word`'s text as a source of `source`'s language."""
    start = word.start if word.start is not None else span[0]
    end = word.end if word.end is not None else start
    child = Source(source.path, word.value, source.language, source.context)
    return Embedded(child, [*word.starts, end], None, list(word.ends))


def _joined(words: list[Piece], source: Source, span: tuple[int, int]) -> Embedded:
    """One command: the words joined by blanks, each quoted where the shell would otherwise split it."""
    text: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for word in words:
        first = word.start if word.start is not None else (ends[-1] if ends else span[0])
        last = word.end if word.end is not None else first
        if text:  # the blank between two words stands where the previous one ends
            text.append(" ")
            starts.append(ends[-1])
            ends.append(first)
        quoted = shlex.quote(word.value)
        if quoted == word.value:
            starts.extend(word.starts)
            ends.extend(word.ends)
        elif "'" not in word.value:  # 'value': the quotes stand at the word's first and last characters
            starts.extend([first, *word.starts, max(last - 1, first)])
            ends.extend([first + 1 if word.value else last, *word.ends, last])
        else:  # spelled with '"'"' for each quote inside: every character stands for the whole word
            starts.extend([first] * len(quoted))
            ends.extend([last] * len(quoted))
        text.append(quoted)
    code = "".join(text)
    return Embedded(Source(source.path, code, "shell", source.context), [*starts, ends[-1]], None, ends)
