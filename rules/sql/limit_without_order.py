"""SQL106 limit-without-order: DELETE or UPDATE with LIMIT but no ORDER BY hits arbitrary rows."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import WHERE_STOPS, head_index, table_label, target_table

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_KEYWORD = {exp.Delete: "DELETE", exp.Update: "UPDATE"}


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
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
        "chosen depend on the plan, so a batch job removes rows no one picked, and replicas can diverge."
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
    ),
    clean=(
        "DELETE FROM sessions WHERE expired ORDER BY id LIMIT 1000;",
        "SELECT * FROM sessions LIMIT 10;",
        "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expired ORDER BY id LIMIT 1000);",
    ),
    check=check,
    keywords=("limit",),
    precision="very-high",
    tags=("correctness",),
)
