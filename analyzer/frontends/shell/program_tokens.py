"""The calls an inline program of another interpreter makes, read at the level of its tokens.

`perl -e`, `ruby -e`, `node -e`, `php -r`, `lua -e`, `awk '…'` and kin are read just far enough to see
which functions they call and whether the first arguments are string literals: comments, strings
(with their escapes and interpolation), Perl's `q`/`qq`/`qx`/`m`/`s`/`tr` forms, Ruby's `%` literals
and regular expressions are told apart, so a `system` inside a string or a comment is not a call.
This is deliberately not a parser for these languages: it knows their lexical rules, not their
grammars, and whatever it cannot pin down is returned as an argument it could not read (which the
caller reports as unverifiable rather than passing it).
"""

from __future__ import annotations

import re

from blastguard.records import Record, record


@record(identity=True)
class Token(Record):
    kind: str  # "name" (dotted: `FileUtils.rm_rf`), "string", "shell" (backticks, qx, %x), "punct"
    value: str  # a string's value after its escapes
    start: int  # in the program text
    end: int
    offsets: list[int] | None = None  # strings: the program-text index of each character of the value, plus the end
    literal: bool = True  # strings: no interpolation

    # Written by hand: a token is made per word of every inline program (~5x faster than the generic one).
    def __init__(
        self, kind: str, value: str, start: int, end: int, offsets: list[int] | None = None, literal: bool = True
    ) -> None:
        self.kind, self.value, self.start, self.end, self.offsets, self.literal = (
            kind,
            value,
            start,
            end,
            offsets,
            literal,
        )

    @property
    def value_offsets(self) -> list[int]:
        """`offsets` of a string token, which always has them."""
        assert self.offsets is not None
        return self.offsets


@record(frozen=True)
class Dialect(Record):
    """The lexical rules of one language, as far as telling code from strings and comments needs."""

    line_comments: tuple[str, ...] = ("#",)
    block_comments: tuple[tuple[str, str], ...] = ()
    interpolates: str = '"'  # quote characters whose strings interpolate variables
    backticks: str = "shell"  # "shell" (Perl, Ruby, PHP), "template" (JavaScript), "" (none)
    perl_quotes: bool = False  # q{} qq{} qx{} qw{} m// s/// tr/// y/// qr//
    ruby_percent: bool = False  # %x() %q() %Q() %w() %()
    regex_literals: bool = True  # `/…/` where an operand is expected
    single_escapes_all: bool = False  # JavaScript: '\n' is a line break in single quotes too
    sigils: bool = True  # `$x`, `@x` are variables (Perl, Ruby, PHP); False: `$` is a letter (JavaScript)


_CHAIN = r"(?:(?:::|\.|->)[A-Za-z_$][A-Za-z0-9_$]*)*"
# JavaScript: `$` is a letter. Perl, Ruby, PHP: a sigil, and `$#`, `$"`, `$;` are variables, not a comment or a string.
_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*" + _CHAIN)
_SIGIL_NAME = re.compile(r"\$#(?:[A-Za-z_]\w*)?|[$@]?[A-Za-z_][A-Za-z0-9_]*" + _CHAIN + r"|\$[^\sA-Za-z_{]")
_SPACE = re.compile(r"\s+")
_CLOSING = {"(": ")", "[": "]", "{": "}", "<": ">"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "a": "\a", "e": "\x1b", "f": "\f", "v": "\v"}
# Perl's and Ruby's words after which `/` starts a regular expression, not a division.
_REGEX_AFTER = frozenset(
    {
        "split",
        "grep",
        "if",
        "unless",
        "and",
        "or",
        "not",
        "return",
        "when",
        "while",
        "until",
        "map",
        "join",
        "typeof",
        "case",
        "in",
        "of",
    }
)
_PERL_QUOTE_OPERATORS = {"q": 1, "qq": 1, "qw": 1, "qx": 1, "m": 1, "qr": 1, "s": 2, "tr": 2, "y": 2}


class Unreadable(Exception):
    """The program's text ends inside a string or comment: what it does cannot be told."""


def tokens(text: str, dialect: Dialect) -> list[Token]:
    """The program's tokens; raises Unreadable for text that ends inside a string or comment."""
    found: list[Token] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        space = _SPACE.match(text, index)
        if space:
            index = space.end()
            continue
        comment_end = _comment_end(text, index, dialect)
        if comment_end is not None:
            index = comment_end
            continue
        if char in "'\"":
            token = _quoted(text, index, char, dialect)
        elif char == "`" and dialect.backticks:
            token = _quoted(text, index, "`", dialect)
            token.kind = "shell" if dialect.backticks == "shell" else "string"
        elif char == "%" and dialect.ruby_percent and _operand_expected(found) and index + 1 < length:
            token = _ruby_percent(text, index)
        elif char == "/" and dialect.regex_literals and _operand_expected(found):
            token = _delimited(text, index + 1, "/", index, "regex")
        else:
            name = (_SIGIL_NAME if dialect.sigils else _NAME).match(text, index)
            if name:
                token = Token("name", name.group(0), index, name.end())
                if dialect.perl_quotes and name.group(0) in _PERL_QUOTE_OPERATORS:
                    token = _perl_quote(text, token) or token
            else:
                token = Token("punct", char, index, index + 1)
        found.append(token)
        index = token.end
    return found


