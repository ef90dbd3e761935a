"""SQL206 create-or-replace-table: CREATE OR REPLACE TABLE throws away the existing table's data."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import table_label

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    node = stmt.expression
    if not (isinstance(node, exp.Create) and node.args.get("replace")):
        return
    if str(node.args.get("kind", "")).upper() != "TABLE":
        return
    table = node.this.this if isinstance(node.this, exp.Schema) else node.this
    if document.created_before(table, stmt):
        return
    yield Hit(
        stmt.start,
        stmt.end,
        f"CREATE OR REPLACE TABLE {table_label(table)} silently replaces an existing "
        "table and every row in it. Use CREATE TABLE (which fails if the table exists) or a new table name.",
    )


RULE = Rule(
    id="SQL206",
    name="create-or-replace-table",
    language="sql",
    severity=Severity.ERROR,
    summary="CREATE OR REPLACE TABLE replaces an existing table and its data.",
    rationale=(
        "In Snowflake, BigQuery, Databricks and DuckDB, `CREATE OR REPLACE TABLE` is a DROP TABLE followed "
        "by CREATE TABLE: whatever the table held is gone. Replacing a view or a function is harmless."
    ),
    fix="Use CREATE TABLE (it fails when the table exists) or write to a new table.",
    flag=(
        Example(
            "CREATE OR REPLACE TABLE analytics.daily AS SELECT * FROM staging.daily;",
            flagged="CREATE OR REPLACE TABLE analytics.daily AS SELECT * FROM staging.daily",
            severity=Severity.ERROR,
            message="CREATE OR REPLACE TABLE analytics.daily silently replaces an existing table",
        ),
        "CREATE OR REPLACE TABLE users (id int, email text);",
    ),
    clean=(
        "CREATE OR REPLACE VIEW active_users AS SELECT * FROM users WHERE active;",
        "CREATE TABLE IF NOT EXISTS users (id int);",
        "CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;",
    ),
    check=check,
    escalates=True,
    keywords=("replace",),
    precision="very-high",
    tags=("data-loss",),
)
