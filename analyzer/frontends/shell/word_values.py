"""Shell words: their values after quote removal, with the document offset of every character.

A word's value is what the program receives: quotes removed, backslash escapes and `$'…'` decoded,
and variables expanded when their value is known from earlier in the script (or from the host's
environment). An expansion that is not known stays as its source text (`$HOME`, `$(date)`), and the
word is then not `literal`. Offsets are exact for quoted text, so SQL found in `psql -c "…"` and a
script found in `bash -c '…'` map back to the very characters they were written as.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from blastguard.frontends.shell.syntax_steps import Layer
from blastguard.records import Record, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: the parser is loaded by `syntax_steps`, without the packages' __init__
    from tree_sitter import Node

Lookup = Callable[[str, "str | None"], "str | None"]  # a variable's known value (or its default), or None
# What a `$(…)` or `<(…)` (the node, in its layer) writes, when the script shows it; None when unknown.
Substitute = Callable[["Node", Layer], "Word | None"]
# More words than a brace expansion may produce before the word is left unexpanded (and reported).
MAX_BRACE_WORDS = 1024
_MAX_BRACE_CHARACTERS = 1 << 20  # and no more text than this, so a long word cannot make it slow


@record(identity=True)
class Word(Record):
    value: str
    offsets: tuple[int, ...]  # document offset of each character of `value`, plus one past the last
    start: int  # the whole word as written, quotes included, in document offsets
    end: int
    literal: bool = True  # no expansion that is only known at run time

    # Written by hand, and not frozen: a word is made for every word of every command, and this is ~3x
    # faster than the generic __init__ or one that stores past a frozen class's refusal.
    def __init__(self, value: str, offsets: tuple[int, ...], start: int, end: int, literal: bool = True) -> None:
        self.value, self.offsets, self.start, self.end, self.literal = value, offsets, start, end, literal

    def slice(self, start: int, end: int | None = None) -> Word:
        """Part of the value, e.g. the `prod` of `--context=prod`."""
        end = len(self.value) if end is None else end
        offsets = self.offsets[start:end] + ((self.offsets[end - 1] + 1,) if end > start else (self.offsets[start],))
        return Word(self.value[start:end], offsets, offsets[0], offsets[-1], self.literal)


def join(words: list[Word], separator: str = " ") -> Word:
    """Words joined as `eval` and `ssh` join their arguments; a separator maps to the end of the word before it."""
    value, offsets = [], []
    for index, word in enumerate(words):
        if index:
            value.append(separator)
            offsets.extend([words[index - 1].end] * len(separator))
        value.append(word.value)
        offsets.extend(word.offsets[:-1])
    offsets.append(words[-1].offsets[-1])
    return Word("".join(value), tuple(offsets), words[0].start, words[-1].end, all(w.literal for w in words))


class _Builder:
    """Collects a value and, per character, its index in the layer."""

    def __init__(self, layer: Layer, substitute: Substitute | None = None) -> None:
        self.layer = layer
        self.substitute = substitute
        self.chars: list[str] = []
        self.positions: list[int] = []
        self.literal = True

    def add(self, text: str, position: int) -> None:
        """`text` as written at layer index `position` onward."""
        self.chars.append(text)
        self.positions.extend(range(position, position + len(text)))

    def add_at(self, text: str, position: int) -> None:
        """`text` produced by the source at `position` (an escape, a variable's value)."""
        self.chars.append(text)
        self.positions.extend([position] * len(text))

    def word(self, node: Node) -> Word:
        layer = self.layer
        start, end = layer.span(node)
        offsets = [layer.doc(p) for p in self.positions]
        offsets.append(offsets[-1] + 1 if offsets else start)
        return Word("".join(self.chars), tuple(offsets), start, end, self.literal)


def decode(node: Node, layer: Layer, lookup: Lookup, substitute: Substitute | None = None) -> Word:
    builder = _Builder(layer, substitute)
    _decode(node, builder, lookup)
    return builder.word(node)


class TooManyWords(Exception):
    """A brace expansion that would produce more than MAX_BRACE_WORDS words."""


def decode_fields(node: Node, layer: Layer, lookup: Lookup, substitute: Substitute | None = None) -> list[Word]:
    """The words an argument becomes: an unquoted `$X` or `$(…)` whose value holds IFS characters splits
    into several (`CMD="rm -rf"; $CMD /` runs rm, and so does `IFS=,; CMD=rm,-rf; $CMD /`); an unquoted
    brace expansion becomes one word per alternative (`{rm,-rf,/}` is `rm -rf /`). Raises TooManyWords."""
    word = decode(node, layer, lookup, substitute)
    if node.type in ("simple_expansion", "expansion", "command_substitution") and word.literal:
        return _split(word, lookup("IFS", None))
    if node.type == "string" and _only_all_arguments(node) and word.literal:
        return _split(word, None)  # `"$@"`: one word per argument
    if node.type in ("word", "concatenation", "brace_expression") and "{" in word.value and _unquoted(node):
        return expand_braces(word)
    return [word]


def _split(word: Word, ifs: str | None) -> list[Word]:
    separators = " \t\n" if ifs is None else ifs
    if not separators:
        return [word]
    pattern = re.compile(f"[^{re.escape(separators)}]+")
    return [word.slice(m.start(), m.end()) for m in pattern.finditer(word.value)]


def _only_all_arguments(node: Node) -> bool:
    children = node.named_children
    return (
        len(children) == 1
        and children[0].type in ("simple_expansion", "expansion")
        and any(c.type == "special_variable_name" and c.text in (b"@", b"*") for c in children[0].named_children)
    )


def _unquoted(node: Node) -> bool:
    """Only unquoted text: a quoted brace is not expanded."""
    if node.type in ("word", "brace_expression"):
        return True
    return all(c.type in ("word", "brace_expression") for c in node.named_children)


_BRACE = re.compile(r"\{([^{}]*)\}")
_SEQUENCE = re.compile(r"(-?\d{1,18}|[A-Za-z])\.\.(-?\d{1,18}|[A-Za-z])(?:\.\.(-?\d{1,18}))?")  # bash's own limit


def expand_braces(word: Word) -> list[Word]:
    """`a{b,c}d` as bash expands it: `abd acd`; `{1..3}` too. Each part maps to the characters it came from."""
    words = [word]
    for _ in range(64):  # each round expands the innermost braces of every word
        expanded, changed, size = [], False, 0
        for current in words:
            parts = _expand_once(current)
            changed |= parts is not None
            expanded += parts if parts is not None else [current]
            size += sum(len(part.value) for part in parts) if parts is not None else len(current.value)
            if len(expanded) > MAX_BRACE_WORDS or size > _MAX_BRACE_CHARACTERS:
                raise TooManyWords(word.value)
        words = expanded
        if not changed:
            return words
    raise TooManyWords(word.value)


def _expand_once(word: Word) -> list[Word] | None:
    """The words of the first (innermost) brace expression of `word` that expands; None when none does."""
    for match in _BRACE.finditer(word.value):
        body = match.group(1)
        before, after = word.slice(0, match.start()), word.slice(match.end())
        if "," in body:
            starts = [0] + [i + 1 for i, c in enumerate(body) if c == ","]
            ends = [i - 1 for i in starts[1:]] + [len(body)]
            inner = match.start(1)
            parts = [word.slice(inner + a, inner + b) for a, b in zip(starts, ends)]
        else:
            sequence = _SEQUENCE.fullmatch(body)
            if sequence is None:
                continue
            values = _sequence(*sequence.groups())
            if values is None:
                continue
            if len(values) > MAX_BRACE_WORDS:
                raise TooManyWords(word.value)
            anchor = word.slice(match.start(), match.end())
            parts = [
                Word(v, (anchor.offsets[0],) * len(v) + (anchor.offsets[-1],), anchor.start, anchor.end, word.literal)
                for v in values
            ]
        return [_concat(before, part, after, word) for part in parts]
    return None


def _sequence(first: str, last: str, step: str | None) -> list[str] | None:
    by = abs(int(step)) if step else 1
    by = by or 1
    if first.lstrip("-").isdigit() and last.lstrip("-").isdigit():
        a, b = int(first), int(last)
        if abs(b - a) // by >= MAX_BRACE_WORDS:
            raise TooManyWords(f"{{{first}..{last}}}")
        return [str(v) for v in range(a, b + (1 if b >= a else -1), by if b >= a else -by)]
    if len(first) == 1 and len(last) == 1 and first.isalpha() and last.isalpha():
        a, b = ord(first), ord(last)
        return [chr(v) for v in range(a, b + (1 if b >= a else -1), by if b >= a else -by)]
    return None


def _concat(before: Word, part: Word, after: Word, whole: Word) -> Word:
    value = before.value + part.value + after.value
    offsets = before.offsets[:-1] + part.offsets[:-1] + after.offsets
    return Word(value, offsets, whole.start, whole.end, whole.literal)


def decode_heredoc(node: Node, layer: Layer, lookup: Lookup, expands: bool, strips_tabs: bool) -> Word:
    """A heredoc body: escapes and variables apply when its delimiter was unquoted; `<<-` drops leading tabs."""
    builder = _Builder(layer)
    if expands:
        _decode_between(node, builder, lookup, _heredoc_text)
    else:
        builder.add(layer.source(node), layer.char(node.start_byte))
    if strips_tabs:
        kept = [(c, p) for c, p, line_start in _with_line_starts(builder) if not (c == "\t" and line_start)]
        builder.chars = [c for c, _ in kept]
        builder.positions = [p for _, p in kept]
    return builder.word(node)


def _with_line_starts(builder: _Builder):
    """(char, position, still in the leading run of the line) for every character of the value."""
    leading = True
    for char, position in zip("".join(builder.chars), builder.positions):
        leading = leading and char == "\t"
        yield char, position, leading
        if char == "\n":
            leading = True


def _decode(node: Node, builder: _Builder, lookup: Lookup) -> None:
    kind = node.type
    layer = builder.layer
    start = layer.char(node.start_byte)
    if kind == "word":
        _unquoted_text(layer.source(node), start, builder)
    elif kind == "raw_string":
        builder.add(layer.source(node)[1:-1], start + 1)
    elif kind in ("string", "translated_string"):
        _decode_between(node, builder, lookup, _double_quoted_text)
    elif kind == "ansi_c_string":
        _ansi_c_text(layer.source(node), start, builder)
    elif kind == "concatenation":
        _decode_between(node, builder, lookup, _unquoted_text, strip_quotes=False)
    elif kind in ("simple_expansion", "expansion"):
        _expansion(node, builder, lookup)
    elif kind == "command_substitution" and builder.substitute and (output := builder.substitute(node, layer)):
        builder.add_at(output.value.rstrip("\n"), start)  # `$(echo rm)` is `rm`: the shell drops trailing newlines
    elif kind in ("command_substitution", "process_substitution", "arithmetic_expansion"):
        if kind == "process_substitution" and builder.substitute:
            builder.substitute(node, layer)  # remembered for a shell or `source` that reads it as a script
        builder.add(layer.source(node), start)
        builder.literal = False
    else:  # numbers, globs, brace patterns: as written
        builder.add(layer.source(node), start)


_PARTS = frozenset(
    {
        "simple_expansion",
        "expansion",
        "command_substitution",
        "process_substitution",
        "arithmetic_expansion",
        "string",
        "raw_string",
        "ansi_c_string",
        "translated_string",
        "word",
        "concatenation",
    }
)
_TEXT_PARTS = frozenset({"string_content", "heredoc_content"})  # decoded with the gaps between parts


def _decode_between(node: Node, builder: _Builder, lookup: Lookup, text_decoder, strip_quotes=True) -> None:
    """Decode a node's parts, and the text between them with `text_decoder`.

    tree-sitter does not cover every character with a child (a heredoc's first words, a string's
    text after an expansion), so the gaps are read from the source instead of from the children.
    """
    layer = builder.layer
    start, end = layer.char(node.start_byte), layer.char(node.end_byte)
    if strip_quotes and node.type in ("string", "translated_string"):
        start = layer.text.index('"', start) + 1
        end -= 1
    position = start
    for child in node.named_children:
        if child.type in _TEXT_PARTS or child.type not in _PARTS:
            continue
        child_start = layer.char(child.start_byte)
        if child_start > position:
            text_decoder(layer.text[position:child_start], position, builder)
        _decode(child, builder, lookup)
        position = layer.char(child.end_byte)
    if end > position:
        text_decoder(layer.text[position:end], position, builder)


def _unquoted_text(text: str, position: int, builder: _Builder) -> None:
    """Unquoted: a backslash makes the next character plain; backslash-newline joins lines."""
    _escaped(text, position, builder, lambda char: True)


def _double_quoted_text(text: str, position: int, builder: _Builder) -> None:
    _escaped(text, position, builder, lambda char: char in '$`"\\\n')


def _heredoc_text(text: str, position: int, builder: _Builder) -> None:
    _escaped(text, position, builder, lambda char: char in "$`\\\n")


def _escaped(text: str, position: int, builder: _Builder, escapes: Callable[[str], bool]) -> None:
    index = 0
    while index < len(text):
        backslash = text.find("\\", index)
        if backslash < 0 or backslash + 1 >= len(text):
            builder.add(text[index:], position + index)
            return
        builder.add(text[index:backslash], position + index)
        following = text[backslash + 1]
        if following == "\n":
            pass  # a line continuation
        elif escapes(following):
            builder.add(following, position + backslash + 1)
        else:
            builder.add(text[backslash : backslash + 2], position + backslash)
        index = backslash + 2


_ANSI_C = re.compile(r"\\(?:x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|c.|.)", re.DOTALL)
_ANSI_C_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


def _literal_default(node: Node, layer: Layer) -> str | None:
    """The default of `${X:-word}` (also `-`, `:=`, `=`) when it is one plain literal word."""
    children = node.children
    if (
        len(children) != 5
        or [c.type for c in children[:2]] != ["${", "variable_name"]
        or children[2].type not in _DEFAULT_OPERATORS
        or children[3].type != "word"
    ):
        return None
    text = layer.source(children[3])
    return text if _PLAIN_DEFAULT.fullmatch(text) else None


def _ansi_c_text(source: str, position: int, builder: _Builder) -> None:
    """`$'…'`: C-style escapes, each decoded character mapped to its backslash."""
    body, base = source[2:-1], position + 2
    index = 0
    for match in _ANSI_C.finditer(body):
        builder.add(body[index : match.start()], base + index)
        builder.add_at(_ansi_c_char(match.group(0)), base + match.start())
        index = match.end()
    builder.add(body[index:], base + index)


def _ansi_c_char(escape: str) -> str:
    code = escape[1:]
    if code[0] in "xuU" and len(code) > 1:
        return chr(min(int(code[1:], 16), 0x10FFFF))
    if code[0] in "01234567":
        return chr(int(code, 8) & 0xFF)
    if code[0] == "c" and len(code) == 2:
        return chr(ord(code[1].upper()) ^ 0x40)
    return _ANSI_C_SIMPLE.get(code, escape)


_DEFAULT_OPERATORS = (":-", "-", ":=", "=")
_PLAIN_DEFAULT = re.compile(r"[A-Za-z0-9_./+:@%-]+")


def _expansion(node: Node, builder: _Builder, lookup: Lookup) -> None:
    """`$X` or `${X}` whose value is known becomes that value, `${X:-word}` its literal default where the
    session reads defaults; anything else stays as written."""
    layer = builder.layer
    start = layer.char(node.start_byte)
    names = [c for c in node.named_children if c.type in ("variable_name", "special_variable_name")]
    plain = len(names) == 1 and len(node.children) == (2 if node.type == "simple_expansion" else 3)
    value = lookup(layer.source(names[0]), None) if plain else None
    default = _literal_default(node, layer) if not plain and len(names) == 1 else None
    if default is not None:
        value = lookup(layer.source(names[0]), default)
    if value is None:
        builder.add(layer.source(node), start)
        builder.literal = False
    else:
        builder.add_at(value, start)
