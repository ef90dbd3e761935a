"""Terraform rules. Each module defines one `RULE`; `run` drives a rule over a parsed configuration.

A rule with `check=None` is change-only: its module defines `check_change`, which compares a file's
old and new configuration, and `blastguard.changes` runs it; on a single document it reports nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from blastguard.frontends.terraform import TerraformDocument
from blastguard.rule import Hit, Rule


def run(rule: Rule, document: TerraformDocument) -> Iterator[Hit]:
    if rule.check is not None:
        yield from rule.check(document)
