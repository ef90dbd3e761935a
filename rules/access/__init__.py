"""Rules on what a database role can destroy: each reads the capabilities of an `AccessDocument`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from blastguard.frontends.access import AccessDocument
from blastguard.rule import Hit, Rule


def run(rule: Rule, document: AccessDocument, options: Mapping[str, object]) -> Iterator[Hit]:
    check = rule.check
    assert check is not None  # the engine runs only rules that have one
    for start, end, capability in document.capabilities:
        yield from check(start, end, capability, **options)
