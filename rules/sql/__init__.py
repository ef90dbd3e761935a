"""SQL rules. Each module defines one `RULE`; `run` drives a rule over a parsed SQL document."""

from __future__ import annotations

from collections.abc import Iterator

from blastguard.frontends.sql import SqlDocument
from blastguard.rule import Hit, Rule


def run(rule: Rule, document: SqlDocument) -> Iterator[Hit]:
    for stmt in document.statements:
        if not stmt.executes:
            continue  # plain EXPLAIN plans its statement without running it
        for hit in rule.check(stmt, document):
            if stmt.explain == "analyze":
                hit = hit.replace(message=f"{hit.message} EXPLAIN ANALYZE executes the statement it explains.")
            yield hit
