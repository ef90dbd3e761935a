"""Python that a shell script runs inline, handed to the Python rules as embedded sources.

`python3 -c '…'` and a heredoc fed to `python3 -` (or to a bare `python3`) keep the document offset
of every character; a script file (`python3 tool.py`) is read from disk by `script_files`.
"""

from __future__ import annotations

from blastguard.sources import PYTHON_INTERPRETER, Embedded, Source

# Options of the interpreter that take a value (`-W error`, `-X dev`): skipped to find `-c` or the script.
_WITH_VALUE = frozenset({"-W", "-X", "--check-hash-based-pycs"})


def python_children(document) -> list[Embedded]:
    children = []
    for command in document.commands:
        if not PYTHON_INTERPRETER.fullmatch(command.program):
            continue
        code = inline_code(command)
        if code is not None and code.value.strip():
            context = document.source.context.with_production(*document.evidence(command))
            children.append(Embedded(Source(document.source.path, code.value, "python", context), list(code.offsets)))
    return children


def inline_code(command):
    """The code word of `python -c CODE`, or the heredoc of `python -` / `python`; None for a script file."""
    words = command.words[1:]
    i = 0
    while i < len(words):
        value = words[i].value
        if value == "-c":
            return words[i + 1] if i + 1 < len(words) else None
        if value.startswith("-c"):
            return words[i].slice(2)
        if value == "-" or not value.startswith("-"):
            break
        i += 2 if value in _WITH_VALUE else 1
    reads_stdin = i >= len(words) or words[i].value == "-"
    if reads_stdin and command.stdin is not None and command.stdin.text is not None:
        return command.stdin.text
    return None
