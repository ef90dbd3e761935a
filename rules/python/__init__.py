"""Python rules. Each module defines one `RULE`; `run` drives a rule over every call of a module.

A call comes with its dotted name resolved through the file's imports (`subprocess.run`,
`Cart.objects.all.delete`), its scope and a way to locate any of its nodes; strings are read through
`document.string`, which folds constants. SQL and commands that a call executes are not judged
here: the frontend hands them to the SQL and shell rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from blastguard.frontends.python.frontend import PythonDocument
from blastguard.rule import Hit, Rule


def run(rule: Rule, document: PythonDocument, options: Mapping[str, object]) -> Iterator[Hit]:
    check = rule.check
    assert check is not None  # the engine runs only rules that have one
    for call in document.calls:
        for hit in check(call, document, **options):
            yield hit.found_in(document.production)
