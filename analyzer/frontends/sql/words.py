"""The token-level view of SQL that rules fall back on when a statement does not parse.

`Word` is one token with its paren depth. Words come from sqlglot's tokens when sqlglot can tokenize
the text, and from `scan` below when it cannot (an unterminated quote, a stray character): a small
lenient scanner that knows just enough SQL lexis (quotes, dollar quotes, comments) to never mistake a
string or a comment for code. An unterminated quote ends at the end of its line, so one broken literal
does not hide the statements after it.
"""

from __future__ import annotations

import re

from blastguard.frontends import Comment
from blastguard.records import Record, record


@record(frozen=True)
class Word(Record):
    text: str  # as written; strings keep their quotes
    start: int  # offsets in the document text, half-open
    end: int
    depth: int  # parenthesis depth within the statement
    kind: str  # "word" | "string" | "quoted" | "number" | "punct"
    line: int = 0  # 1-based line of the first character

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def comments_in_gap(text: str, start: int, end: int) -> list[Comment]:
    """Comments in text[start:end], a stretch known to hold only whitespace and comments."""
    found: list[Comment] = []
    i = start
    while i < end:
        if text.startswith("--", i) or text[i] == "#":
            stop = _line_end(text, i, end)
            marker = 2 if text[i] == "-" else 1
            found.append(Comment(i, stop, text[i + marker : stop]))
            i = stop
        elif text.startswith("/*", i):
            stop = _block_comment_end(text, i, end)
            found.append(Comment(i, stop, text[i + 2 : max(i + 2, stop - 2)]))
            i = stop
        else:
            i += 1
    return found


def _line_end(text: str, i: int, end: int) -> int:
    newline = text.find("\n", i, end)
    stop = end if newline < 0 else newline
    return stop - 1 if stop > i and text[stop - 1] == "\r" else stop


def _block_comment_end(text: str, i: int, end: int) -> int:
    """End of a /* */ comment starting at i; PostgreSQL nests them, so count."""
    depth, j = 0, i
    while j < end:
        if text.startswith("/*", j):
            depth, j = depth + 1, j + 2
        elif text.startswith("*/", j):
            depth, j = depth - 1, j + 2
            if depth == 0:
                return j
        else:
            j += 1
    return end


# Compiling these wide character classes takes ~10 ms, paid by every agent hook call that imports this
# module; only text that sqlglot cannot tokenize needs them, so they are compiled on first use.
_WORD_PATTERN = r"[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*"
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_]\w*)?\$")


@record(frozen=True)
class ScannedStatement(Record):
    words: list[Word]
    end: int  # offset just past the terminating semicolon, or the end of the text


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text  # the whole text: offsets and line numbers are into it
        self.statements: list[ScannedStatement] = []
        self.comments: list[Comment] = []
        self.words: list[Word] = []
        self.depth = 0
        self._line, self._line_pos = 1, 0

    def word(self, start: int, end: int, kind: str) -> None:
        self._line += self.text.count("\n", self._line_pos, start)
        self._line_pos = start
        self.words.append(Word(self.text[start:end], start, end, self.depth, kind, self._line))

    def end_statement(self, end: int) -> None:
        if self.words:
            self.statements.append(ScannedStatement(self.words, end))
        self.words, self.depth = [], 0


def scan(
    text: str, start: int = 0, end: int | None = None, backslashes: bool = False
) -> tuple[list[ScannedStatement], list[Comment]]:
    """Split text[start:end] into statements of words, and collect its comments (offsets into `text`).
    With `backslashes`, a backslash escapes the next character in any quoted string, as in MySQL."""
    s = _Scanner(text)
    i, n = start, len(text) if end is None else end
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text.startswith("--", i):
            stop = _line_end(text, i, n)
            s.comments.append(Comment(i, stop, text[i + 2 : stop]))
            i = stop
        elif text.startswith("/*", i):
            stop = _block_comment_end(text, i, n)
            s.comments.append(Comment(i, stop, text[i + 2 : max(i + 2, stop - 2)]))
            i = stop
        elif ch in "'\"`" or (ch in "EeNnBbXx" and text.startswith("'", i + 1) and not _in_word(text, i)):
            quote_at = i if ch in "'\"`" else i + 1
            escapes = backslashes and text[quote_at] != "`"
            stop, closed = _quoted_end(text, quote_at, text[quote_at], backslash=escapes or ch in "Ee")
            s.word(i, stop, "quoted" if text[quote_at] != "'" else "string")
            if not closed:  # a broken literal ends its statement, so the next line is read afresh
                s.end_statement(stop)
            i = stop
        elif ch == "$" and (tag := _DOLLAR_TAG.match(text, i)):
            close = text.find(tag.group(0), tag.end())
            stop = n if close < 0 else close + len(tag.group(0))
            s.word(i, stop, "string")
            i = stop
        elif ch == ";":
            s.end_statement(i + 1)
            i += 1
        elif match := re.compile(_WORD_PATTERN).match(text, i):  # compiled once, then from re's cache
            s.word(i, match.end(), "word")
            i = match.end()
        elif match := _NUMBER.match(text, i):
            s.word(i, match.end(), "number")
            i = match.end()
        else:
            if ch == ")":
                s.depth = max(0, s.depth - 1)
            s.word(i, i + 1, "punct")
            if ch == "(":
                s.depth += 1
            i += 1
    s.end_statement(n)
    return s.statements, s.comments


def _in_word(text: str, i: int) -> bool:
    return i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")


def _quoted_end(text: str, i: int, quote: str, backslash: bool = False) -> tuple[int, bool]:
    """(end, closed) of a quoted token starting at i; doubled quotes escape.

    An unterminated quote stops at the end of its line.
    """
    j = i + 1
    n = len(text)
    while j < n:
        ch = text[j]
        if backslash and ch == "\\":
            j += 2
            continue
        if ch == quote:
            if text.startswith(quote, j + 1):
                j += 2
                continue
            return j + 1, True
        if ch == "\n":
            return j, False
        j += 1
    return n, False
