"""GitHub code scanning's ``primaryLocationLineHash``, ported to pure Python.

Source of the algorithm: the public repository ``github/codeql-action``,
``src/fingerprints.ts`` (function ``hash``), checked against the vectors in
``src/fingerprints.test.ts`` and ``src/testdata/``.  GitHub computes this
partial fingerprint to track an alert across commits, so the output here must
match it bit for bit.

The algorithm, in short:

* The input is walked as UTF-16 code units (JavaScript ``charCodeAt``), so a
  character outside the BMP counts as two units (a surrogate pair).
* Spaces and tabs are dropped; ``\\r\\n``, ``\\r`` and ``\\n`` each become a
  single ``\\n``.
* The sentinel 65535 is appended, then 100 zero units.
* A line's hash is the polynomial ``sum(u[s+j] * 37**(99-j)) mod 2**64`` over
  the 100 units starting at the line's first unit ``s``.  It runs on into the
  following lines (the line break itself is one of the units), and into the
  sentinel and padding near the end of the file.
* The value is the unsigned hash in lowercase hex, *not* zero-padded,
  then ``:`` and a 1-based count of how many lines so far (in line order) had
  that same hash.

Lines are numbered as ``text.split(/\\r\\n|\\r|\\n/)`` would number them: a
trailing line break produces one last, empty line whose window starts at the
sentinel (hence ``c129715d7a2bc9a3:1``, the same value as an empty file).

The text should be what Node reads from the file: the file's bytes decoded as
UTF-8, with a leading BOM kept (``"utf-8"``, not ``"utf-8-sig"``).  Invalid
bytes become U+FFFD in Node, and ``errors="replace"`` gives the same.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from itertools import accumulate
from operator import mul

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from collections.abc import Iterator

__all__ = ["line_hashes"]

_BLOCK_SIZE = 100
_MULTIPLIER = 37
_MODULUS = 1 << 64
_MASK = _MODULUS - 1
_EOF = 0xFFFF
# The text is hashed in chunks of this many code units. This bounds memory
# (one list of about _CHUNK ints at a time) and the size of the power tables.
_CHUNK = 1 << 12


def _power_table(base: int, n: int) -> list[int]:
    # [base**j mod 2**64 for j in range(n)], built by doubling with map() so
    # the work runs in C and import stays fast.
    table = [1]
    while len(table) < n:
        factor = pow(base, len(table), _MODULUS)
        # list() first: extending a list from a map over itself never ends.
        table += list(map(_MASK.__and__, map(factor.__mul__, table)))
    del table[n:]
    return table


# 37 is odd, so it has an inverse mod 2**64. That turns the rolling hash into
# a prefix sum (see _window_hashes).
_POWERS = _power_table(_MULTIPLIER, _CHUNK + _BLOCK_SIZE)
_INV_POWERS = _power_table(pow(_MULTIPLIER, -1, _MODULUS), _CHUNK + _BLOCK_SIZE)


def _normalise(text: str) -> str:
    # Order matters. CRLF only counts as one break when the two characters are
    # adjacent in the raw text: the TS resets its "previous was CR" flag on a
    # skipped space or tab, so "\r \n" is two breaks. Collapse CRLF before
    # removing blanks to keep that behaviour.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace(" ", "").replace("\t", "")


def _code_units(norm: str) -> array:
    # "surrogatepass" keeps lone surrogates as their own code unit, like a JS
    # string does, instead of raising.
    units = array("H")
    units.frombytes(norm.encode("utf-16-le", "surrogatepass"))
    if sys.byteorder == "big":
        units.byteswap()
    units.append(_EOF)
    units.extend(bytes(_BLOCK_SIZE))  # zero padding: every window has 100 units
    return units


def _line_starts(norm: str, n_units: int) -> list[int]:
    lines = norm.split("\n")
    lengths: Iterator[int]
    if n_units == len(norm):
        lengths = map(len, lines)  # BMP only: one code unit per character
    else:
        # Astral characters take two units. Encoding each line keeps the
        # loop in C.
        lengths = (len(line.encode("utf-16-le", "surrogatepass")) >> 1 for line in lines)
    # Each line starts one unit (the '\n') after the end of the one before.
    # The last line's start is the sentinel's index when the text ends in a
    # line break.
    starts = list(accumulate(map((1).__add__, lengths), initial=0))
    starts.pop()
    return starts


def _window_hashes(units: array, starts: list[int]) -> list[int]:
    """Hash of the 100 units at each start, mod 2**64.

    The TS hash of the window at s is  sum(u[s+j] * 37**(99-j)  for j < 100).
    With q[k] = sum(u[i] * 37**-i  for i < k), that equals
    37**(s+99) * (q[s+100] - q[s]). So the q list is built with map() and
    accumulate(), in C, and the only Python-level work is per line.
    Offsets are taken from the start of each chunk, so the exponents stay
    below _CHUNK + 100 and the power tables stay small. The result does not
    depend on that origin.
    """
    out: list[int] = []
    inv_powers, powers = _INV_POWERS, _POWERS
    first = 0
    for base in range(0, starts[-1] + 1, _CHUNK):
        last = bisect_left(starts, base + _CHUNK, first)
        if last == first:
            continue  # one long line covers this whole chunk
        window = units[base : base + _CHUNK + _BLOCK_SIZE]
        q = list(accumulate(map(mul, window, inv_powers), initial=0))
        rel = [s - base for s in starts[first:last]]
        out += [((q[s + _BLOCK_SIZE] - q[s]) * powers[s + _BLOCK_SIZE - 1]) & _MASK for s in rel]
        first = last
    return out


def line_hashes(text: str) -> list[str]:
    """Return GitHub's primaryLocationLineHash for every line of `text`; element i is line i+1."""
    norm = _normalise(text)
    units = _code_units(norm)
    n_units = len(units) - 1 - _BLOCK_SIZE  # without the sentinel and padding
    raw = _window_hashes(units, _line_starts(norm, n_units))

    # The TS uses Long.toUnsigned().toString(16): lowercase and not padded.
    if len(set(raw)) == len(raw):
        return [f"{h:x}:1" for h in raw]  # common case: every hash is unique
    # Occurrence counts go up in line order, which is the order the TS reports.
    counts: dict[int, int] = {}
    out = []
    for h in raw:
        c = counts[h] = counts.get(h, 0) + 1
        out.append(f"{h:x}:{c}")
    return out
