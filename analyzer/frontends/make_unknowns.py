"""How a Makefile value that only the run knows is written into the shell text the shell rules read.

In an argument it is one plain word, `MAKEVALUE`: `rm -rf $(BUILDDIR)/*` with BUILDDIR from the
environment reads `rm -rf MAKEVALUE/*`, a delete below a folder of its own, as the shell rules read
`rm -rf $BUILDDIR/*` (a path only the run names is no dangerous target). Where the shell looks for the
program it is a variable reference, `${TF}`, so `$(TF) destroy -auto-approve` is the unknown program it is
and SH900's policy for unknown programs applies to it as to `$TF destroy -auto-approve` in a script.

The reference is named after the make variable when the value is that variable's, else `MAKE_UNKNOWN`.
A name the shell text uses on its own is not taken (`TF=echo; $(TF) -rf /`: the shell's TF is not make's),
so a renderer reports the names it wrote and the caller renders again with those it must avoid.
"""

from __future__ import annotations

import re

from blastguard.frontends.make_expansion import UNKNOWN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from blastguard.sources import Embedded

_PLACEHOLDER = "MAKEVALUE"  # an unknown argument: one plain word
# Environment variables make imports whose meaning the shell rules know: `rm -rf $(HOME)` is `rm -rf $HOME`.
_SHELL_KNOWS = frozenset({"HOME"})
_PROGRAM = "MAKE_UNKNOWN"  # an unknown program that is no single make variable's value
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# Where a new command starts in shell text, and the words that may stand before its program.
_SEPARATORS = frozenset(";&|(`\n")
_RESERVED = frozenset({"if", "then", "do", "else", "elif", "while", "until", "!", "{", "time"})
_PREFIX_COMMANDS = frozenset({"sudo", "env", "exec", "command", "nohup", "nice", "xargs", "time"})


class UnknownWords:
    """Writes the unknown parts of expanded values; `taken` are names the shell text itself uses."""

    def __init__(self, taken: frozenset[str] = frozenset()) -> None:
        self.taken = taken
        self.written: set[str] = set()  # the names of the variable references written

    def render(self, value: str, reference: str, position: ShellPosition) -> str:
        """`value`, the expansion of the make reference whose body is `reference`, with each unknown part
        written for the shell; `position` is where the shell line stands before it, and is fed the value."""
        parts: list[str] = []
        i = 0
        for run in re.finditer(f"{UNKNOWN}+", value):
            parts.append(value[i : run.start()])
            position.feed(value[i : run.start()])
            position.feed(UNKNOWN)  # a word character
            whole = value.strip() == run.group() and _IDENTIFIER.fullmatch(reference)
            if position.at_program() or (whole and reference in _SHELL_KNOWS and reference not in self.taken):
                name = self._free(reference if whole else _PROGRAM)
                self.written.add(name)
                parts.append("${" + name + "}")
            else:
                parts.append(_PLACEHOLDER)
            i = run.end()
        parts.append(value[i:])
        position.feed(value[i:])
        return "".join(parts)

    def clashes(self, text: str) -> frozenset[str]:
        """The names written here that `text`, the whole shell source, also uses otherwise than as `${name}`
        (`TF=echo`, `read TF`): there the shell could set what the reference reads."""
        return frozenset(
            name
            for name in self.written
            if len(re.findall(rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])", text)) > text.count("${" + name + "}")
        )

    def _free(self, name: str) -> str:
        while name in self.taken:
            name += "_"
        return name


def render_without_clashes(render: Callable[[UnknownWords], list[Embedded]]) -> list[Embedded]:
    """The embedded shell sources `render(words)` builds with an `UnknownWords`, built again with more names
    avoided until none it wrote clashes with the shell text. Ends: each round avoids a name the text holds."""
    taken: frozenset[str] = frozenset()
    while True:
        words = UnknownWords(taken)
        embedded = render(words)
        clashes = words.clashes("\n".join(child.source.text for child in embedded))
        if not clashes:
            return embedded
        taken |= clashes


class ShellPosition:
    """Where a shell line read so far stands, fed piece by piece: whether the word it ends in (a new word
    after a blank) is the program of a command, the first word after a separator, reserved words,
    assignments and prefix commands."""

    def __init__(self) -> None:
        self._words: list[str] = []  # the earlier words of the command the line ends in
        self._word = ""
        self._quote = ""
        self._escaped = False  # the last character fed was a backslash outside single quotes
        self._started = False  # past make's recipe prefixes `@`, `-`, `+`

    def feed(self, text: str) -> None:
        for char in text:
            self._char(char)

    def _char(self, char: str) -> None:
        if not self._started:
            if char in "@-+ \t":
                return
            self._started = True
        if self._escaped:  # an escaped character, or a backslash-newline that only continues the line
            self._escaped = False
            if char == "\n" and not self._quote:
                self._end_word()
            else:
                self._word += char
        elif char == "\\" and self._quote != "'":
            self._escaped = True
        elif self._quote:
            self._word += char
            self._quote = "" if char == self._quote else self._quote
        elif char in "'\"":
            self._quote = char
            self._word += char
        elif char in _SEPARATORS:
            self._words, self._word = [], ""
        elif char in " \t)":
            self._end_word()
        else:
            self._word += char

    def _end_word(self) -> None:
        if self._word:
            self._words.append(self._word)
        self._word = ""

    def at_program(self) -> bool:
        if self._quote == "'" or _ASSIGNMENT_WORD.match(self._word):
            return False  # make writes the value into a literal string, or it is assigned, not run
        after_prefix = False
        for earlier in self._words:
            if earlier in _PREFIX_COMMANDS:
                after_prefix = True
            elif not (earlier in _RESERVED or _ASSIGNMENT_WORD.match(earlier) or after_prefix and earlier[:1] == "-"):
                return False
        return True
