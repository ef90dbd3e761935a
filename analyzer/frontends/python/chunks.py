"""A Python module cut into its top-level statements, cheaply, so only the ones that matter are parsed.

libcst builds a full concrete tree in Python objects, which costs about as much per kilobyte as
bandit's whole scan. Most of a module holds nothing a rule could report, so it is cut at the lines
where a top-level statement starts (outside strings, brackets and continued lines), and only the
statements that mention an execution point, plus the imports and constants they may use, are
parsed. Each chunk keeps its offset in the file, which also makes locating a node cheap.

When the cut is wrong (new syntax the scanner below does not know), the chunk does not parse and the
frontend parses the whole file instead.
"""

from __future__ import annotations

import re

from blastguard.frontends import Comment
from blastguard.records import Record, record

# Strings (any prefix, single or triple quoted), comments, brackets, continuation and line ends.
_TOKENS = re.compile(
    r"""(?P<string>[rRbBuUfF]{0,2}(?:'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\""""
    r"""|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"))"""
    r"|(?P<comment>\#[^\n]*)|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<cont>\\\r?\n)|(?P<newline>\n)",
    re.DOTALL,
)
# Lines at column 0 that continue the statement before them rather than start one.
_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b")
_DEFINITION = re.compile(r"(?:@|def\b|async\s+def\b|class\b)")
_COMPOUND = re.compile(r"(?:if|for|while|with|async|match)\b")
_DECORATOR = "@"


@record(frozen=True)
class Chunk(Record):
    start: int  # offset of its first character in the file
    end: int
    kind: str  # "definition" (def, class, decorated), "compound" (if/for/while/with), "simple"


def split(text: str) -> list[Chunk]:
    """The top-level statements of `text`, in order. Blank lines and comments between statements
    belong to the statement before them."""
    starts = [0]
    depth = 0
    after_decorator = text.startswith(_DECORATOR)
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "newline" and depth == 0:
            line = match.end()
            head = text[line : line + 16]
            if not head or head[0] in " \t\r\n#" or _CONTINUES.match(head):
                continue
            if after_decorator:
                after_decorator = head.startswith(_DECORATOR)
                continue  # the next decorator, or the def or class they belong to
            after_decorator = head.startswith(_DECORATOR)
            starts.append(line)
    ends = starts[1:] + [len(text)]
    return [Chunk(start, end, _kind(text[start : start + 16])) for start, end in zip(starts, ends)]


def _kind(head: str) -> str:
    if _DEFINITION.match(head):
        return "definition"
    return "compound" if _COMPOUND.match(head) else "simple"


def comments(text: str) -> list[Comment]:
    """Every `#` comment of the module (strings are skipped by the same scan)."""
    return [Comment(m.start(), m.end(), m.group()[1:]) for m in _TOKENS.finditer(text) if m.lastgroup == "comment"]
