"""Shell rules. Each module defines one `RULE`; `run` drives a rule over every command of a script.

The document's commands are already normalised: wrappers unwrapped, and the commands inside
`bash -c '…'`, `eval`, functions, loops, subshells and `$(…)` listed with positions in the document's
text, so a rule judges one command at a time and never maps offsets itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from blastguard.frontends.shell.frontend import ShellDocument
from blastguard.rule import Hit, Rule


def run(rule: Rule, document: ShellDocument, options: Mapping[str, object]) -> Iterator[Hit]:
    """Each command's hits, one per place: a loop body or a function body runs once per value or call,
    so the same command can be judged several times; the most severe judgement of it is kept. Each
    hit carries the production evidence of its command (`kubectl --context prod`, `ssh prod-db`)."""
    check = rule.check
    assert check is not None  # the engine runs only rules that have one
    kept: dict[tuple[int, int], Hit] = {}
    for command in document.commands:
        for hit in check(command, document, **options):
            hit = hit.found_in(document.evidence(command))
            place = (hit.start, hit.end)
            if place not in kept or _rank(hit, rule) > _rank(kept[place], rule):
                kept[place] = hit
    yield from kept.values()


def _rank(hit: Hit, rule: Rule) -> int:
    return hit.severity if hit.severity is not None else rule.severity
