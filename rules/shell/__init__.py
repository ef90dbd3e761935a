"""Shell rules. Each module defines one `RULE`; `run` drives a rule over every command of a script.

The document's commands are already normalised: wrappers unwrapped, and the commands inside
`bash -c '…'`, `eval`, functions, loops, subshells and `$(…)` listed with positions in the document's
text, so a rule judges one command at a time and never maps offsets itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from blastguard.frontends.shell import ShellDocument
from blastguard.rule import Hit, Rule


def run(rule: Rule, document: ShellDocument) -> Iterator[Hit]:
    for command in document.commands:
        yield from rule.check(command, document)
