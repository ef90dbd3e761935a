"""SQL101 unbounded-delete: a DELETE with no row filter removes every row of its table."""

from __future__ import annotations

import re

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import (
    head_span,
    is_nested,
    merge_action,
    merge_clause_span,
    merge_clauses,
    table_label,
    target_table,
    token_verdict,
    top_clause,
)

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_COMMENTED_WHERE = re.compile(r"^\s*where\b", re.IGNORECASE)
_FIX = "Add a WHERE clause that names the rows to delete, and check it first with SELECT count(*)."


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    for node in stmt.find_all(exp.Delete):
        yield from _check_delete(stmt, document, node)
    for merge in stmt.find_all(exp.Merge):
        yield from _check_merge(stmt, merge)
    if token_verdict(stmt) == "unbounded-delete":
        yield Hit(
            stmt.start,
            stmt.end,
            f"{_words(stmt)} has no WHERE clause, so it removes every row. "
            "The statement did not parse, so this was read from its tokens. " + _FIX,
        )


def _check_delete(stmt, document, node: exp.Delete):
    if node.args.get("where") or node.args.get("limit") or top_clause(stmt, node):
        return  # DELETE TOP (n) with no WHERE removes n rows, not all: the limit-without-order rule's
    table = target_table(node)
    if table is not None and document.created_before(table, stmt):
        return  # emptying a table this script created destroys nothing
    start, end = head_span(stmt, node, "DELETE")
    label = table_label(table)
    joins = (table.args.get("joins") or []) if table is not None else []
    if node.args.get("using"):
        message = f"DELETE from {label} … USING has no WHERE clause, so it removes every row of {label}."
    elif joins:
        if all(join.args.get("on") or join.args.get("using") for join in joins):
            yield Hit(
                start,
                end,
                f"DELETE from {label} is filtered only by its join condition. "
                "Every row with a match in the joined table is removed; add a WHERE clause that "
                "states which rows you mean.",
                Severity.WARNING,
            )
            return
        message = (
            f"DELETE from {label} joins without a join condition and has no WHERE clause, so it removes every row."
        )
    elif not is_nested(node) and any(_COMMENTED_WHERE.match(c.body) for c in document.comments_of(stmt)):
        message = f"DELETE from {label} has its WHERE clause commented out, so it removes every row."
    elif is_nested(node):
        message = f"DELETE from {label} inside a WITH clause has no WHERE clause, so it removes every row."
    else:
        message = f"DELETE from {label} has no WHERE clause, so it removes every row."
    yield Hit(start, end, f"{message} {_FIX}")


def _check_merge(stmt, node: exp.Merge):
    for when in merge_clauses(node):
        if merge_action(when) == "DELETE" and when.args.get("source") and not when.args.get("condition"):
            label = table_label(target_table(node))
            yield Hit(
                *merge_clause_span(stmt, "DELETE"),
                f"MERGE into {label} deletes every row that is missing from "
                "its source (WHEN NOT MATCHED BY SOURCE THEN DELETE), so an empty or partial source "
                "empties the table. Add a condition to the WHEN clause or delete the rows explicitly.",
            )


def _words(stmt) -> str:
    """`DELETE FROM users`: the statement's words up to the table name."""
    words = [w.text for w in stmt.words if w.kind in ("word", "quoted")]
    upper = [w.upper() for w in words]
    end = upper.index("FROM") + 2 if "FROM" in upper else 2
    return " ".join(words[:end])


