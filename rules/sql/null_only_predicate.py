"""SQL104 null-only-predicate: a DELETE or UPDATE whose WHERE tests nothing but NULLs."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import fold, null_only, table_label, target_table, tautology_reason, where_span

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_KEYWORD = {exp.Delete: "DELETE", exp.Update: "UPDATE"}


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    for node in stmt.find_all(exp.Delete, exp.Update):
        where = node.args.get("where")
        if not where or node.args.get("limit"):
            continue
        table = target_table(node)
        if not null_only(where.this) or tautology_reason(fold(where.this), table):
            continue  # a tautology is SQL103's to report
        if isinstance(node, exp.Update) and _fills_nulls(node, where.this):
            continue
        keyword = _KEYWORD[type(node)]
        start, end = where_span(stmt, node, keyword)
        verb = "removes" if keyword == "DELETE" else "rewrites"
        yield Hit(
            start,
            end,
            f"{keyword} on {table_label(table)} is filtered only by NULL tests, so it {verb} "
            "every row where the column was never set, and that can be most of the table. Run SELECT "
            "count(*) with the same WHERE first, and add a bounding condition on a key or a date.",
        )


def _fills_nulls(update: exp.Update, predicate: exp.Expr) -> bool:
    """`UPDATE users SET tier = 'free' WHERE tier IS NULL`: every column it sets is NULL in every row it
    touches, so no value is overwritten (a backfill)."""
    tested = set()
    for term in predicate.flatten() if isinstance(predicate, exp.And) else [predicate]:
        while isinstance(term, exp.Paren):
            term = term.this
        if not (
            isinstance(term, exp.Is) and isinstance(term.expression, exp.Null) and isinstance(term.this, exp.Column)
        ):
            return False
        tested.add(term.this.name.lower())
    assigned = [a.this for a in update.expressions if isinstance(a, exp.EQ)]
    return bool(assigned) and all(isinstance(c, exp.Column) and c.name.lower() in tested for c in assigned)


RULE = Rule(
    id="SQL104",
    name="null-only-predicate",
    language="sql",
    severity=Severity.WARNING,
    summary="A DELETE or UPDATE whose WHERE clause tests only for NULLs.",
    rationale=(
        "`DELETE FROM users WHERE last_login IS NULL` reads as 'remove stale users' but removes every user "
        "who never logged in with a password: every SSO user, every row created before the column existed. "
        "How many rows are NULL cannot be known from the statement, so a person should check the count "
        "and add a bound (a key range, a creation date, a LIMIT). An UPDATE that only fills in the very "
        "columns it finds NULL (a backfill) overwrites nothing and is not reported."
    ),
    fix="Check the count first and add a bounding condition on a key or a date.",
    flag=(
        Example(
            "DELETE FROM users WHERE last_login IS NULL;",
            flagged="WHERE last_login IS NULL",
            severity=Severity.WARNING,
            message="DELETE on users is filtered only by NULL tests",
        ),
        "DELETE FROM users WHERE last_login IS NULL OR email IS NULL;",
        "UPDATE accounts SET status = 'closed' WHERE closed_at IS NOT NULL AND reopened_at IS NULL;",
        "DELETE FROM users WHERE deleted_at IS NOT DISTINCT FROM NULL;",
        "UPDATE users SET tier = 'free', plan = 'basic' WHERE tier IS NULL;",
        "UPDATE users SET tier = 'free' WHERE tier IS NULL OR region IS NULL;",
    ),
    clean=(
        "SELECT * FROM users WHERE last_login IS NULL;",
        "DELETE FROM users WHERE last_login IS NULL AND created_at < '2020-01-01';",
        "DELETE FROM users WHERE id = 7 AND last_login IS NULL;",
        "DELETE FROM users WHERE id IS NOT NULL;",
        "UPDATE users SET tier = 'free' WHERE tier IS NULL;",
        "UPDATE users SET tier = 'free', region = 'eu' WHERE tier IS NULL AND region IS NULL;",
    ),
    check=check,
    escalates=True,
    keywords=("delete", "update"),
    precision="high",
    tags=("data-loss",),
)
