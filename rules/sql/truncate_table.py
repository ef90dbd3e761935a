"""SQL201 truncate-table: TRUNCATE empties tables at once, without row-level triggers or a WHERE."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import token_verdict

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    node = stmt.expression
    if isinstance(node, exp.TruncateTable):
        tables = [t for t in node.expressions if not document.created_before(t, stmt)]
        if tables:
            names = ", ".join(t.sql() for t in tables)
            yield Hit(
                stmt.start,
                stmt.end,
                f"TRUNCATE empties {names} at once; it cannot be filtered, skips "
                "row-level triggers and in MySQL cannot be rolled back. Use a DELETE with a WHERE clause "
                "for the rows you mean, or take a backup first.",
            )
    elif token_verdict(stmt) == "truncate":
        yield Hit(
            stmt.start,
            stmt.end,
            "TRUNCATE empties the table at once. The statement did not parse, "
            "so this was read from its tokens. Use a DELETE with a WHERE clause for the rows you mean.",
        )


RULE = Rule(
    id="SQL201",
    name="truncate-table",
    language="sql",
    severity=Severity.ERROR,
    summary="TRUNCATE removes every row of a table at once.",
    rationale=(
        "TRUNCATE is an unfiltered delete that skips row-level triggers (and with them any audit trail), "
        "resets nothing you can undo in MySQL, and with CASCADE empties every table that references this "
        "one. A table the same script created is exempt."
    ),
    fix="Use a DELETE with a WHERE clause for the rows you mean, or take a backup first.",
    flag=(
        Example(
            "TRUNCATE users;",
            flagged="TRUNCATE users",
            severity=Severity.ERROR,
            message="TRUNCATE empties users at once; it cannot be filtered",
        ),
        "TRUNCATE TABLE orders, order_items RESTART IDENTITY;",
        "TRUNCATE TABLE IF EXISTS audit_log;",
    ),
    clean=(
        "CREATE TEMPORARY TABLE staging (id int);\nTRUNCATE staging;",
        "SELECT 'TRUNCATE users';",
        "-- TRUNCATE users;\nSELECT 1;",
    ),
    check=check,
    escalates=True,
    keywords=("truncate",),
    precision="very-high",
    tags=("data-loss",),
)
