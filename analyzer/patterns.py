"""Regular expressions compiled on first use, not at import.

An agent hook starts a fresh process for every tool call, and compiling a module's patterns at import
costs milliseconds whether or not the call ever needs them.
"""

from __future__ import annotations

import re


class LazyPattern:
    """Stands in for `re.compile(pattern, flags)`: compiled the first time one of its methods is used."""

    __slots__ = ("_pattern", "_flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern, self._flags = pattern, flags
        self._compiled: re.Pattern | None = None

    def __getattr__(self, name: str):
        if self._compiled is None:
            self._compiled = re.compile(self._pattern, self._flags)
        return getattr(self._compiled, name)
