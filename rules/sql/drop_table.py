"""SQL202 drop-table: DROP TABLE destroys a table and all its rows."""

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
    if isinstance(node, exp.Drop) and str(node.args.get("kind", "")).upper() == "TABLE":
        if node.args.get("temporary"):
            return  # DROP TEMPORARY TABLE can only drop a session's scratch table
        tables = [t for t in node.args.get("tables") or [] if not document.created_before(t, stmt)]
        if tables:
            names = ", ".join(t.sql() for t in tables)
            yield Hit(
                stmt.start,
                stmt.end,
                f"DROP TABLE destroys {names} with all {'their' if len(tables) > 1 else 'its'} "
                "rows; IF EXISTS does not make it safer. Rename the table or take a backup first, and drop it "
                "in a reviewed migration.",
            )
    elif token_verdict(stmt) == "drop-table":
        yield Hit(
            stmt.start,
            stmt.end,
            "DROP TABLE destroys a table with all its rows. The statement did not "
            "parse, so this was read from its tokens.",
        )


RULE = Rule(
    id="SQL202",
    name="drop-table",
    language="sql",
    severity=Severity.ERROR,
    summary="DROP TABLE destroys a table and every row in it.",
    rationale=(
        "Dropping a table is irreversible without a backup, and `IF EXISTS` only hides the error when the "
        "table is missing. Tables the same script created (a temporary or staging table) are exempt, as "
        "is `DROP TEMPORARY TABLE`; `CREATE TABLE IF NOT EXISTS` does not count as creating, because it "
        "may have found an existing table full of data."
    ),
    fix="Rename the table (keep it until you are sure) or take a backup, and drop it in a reviewed migration.",
    flag=(
        Example(
            "DROP TABLE users;",
            flagged="DROP TABLE users",
            severity=Severity.ERROR,
            message="DROP TABLE destroys users with all its rows; IF EXISTS does not make it safer.",
        ),
        "DROP TABLE IF EXISTS users, orders;",
        'drop table public."Users";',
        "CREATE TABLE IF NOT EXISTS users (id int);\nDROP TABLE users;",
        "DROP TABLE users;\nCREATE TABLE users (id int);",
    ),
    clean=(
        "CREATE TEMP TABLE tmp_ids AS SELECT id FROM users;\nDROP TABLE tmp_ids;",
        "CREATE TABLE staging_users (id int);\nDROP TABLE IF EXISTS staging_users;",
        "DROP TEMPORARY TABLE tmp_ids;",
        "SELECT 'DROP TABLE users';",
        "DROP VIEW active_users;",
        "COMMENT ON TABLE users IS 'do not DROP TABLE users';",
    ),
    check=check,
    escalates=True,
    keywords=("drop",),
    precision="very-high",
    tags=("data-loss",),
)