def _comment_end(text: str, index: int, dialect: Dialect) -> int | None:
    for opener, closer in dialect.block_comments:
        if text.startswith(opener, index):
            end = text.find(closer, index + len(opener))
            if end < 0:
                raise Unreadable("a comment is not closed")
            return end + len(closer)
    for opener in dialect.line_comments:
        if text.startswith(opener, index):
            end = text.find("\n", index)
            return len(text) if end < 0 else end + 1
    return None


def _operand_expected(found: list[Token]) -> bool:
    """Whether a `/` or `%` here starts a literal rather than divides."""
    if not found:
        return True
    last = found[-1]
    if last.kind == "punct":
        return last.value not in ")]}"
    return last.kind == "name" and last.value in _REGEX_AFTER


def _quoted(text: str, start: int, quote: str, dialect: Dialect) -> Token:
    """A string in `quote`s: escapes decoded in interpolating strings; interpolation makes it non-literal."""
    interpolates = quote in dialect.interpolates or quote == "`"
    full_escapes = interpolates or dialect.single_escapes_all
    value: list[str] = []
    offsets: list[int] = []
    literal = True
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == quote:
            offsets.append(index)
            return Token("string", "".join(value), start, index + 1, offsets, literal)
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            if full_escapes:
                value.append(_ESCAPES.get(following, following))
            elif following in (quote, "\\"):
                value.append(following)
            else:
                value.append("\\" + following)
                offsets.append(index)
            offsets.append(index)
            index += 2
            continue
        if interpolates and (
            char in "$@"
            and index + 1 < len(text)
            and (text[index + 1].isalnum() or text[index + 1] in "_{")
            or text.startswith("#{", index)
        ):
            literal = False
        value.append(char)
        offsets.append(index)
        index += 1
    raise Unreadable("a string is not closed")


def _delimited(text: str, index: int, opener: str, start: int, kind: str, parts: int = 1) -> Token:
    """A string between `opener` and its closer (nesting brackets), as written; `parts` for `s/a/b/`."""
    closer = _CLOSING.get(opener, opener)
    value, offsets, depth = [], [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            value.append(text[index + 1])
            offsets.append(index)
            index += 2
            continue
        if char == opener and closer != opener:
            depth += 1
        elif char == closer and depth:
            depth -= 1
        elif char == closer:
            parts -= 1
            if parts == 0:
                offsets.append(index)
                literal = not re.search(r"[$@][\w{]", "".join(value))
                return Token(kind, "".join(value), start, index + 1, offsets, literal)
            if closer != opener:  # `s{a}{b}`: the second part has its own brackets
                space = _SPACE.match(text, index + 1)
                index = space.end() if space else index + 1
                if index < len(text) and text[index] in _CLOSING:
                    opener, closer = text[index], _CLOSING[text[index]]
        value.append(char)
        offsets.append(index)
        index += 1
    raise Unreadable("a quoted region is not closed")


def _perl_quote(text: str, name: Token) -> Token | None:
    """`qx{…}`, `q(…)`, `s/a/b/`, …: None when the name is not followed by a delimiter (a hash key `{q}`)."""
    index = name.end
    while index < len(text) and text[index] in " \t":
        index += 1
    if index >= len(text) or text[index].isalnum() or text[index] in "_,;=)}]>" or text[index].isspace():
        return None
    if text[index] == "=" or (text[index] == "-" and text.startswith("->", index)):
        return None
    operator = name.value
    kind = "shell" if operator == "qx" else ("regex" if operator in ("m", "qr", "s", "tr", "y") else "string")
    token = _delimited(text, index + 1, text[index], name.start, kind, _PERL_QUOTE_OPERATORS[operator])
    if operator in ("q", "qw") or text[index] == "'":
        token.literal = True  # no interpolation: `q{$x}`, `qx'$x'`
    return token


def _ruby_percent(text: str, start: int) -> Token:
    kind_char = text[start + 1]
    if kind_char.isalpha():
        opener_at = start + 2
        kind = {"x": "shell", "r": "regex"}.get(kind_char, "string")
    else:
        opener_at, kind = start + 1, "string"
    if opener_at >= len(text) or text[opener_at].isalnum() or text[opener_at].isspace():
        return Token("punct", "%", start, start + 1)
    token = _delimited(text, opener_at + 1, text[opener_at], start, kind)
    token.literal = token.literal and not re.search(r"#\{", token.value)
    return token


def arguments(found: list[Token], index: int) -> tuple[list[list[Token]], bool]:
    """The arguments of the call whose name is `found[index]`, each a list of tokens, and whether the
    call has parentheses. Without them (`system "…"`, `unlink $f`) the arguments run to the end of the
    statement."""
    position = index + 1
    parenthesised = position < len(found) and found[position].kind == "punct" and found[position].value == "("
    if parenthesised:
        position += 1
    groups: list[list[Token]] = [[]]
    depth = 0
    while position < len(found):
        token = found[position]
        if token.kind == "punct":
            if token.value in "([{":
                depth += 1
            elif token.value in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif token.value == "," and depth == 0:
                groups.append([])
                position += 1
                continue
            elif token.value == ";" and depth == 0:
                break
        elif (
            token.kind == "name"
            and depth == 0
            and not parenthesised
            and token.value in ("or", "and", "if", "unless", "foreach", "for", "while", "until")
        ):
            break
        groups[-1].append(token)
        position += 1
    return ([g for g in groups if g] if groups != [[]] else []), parenthesised
