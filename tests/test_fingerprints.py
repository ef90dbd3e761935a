"""Tests for blastguard.reporters.fingerprints (GitHub's primaryLocationLineHash).

Expected values come from three places, and each group says which:

* GITHUB_VECTORS and SARIF_EXPECTATIONS are copied from github/codeql-action:
  ``src/fingerprints.test.ts`` and ``src/testdata/fingerprinting.expected.sarif``.
* NODE_* values were produced by running codeql-action's own ``hash()``
  (``src/fingerprints.ts``, types stripped) under Node 20 with ``long`` 5.x, on
  the same bytes. That covers whole files, astral characters and odd line
  endings, which the published vectors do not.
* ``_reference_line_hashes`` below follows the TypeScript one character at a
  time. It checks the chunked, vectorised port on random input.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from blastguard.reporters.fingerprints import line_hashes

DATA = Path(__file__).parent / "data" / "fingerprints"

# The hash of a window that holds only the EOF sentinel and zero padding: the
# empty file, and the empty last line after a trailing line break.
EOF_ONLY = "c129715d7a2bc9a3:1"

_HELLO_HASHES = [
    "e9496ae3ebfced30:1",
    "fb7c023a8b9ccb3f:1",
    "ce8ba1a563dcdaca:1",
    "e20e36e16fcb0cc8:1",
    "b3edc88f2938467e:1",
    "c8e28b0b4002a3a0:1",
    "c129715d7a2bc9a3:1",
]

# github/codeql-action src/fingerprints.test.ts, test "hash".
GITHUB_VECTORS = [
    pytest.param("", ["c129715d7a2bc9a3:1"], id="empty"),
    pytest.param(
        " a\nb\n  \t\tc\n d",
        [
            "271789c17abda88f:1",
            "54703d4cd895b18:1",
            "180aee12dab6264:1",
            "a23a3dc5e078b07b:1",
        ],
        id="blanks",
    ),
    pytest.param(
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        [
            "8b7cf3e952e7aeb2:1",
            "b1ae1287ec4718d9:1",
            "bff680108adb0fcc:1",
            "c6805c5e1288b612:1",
            "b86d3392aea1be30:1",
            "e6ceba753e1a442:1",
        ],
        id="hello-no-final-newline",
    ),
    pytest.param(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", _HELLO_HASHES, id="hello-lf"),
    pytest.param(" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", _HELLO_HASHES, id="hello-cr"),
    pytest.param(
        " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
        _HELLO_HASHES,
        id="hello-crlf",
    ),
    pytest.param(
        " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        _HELLO_HASHES,
        id="hello-mixed",
    ),
    pytest.param(
        "Lorem ipsum dolor sit amet.\n" * 10,
        [
            "a7f2ff13bc495cf2:1",
            "a7f2ff13bc495cf2:2",
            "a7f2ff13bc495cf2:3",
            "a7f2ff13bc495cf2:4",
            "a7f2ff13bc495cf2:5",
            "a7f2ff13bc495cf2:6",
            "a7f2ff1481e87703:1",
            "a9cf91f7bbf1862b:1",
            "55ec222b86bcae53:1",
            "cc97dc7b1d7d8f7b:1",
            "c129715d7a2bc9a3:1",
        ],
        id="repeated-lines",
    ),
    pytest.param(
        "x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
        [
            "e54938cc54b302f1:1",
            "bb609acbe9138d60:1",
            "1131fd5871777f34:1",
            "5c482a0f8b35ea28:1",
            "54517377da7028d2:1",
            "2c644846cb18d53e:1",
            "f1b89f20de0d133:1",
            "c129715d7a2bc9a3:1",
        ],
        id="python-snippet",
    ),
]


@pytest.mark.parametrize(("text", "expected"), GITHUB_VECTORS)
def test_github_vectors(text: str, expected: list[str]) -> None:
    got = line_hashes(text)
    assert got == expected
    # The TS test also checks the number of lines against this JS split.
    assert len(got) == len(re.split(r"\r\n|\r|\n", text))


# github/codeql-action src/testdata/fingerprinting.expected.sarif: the
# fingerprint added to a result at (file, startLine).
SARIF_EXPECTATIONS = [
    ("testFile1.js", 1, "5e4d5a9cf1294ad9:1"),
    ("testFile2.js", 2, "f7592a95a9381ac0:1"),
]


def _read(name: str) -> str:
    # Decode the bytes the way Node's fs does: UTF-8, with no newline translation.
    return (DATA / name).read_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize(("name", "line", "expected"), SARIF_EXPECTATIONS)
def test_github_sarif_expectations(name: str, line: int, expected: str) -> None:
    assert line_hashes(_read(name))[line - 1] == expected


# Every line of the codeql-action test data files (copied into tests/data).
# Values from codeql-action's hash() under Node; they agree with the SARIF
# expectations above.
NODE_FILE_HASHES = {
    "testFile1.js": [
        "5e4d5a9cf1294ad9:1",
        "caea1afc91a6873d:1",
        "5b87491bda21f5c0:1",
        "4f30fbfc59569f82:1",
        EOF_ONLY,
    ],
    "testFile2.js": [
        "872c213e5c3515b:1",
        "f7592a95a9381ac0:1",
        "a06ffb64d6f61444:1",
        "f72a3f49f98c8ba0:1",
        EOF_ONLY,
    ],
    "testFile3.ts": [
        "ae60a752f23533b5:1",
        "50a0774d1947149a:1",
        "b8e6e55f41c8891e:1",
        "3c8097e3e430579:1",
        EOF_ONLY,
    ],
    "no_header_guard.h": [
        "599c824c91d0f75e:1",
        "3984e5bac17ddd63:1",
        "fb5b933f86342461:1",
        "67246921c77befbe:1",
        "f0230bdbd5c9140c:1",
        EOF_ONLY,
    ],
}


@pytest.mark.parametrize("name", sorted(NODE_FILE_HASHES))
def test_testdata_files_every_line(name: str) -> None:
    assert line_hashes(_read(name)) == NODE_FILE_HASHES[name]


@pytest.mark.parametrize("name", sorted(NODE_FILE_HASHES))
def test_crlf_cr_and_lf_files_hash_identically(name: str) -> None:
    text = _read(name)
    assert "\r" not in text
    expected = NODE_FILE_HASHES[name]
    assert line_hashes(text.replace("\n", "\r\n")) == expected
    assert line_hashes(text.replace("\n", "\r")) == expected


# Edge cases, with values from codeql-action's hash() under Node.
_A_BLANK_B = ["67c066a59e652f5e:1", "cc4c43d77869440f:1", "8ee5a81e681643c1:1"]
NODE_STRING_HASHES = [
    pytest.param(
        "const smile = '\U0001f600';\nconst clef = \"\U0001d11e\U0001d11e\";\n\U0001f600\n",
        ["62a2a73b381c703:1", "5ac715b7e2b5ee9d:1", "49e42825ed591e1a:1", EOF_ONLY],
        id="astral",
    ),
    pytest.param(
        "\U0001f600" + "x" * 97 + "\nA",
        ["d9e5581a7589168b:1", "cff202d325be41c4:1"],
        id="astral-fills-window",
    ),
    # CRLF is only one break when CR and LF are adjacent: a blank in between
    # resets the TS's "previous was CR" flag, so these are two breaks each.
    pytest.param(
        "a\r \nb\r\t\nc",
        [
            "c52f781a43dbc195:1",
            "73409ca04f7d2c2e:1",
            "b0367d257df6d03c:1",
            "1c206f60a702cfe8:1",
            "188ff2f224477a1e:1",
        ],
        id="cr-blank-lf",
    ),
    # CR then CRLF is two breaks, exactly like LF then CR.
    pytest.param("a\r\r\nb", _A_BLANK_B, id="cr-crlf"),
    pytest.param("a\n\rb", _A_BLANK_B, id="lf-cr"),
    # Node keeps a UTF-8 BOM as U+FEFF, and it is hashed like any character.
    pytest.param("\ufeffx = 1\n", ["973f80c4b80f40b6:1", EOF_ONLY], id="bom"),
    # A real U+FFFF looks like the EOF sentinel, but the sentinel still follows.
    pytest.param("\uffff\n", ["bbdfd1c793e0db78:1", EOF_ONLY], id="u+ffff"),
    pytest.param(
        "\n\n  \t\n",
        ["4e5d562094661a0d:1", "5b5d4caf73a13177:1", "3c5bef55b72b93c9:1", EOF_ONLY],
        id="blank-lines",
    ),
]


@pytest.mark.parametrize(("text", "expected"), NODE_STRING_HASHES)
def test_node_edge_cases(text: str, expected: list[str]) -> None:
    assert line_hashes(text) == expected


def test_astral_character_counts_as_two_code_units() -> None:
    # The window holds 100 UTF-16 code units. "😀" is two of them, so
    # 😀 + 97 x + "\n" fills the window exactly and the next line's first
    # character is left out. "é" is one unit, so the same line with é is one
    # unit short and the window reaches the next line.
    astral = "\U0001f600" + "x" * 97 + "\n"
    bmp = "\u00e9" + "x" * 97 + "\n"
    assert line_hashes(astral + "A")[0] == line_hashes(astral + "B")[0] == "d9e5581a7589168b:1"
    assert line_hashes(bmp + "A")[0] != line_hashes(bmp + "B")[0]
    # A JS string holds the surrogate pair itself, so spelling it out as two
    # surrogate code points gives the same result.
    assert line_hashes("\ud83d\ude00" + "x" * 97 + "\nA") == line_hashes(astral + "A")


def test_crlf_and_lf_identical_on_astral_text() -> None:
    lf = "line one \U0001f600\n\tline two\n\nlast"
    hashes = line_hashes(lf)
    assert len(hashes) == 4
    assert line_hashes(lf.replace("\n", "\r\n")) == hashes
    assert line_hashes(lf.replace("\n", "\r")) == hashes


def test_hex_is_not_zero_padded() -> None:
    # 0x054703d4cd895b18 is printed with 15 digits, as Long.toString(16) does.
    assert line_hashes(" a\nb\n  \t\tc\n d")[1] == "54703d4cd895b18:1"


def test_one_hash_per_line_including_trailing_empty_line() -> None:
    assert len(line_hashes("a")) == 1
    assert len(line_hashes("a\n")) == 2
    assert line_hashes("a\n")[1] == EOF_ONLY
    assert len(line_hashes("\n" * 5000)) == 5001


def _reference_line_hashes(text: str) -> list[str]:
    """Follow src/fingerprints.ts step by step: slow, but easy to check."""
    mask = (1 << 64) - 1
    first_mod = pow(37, 100, 1 << 64)
    data = text.encode("utf-16-le", "surrogatepass")
    units = [data[i] | data[i + 1] << 8 for i in range(0, len(data), 2)]

    window = [0] * 100
    line_numbers = [-1] * 100
    state = {"hash": 0, "index": 0}
    counts: dict[str, int] = {}
    out: list[str] = []

    def output() -> None:
        value = format(state["hash"], "x")
        counts[value] = counts.get(value, 0) + 1
        assert line_numbers[state["index"]] == len(out) + 1
        out.append(f"{value}:{counts[value]}")
        line_numbers[state["index"]] = -1

    def update(current: int) -> None:
        index = state["index"]
        begin = window[index]
        window[index] = current
        state["hash"] = (37 * state["hash"] + current - first_mod * begin) & mask
        state["index"] = (index + 1) % 100

    line_number = 0
    line_start = True
    prev_cr = False
    for current in units + [0xFFFF]:
        if current in (0x20, 0x09) or (prev_cr and current == 0x0A):
            prev_cr = False
            continue
        prev_cr = current == 0x0D
        if prev_cr:
            current = 0x0A
        if line_numbers[state["index"]] != -1:
            output()
        if line_start:
            line_start = False
            line_number += 1
            line_numbers[state["index"]] = line_number
        if current == 0x0A:
            line_start = True
        update(current)
    for _ in range(100):
        if line_numbers[state["index"]] != -1:
            output()
        update(0)
    return out


def test_reference_implementation_reproduces_github_vectors() -> None:
    # Check the oracle itself before using it.
    for param in GITHUB_VECTORS + NODE_STRING_HASHES:
        text, expected = param.values
        assert _reference_line_hashes(text) == expected


_FUZZ_PIECES = [
    "a",
    "b",
    "x",
    "1",
    ";",
    "{",
    "}",
    "(",
    ")",
    "=",
    " ",
    "\t",
    "  ",
    "\n",
    "\r",
    "\r\n",
    "\n\r",
    "\r \n",
    "\u00e9",
    "\u20ac",
    "\U0001f600",
    "\U0001d11e",
    "\ufeff",
    "\uffff",
    "\x00",
    "\ud800",
]


@pytest.mark.parametrize("seed", range(24))
def test_matches_reference_on_random_text(seed: int) -> None:
    rng = random.Random(seed)
    # Sizes from tiny to a few times the internal chunk of 4096 code units, so
    # windows that straddle chunk boundaries are covered.
    size = rng.choice([0, 1, 5, 40, 99, 100, 101, 300, 2000, 5000, 9000, 15000])
    weights = [1] * len(_FUZZ_PIECES)
    if seed % 3 == 0:
        weights[_FUZZ_PIECES.index("\n")] = 40  # many short and blank lines
    if seed % 3 == 1:
        weights[_FUZZ_PIECES.index("\n")] = 0  # long lines
    text = "".join(rng.choices(_FUZZ_PIECES, weights, k=size))
    assert line_hashes(text) == _reference_line_hashes(text)


def test_matches_reference_on_repetitive_text() -> None:
    # Many identical windows: exercises the occurrence counter across chunks.
    text = ("same();\n" * 700) + ("\n" * 3000) + "end"
    got = line_hashes(text)
    assert got == _reference_line_hashes(text)
    assert got[0] == got[0].split(":")[0] + ":1"
    assert got[1].split(":")[1] == "2"