RULE = Rule(
    id="SQL101",
    name="unbounded-delete",
    language="sql",
    severity=Severity.ERROR,
    summary="A DELETE with no row filter removes every row of its table.",
    rationale=(
        "A DELETE without WHERE (or with a WHERE that was commented out) empties the table. The same "
        "holds for `DELETE … USING` without WHERE, a data-modifying CTE, `DELETE FROM ONLY`, a MySQL "
        "multi-table DELETE filtered only by its join, and `MERGE … WHEN NOT MATCHED BY SOURCE THEN "
        "DELETE`, which removes every row an empty source does not mention. A table the same script "
        "created is exempt: emptying it destroys nothing. In the body of a procedure or function the DELETE is "
        "a note (creating the routine runs nothing; a CALL of it in the same file is the error), in a trigger's "
        "or event's body a warning (it runs on its own)."
    ),
    fix=_FIX,
    flag=(
        Example(
            "DELETE FROM users;",
            flagged="DELETE FROM users",
            severity=Severity.ERROR,
            message="DELETE from users has no WHERE clause, so it removes every row.",
        ),
        Example(
            "DELETE FROM users;",
            config={"severity": {"SQL101": "warning"}},
            flagged="DELETE FROM users",
            severity=Severity.WARNING,
            message="has no WHERE clause",
        ),
        "DELETE FROM ONLY users;",
        "DELETE FROM users\n-- WHERE id = 42\n;",
        "DELETE FROM users; -- WHERE id = 42",
        "DELETE FROM orders USING customers;",
        "WITH gone AS (DELETE FROM users RETURNING id) SELECT count(*) FROM gone;",
        "DELETE t1 FROM t1 INNER JOIN t2 ON t1.id = t2.id;",
        "MERGE INTO users u USING staging s ON u.id = s.id\n"
        "WHEN MATCHED THEN UPDATE SET name = s.name\nWHEN NOT MATCHED BY SOURCE THEN DELETE;",
        "EXPLAIN ANALYZE DELETE FROM users;",
        "DELETE FROM users RETURNING;",
        "DELETE FROM `audit_log`;",
        "DO $$\nBEGIN\n  IF now() > '2026-01-01' THEN\n    DELETE FROM users;\n  END IF;\nEND $$;",
        # A routine's body: creating it runs nothing (a note at the statement), calling it runs it.
        Example(
            "CREATE FUNCTION purge_audit() RETURNS trigger AS $$ BEGIN DELETE FROM audit; RETURN NEW; END $$ "
            "LANGUAGE plpgsql;",
            flagged="DELETE FROM audit",
            severity=Severity.NOTE,
            message="It is in the body of function purge_audit: creating the function runs nothing",
        ),
        Example(
            "DELIMITER //\nCREATE PROCEDURE reset_users()\nBEGIN\n  DELETE FROM users;\nEND //\nDELIMITER ;\n"
            "CALL reset_users();",
            flagged="CALL reset_users()",
            severity=Severity.ERROR,
            message="This runs procedure reset_users, defined in this file. Its body, on line 4: DELETE from users",
        ),
        Example(
            "CREATE TRIGGER trg_orders AFTER INSERT ON orders FOR EACH ROW\nBEGIN\n  DELETE FROM order_cache;\nEND;",
            flagged="DELETE FROM order_cache",
            severity=Severity.WARNING,
            message="which runs it on its own each time the trigger fires",
        ),
        "CREATE PROCEDURE dbo.ResetCarts AS\nBEGIN\n    DELETE FROM dbo.Carts\nEND\nGO\nEXEC dbo.ResetCarts\nGO",
        "CREATE OR REPLACE PROCEDURE purge_logs IS\n  n NUMBER;\nBEGIN\n  DELETE FROM logs;\nEND;\n/",
    ),
    clean=(
        "DELETE FROM users WHERE id = 42;",
        "DELETE TOP (100) FROM sessions;",
        "DELETE FROM users WHERE id = $1;",
        "DELETE FROM users WHERE id = :id;",
        "DELETE FROM users WHERE id = %s;",
        "DELETE FROM users WHERE id = ?;",
        "DELETE FROM orders USING customers WHERE orders.customer_id = customers.id AND customers.banned;",
        "EXPLAIN DELETE FROM users;",
        "SELECT 'DELETE FROM users';",
        "-- DELETE FROM users;\nSELECT 1;",
        "/* DELETE FROM users; */ SELECT 1;",
        "CREATE TEMP TABLE scratch AS SELECT id FROM users;\nDELETE FROM scratch;",
        "WITH batch AS (SELECT id FROM events WHERE created_at < now() - interval '90 days' LIMIT 1000)\n"
        "DELETE FROM events WHERE id IN (SELECT id FROM batch);",
        "MERGE INTO users u USING staging s ON u.id = s.id\nWHEN NOT MATCHED BY SOURCE AND u.archived THEN DELETE;",
        "CREATE PROCEDURE purge_old() LANGUAGE sql BEGIN ATOMIC\n  DELETE FROM sessions WHERE expires_at < now();\nEND;\n"
        "CALL purge_old();",
        "CREATE FUNCTION py_purge() RETURNS void AS $$ plpy.execute('DELETE FROM users') $$ LANGUAGE plpython3u;",
    ),
    check=check,
    escalates=True,
    keywords=("delete",),
    precision="very-high",
    tags=("data-loss",),
)
