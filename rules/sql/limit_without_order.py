"""SQL106 limit-without-order: DELETE or UPDATE with LIMIT but no ORDER BY hits arbitrary rows."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import WHERE_STOPS, head_index, head_span, table_label, target_table, top_clause

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_KEYWORD = {exp.Delete: "DELETE", exp.Update: "UPDATE"}


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    for delete in stmt.find_all(exp.Delete):
        top = top_clause(stmt, delete)
        if top and not delete.args.get("where"):
            yield Hit(
                *head_span(stmt, delete, "DELETE"),
                f"DELETE TOP {top} on {table_label(target_table(delete))} has no WHERE clause, so it removes "
                f"{top.strip('()')} rows the database picks, different ones on every run. Add a WHERE clause "
                "that names the rows, or delete by key from a SELECT TOP … ORDER BY.",
            )
    for node in stmt.find_all(exp.Delete, exp.Update):
        if not node.args.get("limit") or node.args.get("order"):
            continue
        keyword = _KEYWORD[type(node)]
        head = head_index(stmt, node, keyword)
        limit = stmt.keyword_after(head, "LIMIT") if head is not None else None
        span = (
            stmt.span(limit, stmt.clause_end(limit, WHERE_STOPS - {"LIMIT"}))
            if limit is not None
            else (stmt.start, stmt.end)
        )
        yield Hit(
            *span,
            f"{keyword} on {table_label(target_table(node))} has LIMIT but no ORDER BY, so which rows "
            "it touches is up to the database and can differ on every run. Add an ORDER BY on a key.",
        )


RULE = Rule(
    id="SQL106",
    name="limit-without-order",
    language="sql",
    severity=Severity.WARNING,
    summary="A DELETE or UPDATE with LIMIT but no ORDER BY affects arbitrary rows.",
    rationale=(
        "MySQL and SQLite accept `DELETE … LIMIT n` and `UPDATE … LIMIT n`. Without ORDER BY the rows "
        "chosen depend on the plan, so a batch job removes rows no one picked, and replicas can diverge. "
        "T-SQL's `DELETE TOP (n)` with no WHERE removes n rows nobody picked; with a WHERE it is the usual "
        "batched purge of the rows the WHERE names, and stays clean."
    ),
    fix="Add ORDER BY on a key, or select the batch by key in a subquery.",
    flag=(
        Example(
            "DELETE FROM sessions WHERE expired LIMIT 1000;",
            flagged="LIMIT 1000",
            severity=Severity.WARNING,
            message="DELETE on sessions has LIMIT but no ORDER BY",
        ),
        "UPDATE jobs SET state = 'queued' WHERE state = 'stuck' LIMIT 10;",
        "DELETE FROM sessions LIMIT 500;",
        Example(
            "DELETE TOP (100) FROM dbo.Sessions;",
            flagged="DELETE TOP (100) FROM dbo.Sessions",
            severity=Severity.WARNING,
            message="DELETE TOP (100) on dbo.sessions has no WHERE clause, so it removes 100 rows the database picks",
        ),
    ),
    clean=(
        "DELETE FROM sessions WHERE expired ORDER BY id LIMIT 1000;",
        "SELECT * FROM sessions LIMIT 10;",
        # T-SQL's batched purge: TOP bounds each pass, the WHERE says which rows (DELETE takes no ORDER BY).
        "DELETE TOP (1000) FROM dbo.Sessions WHERE ExpiresAt < SYSUTCDATETIME();",
        "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expired ORDER BY id LIMIT 1000);",
    ),
    check=check,
    keywords=("limit", "top"),
    precision="very-high",
    tags=("correctness",),
)
