"""Sources: the text of one file (or of stdin) with the language it is written in.

Reading never raises for bad input: oversized, binary and undecodable files come back as a reason to
skip, which the engine turns into a notification.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

# Extensions per language. A language pack is loaded only for files it claims here.
EXTENSIONS: dict[str, str] = {
    ".sql": "sql",
    ".psql": "sql",
    ".pgsql": "sql",
    ".mysql": "sql",
    ".ddl": "sql",
    ".dml": "sql",
}

DEFAULT_MAX_FILE_SIZE = 1024 * 1024
_BINARY_SNIFF = 8192
_SQL_START = re.compile(
    r"\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*"
    r"(select|insert|update|delete|merge|with|create|alter|drop|truncate|grant|revoke|set|begin|"
    r"start|commit|rollback|explain|do|pragma|replace|use|vacuum|analyze|copy|call|comment)\b",
    re.IGNORECASE | re.DOTALL,
)


@dataclass
class Source:
    path: str  # the name shown in reports
    text: str
    language: str


class SkipFile(Exception):
    """A file that cannot be analysed; the message says why, in a few words."""


def language_for_name(name: str) -> str | None:
    _, ext = os.path.splitext(os.path.basename(name))
    return EXTENSIONS.get(ext.lower())


def language_for_content(text: str) -> str | None:
    """Guess from the text alone: SQL when it opens with a SQL statement keyword."""
    return "sql" if _SQL_START.match(text) else None


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 with an optional BOM (stripped, so columns match what editors show)."""
    if b"\0" in data[:_BINARY_SNIFF]:
        raise SkipFile("binary file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkipFile(f"not valid UTF-8 (byte {exc.start})") from None


def read_source(path: str, display_path: str, language: str, max_size: int) -> Source:
    try:
        size = os.path.getsize(path)
        if size > max_size:
            raise SkipFile(f"larger than the {max_size}-byte limit ({size} bytes)")
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise SkipFile(f"cannot be read: {exc.strerror or exc}") from None
    return Source(display_path, decode(data), language)
