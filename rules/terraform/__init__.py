"""Terraform rules. Each module defines one `RULE`; `run` drives a rule over a parsed configuration."""

from __future__ import annotations

from collections.abc import Iterator

from blastguard.frontends.terraform import TerraformDocument
from blastguard.rule import Hit, Rule


def run(rule: Rule, document: TerraformDocument) -> Iterator[Hit]:
    yield from rule.check(document)
