"""SQL206 create-or-replace-table: CREATE OR REPLACE TABLE and INSERT OVERWRITE throw away a table's rows."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import head_span, table_label

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    node = stmt.expression
    if isinstance(node, exp.Insert) and node.args.get("overwrite"):
        yield from _insert_overwrite(stmt, document, node)
        return
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


def _insert_overwrite(stmt: Statement, document: SqlDocument, node: exp.Insert) -> Iterator[Hit]:
    """INSERT OVERWRITE (Hive, Spark, Databricks, Snowflake) first removes every row of its target, or of
    the partitions it names; the rows it writes are all that is left."""
    target = node.this
    if isinstance(target, exp.Directory):
        yield Hit(
            stmt.start,
            stmt.end,
            "INSERT OVERWRITE DIRECTORY replaces every file in the directory with the query's result. "
            "Write to a new directory, or check that nothing else is kept there.",
            Severity.WARNING,
        )
        return
    if not isinstance(target, exp.Table) or document.created_before(target, stmt):
        return
    label = table_label(target)
    partition = target.find(exp.Partition)
    if partition is not None:
        yield Hit(
            *head_span(stmt, node, "INSERT"),
            f"INSERT OVERWRITE replaces every row of {label} in {partition.sql()} with the query's result; "
            "the rows that were there are gone. Check the partition and the query, or write to a new table.",
            Severity.WARNING,
        )
        return
    yield Hit(
        *head_span(stmt, node, "INSERT"),
        f"INSERT OVERWRITE replaces every row of {label} with the query's result; the rows that were there "
        "are gone. Use INSERT INTO to add rows, or write to a new table.",
    )


RULE = Rule(
    id="SQL206",
    name="create-or-replace-table",
    language="sql",
    severity=Severity.ERROR,
    summary="CREATE OR REPLACE TABLE and INSERT OVERWRITE replace an existing table's data.",
    rationale=(
        "In Snowflake, BigQuery, Databricks and DuckDB, `CREATE OR REPLACE TABLE` is a DROP TABLE followed "
        "by CREATE TABLE: whatever the table held is gone. Replacing a view or a function is harmless. "
        "`INSERT OVERWRITE` (Hive, Spark, Databricks, Snowflake) empties its target before it writes: the "
        "whole table (an error), or the partitions it names (a warning). `REPLACE INTO` and "
        "`INSERT … ON CONFLICT` replace only the rows whose keys they write, and stay clean."
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
        Example(
            "INSERT OVERWRITE TABLE analytics.daily SELECT * FROM staging.daily;",
            flagged="INSERT OVERWRITE TABLE analytics.daily",
            severity=Severity.ERROR,
            message="INSERT OVERWRITE replaces every row of analytics.daily",
        ),
        "INSERT OVERWRITE INTO sales SELECT * FROM sales_staging;",
        Example(
            "INSERT OVERWRITE TABLE events PARTITION (dt = '2026-01-01') SELECT * FROM events_raw;",
            severity=Severity.WARNING,
            message="in PARTITION(dt = '2026-01-01')",
        ),
    ),
    clean=(
        "CREATE OR REPLACE VIEW active_users AS SELECT * FROM users WHERE active;",
        "CREATE TABLE IF NOT EXISTS users (id int);",
        "CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;",
        "INSERT INTO sales SELECT * FROM sales_staging;",
        "REPLACE INTO users (id, name) VALUES (1, 'Ada');",
        "INSERT INTO users (id, name) VALUES (1, 'Ada') ON CONFLICT (id) DO UPDATE SET name = excluded.name;",
        "CREATE TABLE daily (day date, n int);\nINSERT OVERWRITE TABLE daily SELECT day, count(*) FROM events GROUP BY day;",
    ),
    check=check,
    escalates=True,
    keywords=("replace", "overwrite"),
    precision="very-high",
    tags=("data-loss",),
)
