"""SQL103 tautological-predicate: a DELETE or UPDATE whose WHERE is true for every row."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import (
    declared_not_null,
    fold,
    merge_action,
    merge_clauses,
    merge_on_span,
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
        if not where:
            continue
        table = target_table(node)
        reason = tautology_reason(fold(where.this), table, declared_not_null(document, stmt, node))
        if reason:
            keyword = _KEYWORD[type(node)]
            verb = "removes" if keyword == "DELETE" else "rewrites"
            start, end = where_span(stmt, node, keyword)
            yield Hit(
                start,
                end,
                f"{keyword} on {table_label(table)} has a WHERE clause that matches every row, "
                f"so it {verb} them all: {reason}. Write the condition that selects the rows you mean.",
            )

    for node in stmt.find_all(exp.Merge):
        yield from _check_merge(stmt, node)


def _check_merge(stmt: Statement, node: exp.Merge) -> Iterator[Hit]:
    """A MERGE whose ON condition is always true pairs every target row with the source, so a
    `WHEN MATCHED` DELETE or UPDATE with no condition of its own (or an always-true one) reaches them all."""
    on = node.args.get("on")
    reason = tautology_reason(fold(on)) if on is not None else None
    if not reason:
        return
    for when in merge_clauses(node):
        action = merge_action(when)
        condition = when.args.get("condition")
        if not action or when.args.get("source") or not when.args.get("matched"):
            continue
        if condition is not None and not tautology_reason(fold(condition)):
            continue  # `WHEN MATCHED AND t.price <> s.price` selects the rows
        verb = "removes" if action == "DELETE" else "rewrites"
        yield Hit(
            *merge_on_span(stmt, node),
            f"MERGE into {table_label(target_table(node))} has an ON condition that matches every row, so "
            f"its WHEN MATCHED THEN {action} {verb} them all: {reason}. Join on the key that pairs target "
            "and source rows.",
        )
        return


RULE = Rule(
    id="SQL103",
    name="tautological-predicate",
    language="sql",
    severity=Severity.ERROR,
    summary="A DELETE or UPDATE whose WHERE clause is true for every row.",
    rationale=(
        "`WHERE 1=1`, `WHERE TRUE`, `WHERE x = x`, `LIKE '%'`, `… OR 1=1` or `id IN (SELECT id FROM` the same "
        "table`)` look like filters but select the whole table, a common way for a generated statement to slip "
        "past a 'has a WHERE' check. The predicate is constant-folded first, so `1=1 AND id = 5` is the real "
        "filter `id = 5` and stays clean, and `WHERE 1 = 0` selects nothing. `col IS NOT NULL` is reported "
        "only when the same script declares the column NOT NULL, a PRIMARY KEY or an identity column (in a "
        "CREATE TABLE, an ADD COLUMN, an ADD PRIMARY KEY or a SET NOT NULL before the statement); on a column "
        "that may be NULL it is a real filter (the null-only-predicate rule judges it). A MERGE whose ON "
        "condition is always true reaches every target row, and is reported when a WHEN MATCHED clause with "
        "no condition of its own (or an always-true one) deletes or updates them."
    ),
    fix="Write the condition that selects the rows you mean, and check it with SELECT count(*).",
    flag=(
        Example(
            "DELETE FROM users WHERE 1=1;",
            flagged="WHERE 1=1",
            severity=Severity.ERROR,
            message="DELETE on users has a WHERE clause that matches every row",
        ),
        "DELETE FROM users WHERE TRUE;",
        "DELETE FROM users WHERE NOT FALSE;",
        "DELETE FROM users WHERE 'a' = 'a';",
        "DELETE FROM users WHERE id = id;",
        # BigQuery requires a WHERE on DELETE; `WHERE true` is how it deletes every row.
        Example("DELETE FROM dataset.events WHERE true;", config={"sql-dialect": "bigquery"}, flagged="WHERE true"),
        Example("DELETE FROM raw.events WHERE TRUE;", config={"sql-dialect": "snowflake"}, flagged="WHERE TRUE"),
        "DELETE FROM users WHERE last_login < now() - interval '1 year' OR 1=1;",
        Example(
            "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nDELETE FROM users WHERE id IS NOT NULL;",
            flagged="WHERE id IS NOT NULL",
            message="holds for every row, as the script declares id NOT NULL",
        ),
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nUPDATE users SET plan = 'free' WHERE plan = 'trial' OR email IS NOT NULL;",
        "ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';\nDELETE FROM orders o WHERE o.region IS NOT NULL;",
        "UPDATE users SET email = NULL WHERE email LIKE '%';",
        "DELETE FROM users WHERE id IN (SELECT id FROM users);",
        "UPDATE users SET plan = 'free' WHERE 2 > 1;",
        Example(
            "MERGE INTO products t USING staging s ON 1=1\nWHEN MATCHED THEN DELETE;",
            flagged="ON 1=1",
            message="MERGE into products has an ON condition that matches every row",
        ),
        "MERGE INTO products t USING staging s ON t.id = t.id\nWHEN MATCHED AND 1=1 THEN UPDATE SET price = 0;",
    ),
    clean=(
        "DELETE FROM users WHERE 1=1 AND id = 5;",
        "DELETE FROM users WHERE 1=0;",
        "DELETE FROM users WHERE id = $1;",
        "DELETE FROM users WHERE id IN (SELECT user_id FROM bans);",
        "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE banned);",
        "SELECT * FROM users WHERE 1=1;",
        "UPDATE users SET email = NULL WHERE email LIKE '%@example.com';",
        # IS NOT NULL on a column whose nullability the script does not show is a real filter.
        "UPDATE orders SET customer_name = (SELECT name FROM customers c WHERE c.id = orders.customer_id)\n"
        "WHERE customer_id IS NOT NULL;",
        "DELETE FROM users WHERE id IS NOT NULL;",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"
        "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\nDELETE FROM users WHERE email IS NOT NULL;",
        "CREATE TABLE users (id bigint PRIMARY KEY);\nDELETE FROM users u USING bans b WHERE b.id IS NOT NULL;",
        # A MERGE is bounded by its ON condition and by the condition of its WHEN clause.
        "MERGE INTO products t USING staging s ON t.id = s.id\n"
        "WHEN MATCHED AND t.price <> s.price THEN UPDATE SET price = s.price;",
        "MERGE INTO products t USING staging s ON t.id = s.id\nWHEN MATCHED THEN DELETE;",
        "MERGE INTO products t USING staging s ON 1=1\nWHEN MATCHED AND t.sku = s.sku THEN DELETE;",
    ),
    check=check,
    escalates=True,
    keywords=("delete", "update"),
    precision="very-high",
    tags=("data-loss",),
)
