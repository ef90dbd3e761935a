"""Terraform rules. Each module defines one `RULE`; `run` drives a rule over a parsed configuration.

A rule with `check_change` compares a file's old and new configuration (a deleted `resource` block);
`blastguard.filters.changes` runs it through `run_change`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from blastguard.frontends.terraform.hcl import TerraformDocument
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from blastguard.filters.changes import Change


def run(rule: Rule, document: TerraformDocument, options: Mapping[str, object]) -> Iterator[Hit]:
    check = rule.check
    assert check is not None  # the engine runs only rules that have one
    for hit in check(document, **options):
        yield hit.found_in(document.production)  # backend, provider and defaults of the module


def run_change(rule: Rule, change: Change, options: Mapping[str, object]) -> Iterator[Hit]:
    check_change = rule.check_change
    assert check_change is not None  # the engine runs only rules that have one
    production = tuple(dict.fromkeys(change.after.production + change.before.production))
    for hit in check_change(change, **options):
        yield hit.found_in(production)
