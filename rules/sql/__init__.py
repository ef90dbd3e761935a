"""SQL rules. Each module defines one `RULE`; `run` drives a rule over a parsed SQL document."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from blastguard.frontends.sql.frontend import SqlDocument
from blastguard.rule import Hit, Rule


def run(rule: Rule, document: SqlDocument, options: Mapping[str, object]) -> Iterator[Hit]:
    """A statement's production evidence is its document's (a `psql -h prod-db` that carries it), which
    the engine adds to every hit; a statement has none of its own."""
    check = rule.check
    assert check is not None  # the engine runs only rules that have one
    for stmt in document.statements:
        if not stmt.executes:
            continue  # plain EXPLAIN plans its statement without running it
        for hit in check(stmt, document, **options):
            if stmt.explain == "analyze":
                hit = hit.replace(message=f"{hit.message} EXPLAIN ANALYZE executes the statement it explains.")
            yield hit
