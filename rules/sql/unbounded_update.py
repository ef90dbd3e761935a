"""SQL102 unbounded-update: an UPDATE with no row filter rewrites every row of its table."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import (
    head_span,
    merge_action,
    merge_clause_span,
    merge_clauses,
    table_label,
    target_table,
    token_verdict,
    writes_constant,
)

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_FIX = "Add a WHERE clause that names the rows to change, and check it first with SELECT count(*)."


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    for node in stmt.find_all(exp.Update):
        if node.args.get("where") or node.args.get("limit") or isinstance(node.parent, exp.When):
            continue  # a MERGE's UPDATE is bounded by its ON and WHEN conditions: judged below
        table = target_table(node)
        assignments = [a for a in node.expressions if isinstance(a, exp.EQ)]
        columns = [a.this.name for a in assignments if isinstance(a.this, exp.Column)]
        if table is not None and columns and all(document.column_added_before(table, c, stmt) for c in columns):
            continue  # filling in columns this script just added overwrites nothing
        label = table_label(table)
        start, end = head_span(stmt, node, "UPDATE")
        constants = [a for a in assignments if writes_constant(a.expression)]
        if constants:
            written = ", ".join(f"`{a.sql()}`" for a in constants[:3])
            yield Hit(
                start,
                end,
                f"UPDATE of {label} has no WHERE clause, so it overwrites every row with "
                f"{written}. The old values cannot be recovered. {_FIX}",
                Severity.ERROR,
            )
        elif node.args.get("from_"):
            yield Hit(
                start,
                end,
                f"UPDATE of {label} … FROM has no WHERE clause, so every row is joined with "
                f"every row of the FROM list and overwritten. {_FIX}",
                Severity.ERROR,
            )
        else:
            yield Hit(
                start, end, f"UPDATE of {label} has no WHERE clause, so it rewrites every row. {_FIX}", Severity.WARNING
            )
    for merge in stmt.find_all(exp.Merge):
        yield from _check_merge(stmt, merge)
    if token_verdict(stmt) == "unbounded-update":
        yield Hit(
            stmt.start,
            stmt.end,
            "UPDATE has no WHERE clause, so it rewrites every row. The statement did "
            f"not parse, so this was read from its tokens. {_FIX}",
            Severity.WARNING,
        )


def _check_merge(stmt: Statement, node: exp.Merge) -> Iterator[Hit]:
    """`WHEN NOT MATCHED BY SOURCE THEN UPDATE` without a condition rewrites every target row its source
    does not mention: all of them when the source is empty. A `WHEN MATCHED` UPDATE touches only the rows
    the ON condition pairs with a source row (a tautological ON is the tautological-predicate rule's)."""
    for when in merge_clauses(node):
        if merge_action(when) != "UPDATE" or not when.args.get("source") or when.args.get("condition"):
            continue
        constants = [
            a for a in when.args["then"].expressions if isinstance(a, exp.EQ) and writes_constant(a.expression)
        ]
        yield Hit(
            *merge_clause_span(stmt, "UPDATE"),
            f"MERGE into {table_label(target_table(node))} rewrites every row that is missing from its source "
            "(WHEN NOT MATCHED BY SOURCE THEN UPDATE), so an empty or partial source rewrites the whole "
            "table. Add a condition to the WHEN clause.",
            Severity.ERROR if constants else Severity.WARNING,
        )


RULE = Rule(
    id="SQL102",
    name="unbounded-update",
    language="sql",
    severity=Severity.ERROR,
    summary="An UPDATE with no row filter rewrites every row of its table.",
    rationale=(
        "An UPDATE without WHERE changes every row. When it writes a constant or NULL the previous "
        "values are gone for good (`UPDATE users SET email = NULL`): that is an error. When it derives the "
        "new value from the row itself (`SET email = lower(email)`) it may be a deliberate backfill, so it "
        "is a warning. `UPDATE … FROM` without WHERE is a cartesian update. Filling in a column the same "
        "script has just added overwrites nothing and is not flagged; an Alembic function's `op.add_column` "
        "and a Django migration's `AddField` before its `RunSQL` count as adding it. In a MERGE, a WHEN MATCHED … THEN "
        "UPDATE changes only the rows its ON condition pairs with a source row (and that its own AND "
        "condition selects), so it is not unbounded (an always-true ON is the tautological-predicate "
        "rule's); `WHEN NOT MATCHED BY SOURCE THEN UPDATE` without a condition rewrites every row an empty "
        "or partial source does not mention, and is reported."
    ),
    fix=_FIX,
    flag=(
        Example(
            "UPDATE users SET email = NULL;",
            flagged="UPDATE users",
            severity=Severity.ERROR,
            message="UPDATE of users has no WHERE clause",
        ),
        "UPDATE accounts SET balance = 0;",
        "UPDATE users SET email = lower(email);",
        "UPDATE orders SET status = s.status FROM shipments s;",
        "WITH t AS (UPDATE users SET active = false RETURNING id) SELECT count(*) FROM t;",
        "ALTER TABLE users ADD COLUMN tier text;\nUPDATE users SET tier = 'free', email = NULL;",
        Example(
            "MERGE INTO products t USING staging s ON t.id = s.id\n"
            "WHEN NOT MATCHED BY SOURCE THEN UPDATE SET active = false;",
            flagged="WHEN NOT MATCHED BY SOURCE THEN UPDATE",
            severity=Severity.ERROR,
            message="rewrites every row that is missing from its source",
        ),
    ),
    clean=(
        "UPDATE users SET email = NULL WHERE id = 42;",
        "UPDATE users SET email = $1 WHERE id = $2;",
        "UPDATE orders SET status = s.status FROM shipments s WHERE s.order_id = orders.id;",
        "ALTER TABLE users ADD COLUMN tier text;\nUPDATE users SET tier = 'free';",
        "SELECT 'UPDATE users SET email = NULL';",
        "EXPLAIN UPDATE users SET email = NULL;",
        # A MERGE's UPDATE is bounded by its ON condition and its WHEN … AND condition.
        "MERGE INTO products t USING staging s ON t.id = s.id\n"
        "WHEN MATCHED AND t.price <> s.price THEN UPDATE SET price = s.price\n"
        "WHEN NOT MATCHED THEN INSERT (id, price) VALUES (s.id, s.price);",
        "MERGE INTO products t USING staging s ON t.id = s.id\nWHEN MATCHED THEN UPDATE SET price = 0;",
        "MERGE INTO products t USING staging s ON t.id = s.id\n"
        "WHEN NOT MATCHED BY SOURCE AND t.active THEN UPDATE SET active = false;",
        # T-SQL that the parser does not read: the UPDATE after THEN is the MERGE's action, not a statement.
        "MERGE dbo.Products AS t\nUSING dbo.StagingProducts AS s\nON (t.ProductID = s.ProductID)\n"
        "WHEN MATCHED AND t.Price <> s.Price THEN\n    UPDATE SET t.Price = s.Price\n"
        "WHEN NOT MATCHED BY TARGET THEN\n    INSERT (ProductID, Price) VALUES (s.ProductID, s.Price)\n"
        "OUTPUT $action, inserted.ProductID;",
    ),
    check=check,
    escalates=True,
    keywords=("update",),
    precision="very-high",
    tags=("data-loss",),
)
