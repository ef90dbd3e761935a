"""SQL104 null-only-predicate: a DELETE or UPDATE whose WHERE tests nothing but NULLs."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import (
    declared_not_null,
    fold,
    matches_no_row,
    null_only,
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
    for node in stmt.find_all(exp.Delete, exp.Update):
        where = node.args.get("where")
        if not where or node.args.get("limit"):
            continue
        table = target_table(node)
        predicate = fold(where.this)
        if matches_no_row(predicate) or not null_only(predicate):
            continue  # `WHERE NULL IS NOT NULL` touches nothing
        if tautology_reason(predicate, table, declared_not_null(document, stmt, node)):
            continue  # a tautology is SQL103's to report
        if isinstance(node, exp.Update) and _fills_empty_columns(node, predicate, document, stmt):
            continue
        keyword = _KEYWORD[type(node)]
        start, end = where_span(stmt, node, keyword)
        verb = "removes" if keyword == "DELETE" else "rewrites"
        yield Hit(
            start,
            end,
            f"{keyword} on {table_label(table)} is filtered only by NULL tests, so it {verb} "
            f"every row where {_selected(predicate)}, and that can be most of the table. Run SELECT "
            "count(*) with the same WHERE first, and add a bounding condition on a key or a date.",
        )


def _selected(predicate: exp.Expr) -> str:
    """Which rows a NULL-only predicate selects, in words."""
    terms = predicate.flatten() if isinstance(predicate, exp.Connector) else [predicate]
    if all(_requires_a_value(term.unnest()) for term in terms):
        return "the column has a value"
    return "the column was never set"


def _requires_a_value(term: exp.Expr) -> bool:
    """`x IS NOT NULL`, `NOT x IS NULL`, `x IS DISTINCT FROM NULL`."""
    if isinstance(term, exp.Not):
        inner = term.this.unnest()
        return isinstance(inner, exp.Is) and not inner.args.get("negate")
    return isinstance(term, exp.NullSafeNEQ) or (isinstance(term, exp.Is) and bool(term.args.get("negate")))


def _fills_empty_columns(update: exp.Update, predicate: exp.Expr, document: SqlDocument, stmt: Statement) -> bool:
    """Every column the UPDATE sets is empty in every row it touches, so no value is overwritten (a
    backfill): the WHERE requires it to be NULL (`SET tier = 'free' WHERE tier IS NULL`), or the script
    added it just before (`ADD COLUMN has_author …; UPDATE … SET has_author = true WHERE author_id IS NOT NULL`)."""
    assigned = [a.this for a in update.expressions if isinstance(a, exp.EQ)]
    if not assigned or not all(isinstance(c, exp.Column) for c in assigned):
        return False
    table = target_table(update)
    tested = _required_null(predicate)
    return all(
        c.name.lower() in tested or (table is not None and document.column_added_before(table, c.name, stmt))
        for c in assigned
    )


def _required_null(predicate: exp.Expr) -> set[str]:
    """The columns `c` of `c IS NULL` terms that every row the predicate selects must satisfy: the
    terms of an AND chain (all of them, or none when any other kind of term is in it)."""
    tested = set()
    for term in predicate.flatten() if isinstance(predicate, exp.And) else [predicate]:
        while isinstance(term, exp.Paren):
            term = term.this
        is_null = isinstance(term, exp.Is) and isinstance(term.expression, exp.Null) and not term.args.get("negate")
        if not (is_null and isinstance(term.this, exp.Column)):
            return set()
        tested.add(term.this.name.lower())
    return tested


RULE = Rule(
    id="SQL104",
    name="null-only-predicate",
    language="sql",
    severity=Severity.WARNING,
    summary="A DELETE or UPDATE whose WHERE clause tests only for NULLs.",
    rationale=(
        "`DELETE FROM users WHERE last_login IS NULL` reads as 'remove stale users' but removes every user "
        "who never logged in with a password: every SSO user, every row created before the column existed. "
        "`WHERE archived_at IS NOT NULL` likewise reaches every row that has a value. How many rows a NULL "
        "test matches cannot be known from the statement, so a person should check the count and add a "
        "bound (a key range, a creation date, a LIMIT). It fires on a DELETE or UPDATE whose WHERE, once "
        "constant-folded, is nothing but IS [NOT] NULL tests joined by AND / OR. Not reported: a WHERE that "
        "is always false (`NULL IS NOT NULL`, it touches nothing), `col IS NOT NULL` on a column the script "
        "declares NOT NULL (true for every row: the tautological-predicate rule's), and an UPDATE that sets "
        "only columns that are empty in every row it touches (a backfill): columns its WHERE requires to be "
        "NULL, or columns the same script has just added."
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
        # An IS NOT NULL test on a column that may be NULL is a real filter, but an unmeasured one.
        Example(
            "DELETE FROM orders WHERE customer_id IS NOT NULL;",
            flagged="WHERE customer_id IS NOT NULL",
            severity=Severity.WARNING,
            message="removes every row where the column has a value",
        ),
        "UPDATE users SET api_token = NULL WHERE api_token IS NOT NULL;",
        "ALTER TABLE users ADD COLUMN tier text;\nUPDATE users SET tier = 'free', plan = 'basic' WHERE region IS NOT NULL;",
    ),
    clean=(
        "SELECT * FROM users WHERE last_login IS NULL;",
        "DELETE FROM users WHERE last_login IS NULL AND created_at < '2020-01-01';",
        "DELETE FROM users WHERE id = 7 AND last_login IS NULL;",
        "UPDATE users SET tier = 'free' WHERE tier IS NULL;",
        "UPDATE users SET tier = 'free', region = 'eu' WHERE tier IS NULL AND region IS NULL;",
        # Declared NOT NULL: always true, reported by the tautological-predicate rule instead.
        "CREATE TABLE users (id bigint PRIMARY KEY);\nDELETE FROM users WHERE id IS NOT NULL;",
        # Always false: touches no row.
        "DELETE FROM users WHERE NULL IS NOT NULL;",
        "UPDATE users SET email = NULL WHERE email IS NULL AND NULL IS NOT NULL;",
        # Filling a column the script has just added overwrites nothing.
        'ALTER TABLE "Post" ADD COLUMN "hasAuthor" boolean;\n'
        'UPDATE "Post" SET "hasAuthor" = true WHERE "authorId" IS NOT NULL;',
        "ALTER TABLE orders ADD COLUMN customer_name text;\n"
        "UPDATE orders SET customer_name = (SELECT name FROM customers c WHERE c.id = orders.customer_id)\n"
        "WHERE customer_id IS NOT NULL;",
    ),
    check=check,
    escalates=True,
    keywords=("delete", "update"),
    precision="high",
    tags=("data-loss",),
)
