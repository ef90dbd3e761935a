"""SQL202 drop-table: DROP TABLE destroys a table and all its rows."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.frontends.sql.frontend import TableName
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
        lost, partly = [], []
        for table in node.args.get("tables") or []:
            if document.created_before(table, stmt):
                continue
            copied = _rebuilt(table, stmt, document)
            if copied is None:
                lost.append(table)
            elif copied is not _EVERY_COLUMN:
                partly.append((table, copied))
        if lost:
            names = ", ".join(t.sql() for t in lost)
            yield Hit(
                stmt.start,
                stmt.end,
                f"DROP TABLE destroys {names} with all {'their' if len(lost) > 1 else 'its'} "
                "rows; IF EXISTS does not make it safer. Rename the table or take a backup first, and drop it "
                "in a reviewed migration.",
            )
        for table, columns in partly:
            yield _partial_rebuild(stmt, document, table, columns)
    elif token_verdict(stmt) == "drop-table":
        yield Hit(
            stmt.start,
            stmt.end,
            "DROP TABLE destroys a table with all its rows. The statement did not "
            "parse, so this was read from its tokens.",
        )


_EVERY_COLUMN = ("*",)


def _partial_rebuild(stmt: Statement, document: SqlDocument, table: exp.Expr, columns: tuple[str, ...]) -> Hit:
    """A rebuild that copies named columns keeps every row; only a column it leaves out is lost, and
    the script does not say which columns the table has. A reviewer sees this as a note; where an
    agent runs it, what cannot be checked asks."""
    severity = Severity.WARNING if document.source.context.agent else Severity.NOTE
    return Hit(
        stmt.start,
        stmt.end,
        f"DROP TABLE {table.sql()} is part of a table rebuild that copies every row with the columns "
        f"{', '.join(columns)} and renames the copy back; any other column of {table.sql()} is lost. "
        "Check that the copy names every column.",
        severity,
    )


def _rebuilt(table: exp.Expr, stmt: Statement, document: SqlDocument) -> tuple[str, ...] | None:
    """The columns the script copied, with every row of `table`, into another table before dropping it
    (`INSERT INTO new SELECT * FROM table` or `CREATE TABLE new AS SELECT * FROM table` copy every
    column; `INSERT INTO new (a, b) SELECT a, b FROM table` copies a and b; nothing filtered or joined)
    when the script renames that table to `table` afterwards: SQLite's way to change a table. None
    when there is no such copy."""
    name = TableName.of(table)
    if name is None:
        return None
    copies: list[tuple[TableName, tuple[str, ...]]] = []
    for position, other in document.script:
        node = other.expression
        if position < stmt.index and isinstance(node, (exp.Insert, exp.Create)):
            columns = _copied_columns(node, name)
            target = node.this.this if isinstance(node.this, exp.Schema) else node.this
            if columns is not None and (copy := TableName.of(target)) is not None:
                copies.append((copy, columns))
        elif position > stmt.index and isinstance(node, exp.Alter) and (renamed := TableName.of(node.this)) is not None:
            to = [a.this for a in node.args.get("actions") or [] if isinstance(a, exp.AlterRename)]
            if not to or not (back := TableName.of(to[0])) or not back.matches(name):
                continue
            for copy, columns in copies:
                if renamed.matches(copy):
                    return columns
    return None


def _copied_columns(node: exp.Insert | exp.Create, table: TableName) -> tuple[str, ...] | None:
    """What an INSERT … SELECT or CREATE … AS SELECT copies of every row of `table`: every column
    (`SELECT *`), the columns it names when each is selected into a column of the same name, else None."""
    select = node.expression
    if not _every_row(select, table):
        return None
    if [type(e) for e in select.expressions] == [exp.Star]:
        return _EVERY_COLUMN
    if not isinstance(node, exp.Insert) or not isinstance(node.this, exp.Schema):
        return None
    into = [c.name.lower() for c in node.this.expressions]
    chosen = [e.name.lower() if isinstance(e, exp.Column) else None for e in select.expressions]
    return tuple(into) if into and into == chosen else None


def _every_row(select: exp.Expr | None, table: TableName) -> bool:
    """`SELECT … FROM table`, with no filter, join, grouping, limit or DISTINCT: every row."""
    if not isinstance(select, exp.Select):
        return False
    source = select.args.get("from_") or select.args.get("from")
    if source is None or (origin := TableName.of(source.this)) is None or not origin.matches(table):
        return False
    return not any(select.args.get(part) for part in ("where", "joins", "group", "having", "limit", "distinct"))


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
        "may have found an existing table full of data. So is a table rebuild: the script first copies every "
        "row (`INSERT INTO new SELECT * FROM t` or `CREATE TABLE new AS SELECT * FROM t`, with no filter, "
        "join or limit) and afterwards renames the copy to `t`. A rebuild that copies named columns "
        "(`INSERT INTO new (a, b) SELECT a, b FROM t`) keeps every row, but a column it leaves out is lost, "
        "and the script does not show which columns `t` has: it is a note naming the columns copied (a "
        "warning where an agent runs it). A copy that computes a column is not a rebuild. SQL that a "
        "program runs one statement at a time counts as one script when one function runs it. "
        "`DROP MATERIALIZED VIEW` stays clean, like DROP VIEW: its rows are derived from tables it leaves "
        "alone, and running its query again rebuilds them (with CASCADE, the cascade rule reports it)."
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
        # A copy that is filtered, joined or leaves columns out, or is never renamed back: rows are lost.
        Example(
            "CREATE TABLE users_new (id int, name text);\nINSERT INTO users_new SELECT * FROM users WHERE active;\n"
            "DROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
            flagged="DROP TABLE users",
        ),
        # Named columns of a table the script does not declare: every row kept, but is every column?
        Example(
            "CREATE TABLE users_new (id int, name text);\n"
            "INSERT INTO users_new (id, name) SELECT id, name FROM users;\n"
            "DROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
            flagged="DROP TABLE users",
            severity=Severity.NOTE,
            message="copies every row with the columns id, name and renames the copy back",
        ),
        "CREATE TABLE users_new (id int, name text);\n"
        "INSERT INTO users_new (id, name) SELECT id, lower(name) FROM users;\n"
        "DROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
        "CREATE TABLE users_copy AS SELECT * FROM users;\nDROP TABLE users;",
        "INSERT INTO users_new SELECT * FROM users u JOIN orgs o ON o.id = u.org_id;\nDROP TABLE users;\n"
        "ALTER TABLE users_new RENAME TO users;",
    ),
    clean=(
        "CREATE TEMP TABLE tmp_ids AS SELECT id FROM users;\nDROP TABLE tmp_ids;",
        "CREATE TABLE staging_users (id int);\nDROP TABLE IF EXISTS staging_users;",
        "DROP TEMPORARY TABLE tmp_ids;",
        # A materialized view holds rows derived from its query: REFRESH (or CREATE again) rebuilds them.
        "DROP MATERIALIZED VIEW IF EXISTS mv_daily_sales;",
        # SQLite's table rebuild: every row copied, the old table dropped, the copy renamed into its place.
        "CREATE TABLE connection_new (id INTEGER NOT NULL, conn_id VARCHAR(250) NOT NULL UNIQUE);\n"
        "INSERT INTO connection_new SELECT * FROM connection;\nDROP TABLE connection;\n"
        "ALTER TABLE connection_new RENAME TO connection;",
        "CREATE TABLE users_new AS SELECT * FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
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
