"""SQL rules. Each module defines one `RULE`; `run` drives a rule over a parsed SQL document."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from blastguard.frontends.sql.frontend import SqlDocument
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._routines import in_routine, inherited


def run(rule: Rule, document: SqlDocument, options: Mapping[str, object]) -> Iterator[Hit]:
    """A statement's production evidence is its document's (a `psql -h prod-db` that carries it), which
    the engine adds to every hit; a statement has none of its own. A statement in a routine's body is
    judged at its place there, as creating the routine deserves; a call of the routine inherits it."""
    check = rule.check
    assert check is not None  # the engine runs only rules that have one

    def judge(stmt):
        return check(stmt, document, **options)

    for stmt in document.statements:
        if not stmt.executes:
            continue  # plain EXPLAIN plans its statement without running it
        # A CREATE TRIGGER's own hits are those of the function it runs: the trigger's, not now's.
        routine = stmt.routine or (stmt.body if stmt.body is not None and stmt.body.kind == "TRIGGER" else None)
        hits = [*judge(stmt), *inherited(stmt, document, judge)]
        for hit in hits:
            if routine is not None:
                hit = in_routine(hit, rule, routine)
            if stmt.explain == "analyze":
                hit = hit.replace(message=f"{hit.message} EXPLAIN ANALYZE executes the statement it explains.")
            yield hit
