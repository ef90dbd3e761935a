"""Where things are in a JSON text: an object's members and a string's characters, found with the
standard library's own decoder (`raw_decode` reads a value and tells where it ends), so no JSON
is parsed by hand; only the walk over an object's members and an array's items is done here.

Every function raises json.JSONDecodeError for text that is not JSON, with the offset it stopped at.
"""

from __future__ import annotations

import json
import re

from blastguard.frontends.command_words import Piece

_DECODER = json.JSONDecoder()
_BLANK = re.compile(r"[ \t\n\r]*")
_ESCAPE_LENGTH = {"u": 6}  # every other escape is two characters: \n, \", \\ …


def skip(text: str, pos: int) -> int:
    blank = _BLANK.match(text, pos)
    assert blank is not None  # it matches the empty string too
    return blank.end()


def expect(text: str, pos: int, char: str) -> int:
    pos = skip(text, pos)
    if not text.startswith(char, pos):
        raise json.JSONDecodeError(f"Expecting '{char}'", text, pos)
    return pos + 1


def value_end(text: str, pos: int) -> int:
    """The end of the value at `pos`."""
    return _DECODER.raw_decode(text, pos)[1]


def members(text: str, pos: int) -> tuple[list[tuple[str, int, int]], int]:
    """The members of the object at `pos` as (key, value start, value end), and where the object ends."""
    pos = expect(text, pos, "{")
    found: list[tuple[str, int, int]] = []
    if text.startswith("}", skip(text, pos)):
        return found, skip(text, pos) + 1
    while True:
        key_start = skip(text, pos)
        if not text.startswith('"', key_start):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, key_start)
        key, key_end = _DECODER.raw_decode(text, key_start)
        start = skip(text, expect(text, key_end, ":"))
        end = value_end(text, start)
        found.append((key, start, end))
        pos = skip(text, end)
        if text.startswith("}", pos):
            return found, pos + 1
        pos = expect(text, pos, ",")


def string_items(text: str, pos: int) -> list[Piece] | None:
    """The strings of the array at `pos`; None when an item is not a string."""
    pos = expect(text, pos, "[")
    found: list[Piece] = []
    if text.startswith("]", skip(text, pos)):
        return found
    while True:
        start = skip(text, pos)
        if not text.startswith('"', start):
            value_end(text, start)  # raises for what is not JSON
            return None
        piece, pos = string(text, start)
        found.append(piece)
        pos = skip(text, pos)
        if text.startswith("]", pos):
            return found
        pos = expect(text, pos, ",")


def string(text: str, pos: int) -> tuple[Piece, int]:
    """The string whose opening quote is at `pos`, each character with the span it is written in
    (`\\"` is one character written in two), and where the string ends."""
    value, end = _DECODER.raw_decode(text, pos)
    starts: list[int] = []
    ends: list[int] = []
    at = pos + 1
    while at < end - 1:
        if text[at] != "\\":
            width = 1
        else:
            width = _ESCAPE_LENGTH.get(text[at + 1], 2)
            pair = text[at + 1] == "u" and _surrogate_pair(text, at)
            width += 6 if pair else 0  # a surrogate pair is one character written in twelve
        starts.append(at)
        ends.append(at + width)
        at += width
    if len(starts) != len(value):  # never for valid JSON; kept honest rather than misplaced
        return Piece.spanning(value, pos, end), end
    return Piece(value, starts, ends), end


def _surrogate_pair(text: str, at: int) -> bool:
    """Whether the `\\u` escape at `at` and the next one are one character (a high and a low surrogate)."""
    if text[at + 6 : at + 8] != "\\u":
        return False
    return 0xD800 <= int(text[at + 2 : at + 6], 16) < 0xDC00 <= int(text[at + 8 : at + 12], 16) < 0xE000
