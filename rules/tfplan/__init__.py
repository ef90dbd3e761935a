"""Terraform plan rules. Each module defines one `RULE`; `run` hands a rule the whole plan document,
since some rules judge one resource change at a time and others the plan as a whole."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from blastguard.frontends.terraform.plan import PlanDocument
from blastguard.rule import Hit, Rule


def run(rule: Rule, document: PlanDocument, options: Mapping[str, object]) -> Iterator[Hit]:
    check = rule.check
    assert check is not None  # the engine runs only rules that have one
    for hit in check(document, **options):
        yield hit.found_in(document.production)  # the plan's variables and provider settings
