"""Offsets in a text to 1-based lines and columns, the way editors and SARIF count them."""

from __future__ import annotations

import bisect
import re

from blastguard.model import Region

# Editors break lines at LF, CRLF and a lone CR; str.splitlines() also breaks at \v, \f, \x1c.. and
# U+2028, which would put findings on lines no editor shows.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of the character at `offset` (columns count code points)."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def region(self, start: int, end: int) -> Region:
        """Region for the half-open offset range [start, end); the end column is exclusive."""
        end = max(end, start + 1)
        start_line, start_col = self.position(start)
        # Locate the last character, then step one past it, so a span ending at a line break
        # does not spill onto the next line.
        end_line, last_col = self.position(end - 1)
        return Region(start_line, start_col, end_line, last_col + 1)

    def line_text(self, line: int) -> str:
        """The text of 1-based `line`, without its line break."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    @property
    def line_count(self) -> int:
        return len(self.line_starts)
