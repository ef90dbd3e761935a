"""How deeply a piece of Python nests, measured before libcst reads it.

libcst's native parser recurses once per level of the tree it builds and has no guard: about 1,200
nested brackets, or a few thousand chained operators (`a.b.b…`, `~~…`, `lambda: lambda: …`), overflow
its stack and kill the process. Nothing that deep is a real program (CPython itself refuses more than
200 nested brackets), so such a text is refused with the reason instead of parsed.

The common case costs one regular-expression pass: only a text whose raw bracket depth or statement
could reach a limit is tokenized (the stdlib tokenizer, so brackets and operators inside strings do
not count).
"""

from __future__ import annotations

import io
import re

MAX_NESTING = 200  # brackets inside brackets: CPython's own limit
MAX_CHAIN = 1000  # operators in one statement: each may be one more level of the tree

_BRACKET = re.compile(r"[()\[\]{}]")
_SCAN = re.compile(r"[()\[\]{}]|(?<!\\)\n")  # brackets, and line ends that are not continued
_OPERATOR = re.compile(r"[-+*/%@&|^~<>.(\[]|\b(?:and|or|not|lambda|if|else|await|in|is)\b")
_OPENS = frozenset("([{")
# Words that build one more level of an expression, like an operator does.
_OPERATOR_WORDS = frozenset({"and", "or", "not", "lambda", "if", "else", "await", "in", "is"})
_NOT_OPERATORS = frozenset({",", ":", ";", "=", "(", ")", "[", "]", "{", "}", "->", "..."})


def too_deep(text: str) -> str | None:
    """Why `text` must not be handed to libcst, or None when it is safe to parse."""
    if len(text) <= MAX_NESTING or not _may_be_deep(text):
        return None
    return _measure(text)


def _may_be_deep(text: str) -> bool:
    """A cheap over-estimate, strings included: the raw bracket depth, and the operators of each
    statement (lines joined inside brackets and after a backslash)."""
    depth = start = 0
    for match in _SCAN.finditer(text):
        found = match.group()
        if found == "\n":
            if depth == 0:
                if _long_chain(text, start, match.end()):
                    return True
                start = match.end()
        elif found in _OPENS:
            depth += 1
            if depth > MAX_NESTING:
                return True
        else:
            depth = max(depth - 1, 0)
    return _long_chain(text, start, len(text))


def _long_chain(text: str, start: int, end: int) -> bool:
    return end - start > MAX_CHAIN and len(_OPERATOR.findall(text, start, end)) > MAX_CHAIN


def _measure(text: str) -> str | None:
    """Bracket depth, and the operators each expression chains: a comma ends an element, so a long
    list of negative numbers is many short chains, not one long one."""
    import tokenize  # only for the rare text that may be deep

    outer: list[int] = []  # the chain of each enclosing bracket's expression, where it was opened
    chain = 0
    previous = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, value = token.type, token.string
            if kind == tokenize.OP and value in _OPENS:
                if previous is not None and _ends_operand(previous):
                    chain += 1  # a call or subscript of what came before: `f()()`, `a[0][0]`
                outer.append(chain)
            elif kind == tokenize.OP and value in ")]}":
                if outer:
                    outer.pop()
            elif kind == tokenize.OP and value in (",", ";"):
                chain = outer[-1] if outer else 0
            elif (kind == tokenize.OP and value not in _NOT_OPERATORS) or (
                kind == tokenize.NAME and value in _OPERATOR_WORDS
            ):
                chain += 1
            elif kind == tokenize.STRING and value[:3].lower().lstrip("rb").startswith("f"):
                if len(outer) + _raw_depth(value) > MAX_NESTING:  # an f-string's replacement fields nest too
                    return _nesting()
            elif kind in (tokenize.NEWLINE, tokenize.ENDMARKER):
                chain = 0
            if len(outer) > MAX_NESTING:
                return _nesting()
            if chain > MAX_CHAIN:
                return f"an expression chains more than {MAX_CHAIN} operators"
            if kind not in (tokenize.NL, tokenize.COMMENT):
                previous = token
    except (tokenize.TokenError, SyntaxError):
        # Not Python the tokenizer reads (libcst may report why): judge by the raw count alone.
        return _nesting() if _raw_depth(text) > MAX_NESTING else None
    return None


def _ends_operand(token) -> bool:
    import tokenize

    if token.type == tokenize.OP:
        return token.string in ")]}"
    return token.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING) and token.string not in _OPERATOR_WORDS


def _raw_depth(text: str) -> int:
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        depth = depth + 1 if match.group() in _OPENS else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _nesting() -> str:
    return f"nesting deeper than {MAX_NESTING} brackets"
