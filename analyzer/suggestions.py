""" "Did you mean" for a mistyped name: the list of known names, then the closest ones."""

from __future__ import annotations


def did_you_mean(word: str, known, label: str = "known") -> str:
    """` (known: a, b, c); did you mean 'b'?`, without the question when nothing is close."""
    import difflib  # only on the error path

    known = sorted(k for k in known if k)  # sqlglot names its base dialect ""
    close = difflib.get_close_matches(word, known, n=3)
    guess = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f" ({label}: {', '.join(known)}){guess}"
