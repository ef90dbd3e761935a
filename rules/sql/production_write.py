"""SQL107 production-write: a DELETE or UPDATE that is scoped, but runs against production."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import (
    declared_not_null,
    fold,
    is_runtime_value,
    matches_no_row,
    null_only,
    runtime_condition,
    table_label,
    target_table,
    tautology_reason,
    where_span,
)

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_KEYWORD = {exp.Delete: "DELETE", exp.Update: "UPDATE"}


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    if not document.source.context.production:
        return
    for node in stmt.find_all(exp.Delete, exp.Update):
        where, table = node.args.get("where"), target_table(node)
        if not where or null_only(where.this):
            continue  # no real scope: the rules for unbounded and NULL-only filters report it
        predicate = fold(where.this)
        if matches_no_row(predicate):
            continue  # `WHERE 1 = 0` changes nothing
        if tautology_reason(predicate, table, declared_not_null(document, stmt, node)):
            continue  # the tautological-predicate rule reports it
        if runtime_condition(where.this) or is_runtime_value(table):
            continue  # filled in at run time: the runtime-structure rule reports it
        keyword = _KEYWORD[type(node)]
        verb = "deletes" if keyword == "DELETE" else "changes"
        start, end = where_span(stmt, node, keyword)
        yield Hit(
            stmt.start,
            end,
            f"This {keyword} {verb} rows of {table_label(table)} in production. "
            "Check how many rows the WHERE clause matches with SELECT count(*) first, and run it in a "
            "transaction you can roll back.",
        )


RULE = Rule(
    id="SQL107",
    name="production-write",
    language="sql",
    severity=Severity.NOTE,
    summary="A DELETE or UPDATE with a WHERE clause, run against production.",
    rationale=(
        "A scoped DELETE on a development database is routine; the same statement against production "
        "deserves a person's look at how many rows it matches. This rule reports only where there is "
        "evidence that the target is production (a `psql -h prod-db`, a connection URL in the same file, "
        "or, in an agent hook, `DATABASE_URL` pointing at a production host), and production raises it "
        "to a warning, so an agent hook asks before it runs. A statement with no WHERE at all is the "
        "unbounded-delete and unbounded-update rules' to report, and one whose WHERE is always false "
        "(`WHERE 1 = 0`) changes nothing and is not reported."
    ),
    fix="Check the row count with SELECT count(*) first, and run the statement in a transaction.",
    example_language="shell",
    flag=(
        Example(
            'psql -h prod-db.internal -c "DELETE FROM sessions WHERE expires_at < now()"',
            flagged="DELETE FROM sessions WHERE expires_at < now()",
            severity=Severity.WARNING,
            message="This DELETE deletes rows of sessions in production.",
        ),
        "PGHOST=db.prod.example.com psql -c \"UPDATE users SET tier = 'free' WHERE id = 42\"",
        Example(
            'psql -h staging-db.internal -c "DELETE FROM sessions WHERE expires_at < now()"',
            config={"production-names": ["staging"]},
            region=(1, 33, 1, 78),
            severity=Severity.WARNING,
            message="deletes rows of sessions in production",
        ),
    ),
    clean=(
        'psql -h localhost -c "DELETE FROM sessions WHERE expires_at < now()"',
        'psql -h prod-db.internal -c "SELECT count(*) FROM sessions WHERE expires_at < now()"',
        'psql -h prod-db.internal -c "DELETE FROM sessions"',
        'psql -h prod-db.internal -c "DELETE FROM users WHERE last_login IS NULL"',
        # A constant-false WHERE changes nothing.
        'psql -h prod-db.internal -c "DELETE FROM sessions WHERE 1 = 0"',
        'psql -h prod-db.internal -c "UPDATE users SET tier = NULL WHERE false"',
        Example(
            'psql -h prod-db.internal -c "DELETE FROM sessions WHERE expires_at < now()"',
            config={"production-names": ["staging"]},
        ),
    ),
    check=check,
    escalates=True,
    keywords=("delete", "update"),
    precision="high",
    tags=("production",),
)
