"""Encoded scripts a command decodes and runs: a literal payload is decoded and checked as shell.

`echo cm0gLXJmIH4= | base64 -d | sh`, `base64 --decode <<< … | bash`, `eval "$(echo … | base64 -d)"`,
`bash -c "$(base64 -d <<< …)"`, `xxd -r -p <<< 726d… | sh`, `openssl base64 -d <<< … | bash`: when the
encoded text is written in the command itself, what runs is known. It becomes an embedded shell
source whose every character points at the encoded literal, and the command that runs it is no
longer unverifiable. A payload that is not literal, not valid, or not text stays unverifiable (SH900).
"""

from __future__ import annotations

import re

from blastguard.frontends.shell.unwrapped_commands import SHELLS
from blastguard.sources import Embedded, Source

DECODERS = frozenset({"base64", "basenc", "xxd", "openssl"})
_SUBSTITUTION = re.compile(r"\s*(?:\$\((.*)\)|`(.*)`)\s*", re.DOTALL)


def decoded_runs(document) -> tuple[list[Embedded], set[int]]:
    """The decoded scripts, and the indexes of the commands that run them (checked now, not unknown)."""
    children: list[Embedded] = []
    resolved: set[int] = set()
    for command in document.commands:
        if command.unresolved is None:
            continue
        decoder = _decoder_feeding(document, command)
        if decoder is None:
            continue
        payload = decoder.stdin.text if decoder.stdin is not None else None
        if payload is None or not payload.literal:
            continue
        text = _decode(decoder, payload.value)
        if text is None:
            continue
        context = document.source.context.with_production(*document.evidence(command)).replace(env=dict(command.env))
        count = len(text) + 1
        children.append(
            Embedded(
                Source(document.source.path, text, "shell", context),
                [payload.start] * count,
                ends=[payload.end] * count,
            )
        )
        resolved.add(command.index)
    return children, resolved


def _decoder_feeding(document, command):
    """The decoding command whose output `command` runs: piped into a shell, or substituted as its name."""
    if command.program in SHELLS and command.upstream is not None:
        return command.upstream if _decodes(command.upstream) else None
    head = command.words[0]
    if not _SUBSTITUTION.fullmatch(head.value):
        return None
    inside = [c for c in document.commands if c.index < command.index and head.start <= c.start and c.end <= head.end]
    return inside[-1] if inside and _decodes(inside[-1]) else None


def _decodes(command) -> bool:
    values = [w.value for w in command.args]
    program = command.program
    if program in ("base64", "basenc"):
        return any(v in ("-d", "--decode", "-D") or re.fullmatch(r"-[a-zA-Z]*d[a-zA-Z]*", v) for v in values)
    if program == "xxd":
        return "-r" in values or any(re.fullmatch(r"-[a-z]*r[a-z]*", v) for v in values)
    if program == "openssl":
        return (
            bool(values)
            and values[0] in ("base64", "enc")
            and "-d" in values
            and (values[0] == "base64" or "-base64" in values or "-a" in values)
        )
    return False


def _decode(decoder, payload: str) -> str | None:
    import base64  # only for a command that decodes a literal
    import binascii

    compact = re.sub(r"\s+", "", payload)
    try:
        if decoder.program == "xxd":
            data = bytes.fromhex(compact)
        elif decoder.program == "basenc" and not any(w.value == "--base64" for w in decoder.args):
            return None  # base32, base16, … : rare enough to stay unverifiable
        else:
            data = base64.b64decode(compact, validate=True)
        return data.decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
