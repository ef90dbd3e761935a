"""SQL120 live-blast-radius: asked of the live database, a statement would change too large a share of its table."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_DATA_CHANGES = (exp.Delete, exp.Update, exp.Merge)
_HOW = {
    "planner": "the planner's estimate",
    "generic": "the server's generic estimate, since the statement has parameter placeholders",
    "exact": "an exact count",
}


def check(
    stmt: Statement,
    document: SqlDocument,
    *,
    database_url: str | None = None,
    databases: dict | None = None,
    max_affected_pct: float = 1.0,
    max_affected_rows: int | None = None,
    exact_count: bool = False,
    database_timeout: float = 2.0,
) -> Iterator[Hit]:
    if not (database_url or databases) or stmt.expression is None or stmt.explain:
        return
    if not any(stmt.find_all(*_DATA_CHANGES)):
        return
    from blastguard.live import ask  # only a run that names a database loads the clients

    url = ask.url_for(document.source.path, database_url, databases or {})
    if url is None:
        return
    text = document.text[stmt.start : stmt.end]
    answer = ask.estimates(url, stmt.expression, text, exact_count, database_timeout)
    if isinstance(answer, str):
        yield Hit(
            stmt.start,
            stmt.end,
            f"The database could not estimate how many rows this changes ({answer}), so its reach is "
            "unknown. Count the rows it matches with SELECT count(*) before running it.",
            Severity.WARNING,
        )
        return
    for estimate, shown in answer:
        share = estimate.share
        over = (share is not None and share * 100 > max_affected_pct) or (
            max_affected_rows is not None and estimate.rows > max_affected_rows
        )
        size = f"{estimate.table_rows:,}" if estimate.table_rows is not None else "an unknown number of"
        percent = f" ({_percent(share)})" if share is not None else ""
        action = "delete" if estimate.verb == "delete" else "change"
        message = (
            f"Against {shown}, this {estimate.verb.split()[0].upper()} would {action} about {estimate.rows:,} of "
            f"{size} rows of {estimate.table}{percent}, by {_HOW[estimate.method]}."
        )
        if over:
            limits = [f"max-affected-pct = {max_affected_pct:g} %"]
            limits += [f"max-affected-rows = {max_affected_rows:,}"] if max_affected_rows is not None else []
            message += (
                f" That is more than {' or '.join(limits)}. Narrow the WHERE clause to the rows you mean, "
                "or run it in reviewed batches."
            )
        properties = {"blast_radius": {"database": shown, **estimate.as_properties()}}
        yield Hit(stmt.start, stmt.end, message, None if over else Severity.NOTE, properties=properties)


def _percent(share: float) -> str:
    value = share * 100
    return f"{value:.0f} %" if value >= 10 or value == 0 else f"{value:.2g} %"


_SHOP = "sqlite:///fixtures/live/shop.sqlite"  # 1,000 users, 900 of them never logged in

RULE = Rule(
    id="SQL120",
    name="live-blast-radius",
    language="sql",
    severity=Severity.ERROR,
    summary="Asked of the live database, a DELETE, UPDATE or MERGE would change more of its table than allowed.",
    rationale=(
        "A WHERE clause that looks narrow can match most of a table: `WHERE last_login IS NULL` was every "
        "user who signs in through SSO. Only the database knows. With a database URL (`--database-url`, "
        "`BLASTGUARD_DATABASE_URL`, or `database-url` / `databases` in the configuration) every DELETE, "
        "UPDATE and MERGE the SQL rules see is estimated on that database: PostgreSQL's planner "
        "(`EXPLAIN`, never `EXPLAIN ANALYZE`), MySQL's and MariaDB's `EXPLAIN` of the same SELECT, or an "
        "exact `SELECT count(*)` (always on SQLite, on request elsewhere with `exact-count`). Changing more "
        "than `max-affected-pct` of the table (1 % by default) or more than `max-affected-rows` rows is an "
        "error; a statement under the limits gets a note with its estimate; one the database cannot estimate "
        "(it rejects it, a table is missing, it calls a function that may change data) is a warning with "
        "the server's reason. The database is never changed: every session is read-only, has timeouts, and "
        "rolls back, and the URL's password is never shown."
    ),
    fix="Narrow the WHERE clause to the rows you mean, or run the change in reviewed batches.",
    flag=(
        Example(
            "DELETE FROM users WHERE last_login IS NULL;",
            flagged="DELETE FROM users WHERE last_login IS NULL",
            severity=Severity.ERROR,
            message="would delete about 900 of 1,000 rows of users (90 %), by an exact count",
            config={"database-url": _SHOP},
        ),
        Example(
            "UPDATE users SET plan = 'free' WHERE id <= 50;",
            severity=Severity.ERROR,
            message="50 of 1,000 rows of users (5 %)",
            config={"database-url": _SHOP},
        ),
        Example(
            "DELETE FROM users WHERE id = 7;",
            severity=Severity.NOTE,
            message="would delete about 1 of 1,000 rows of users (0.1 %)",
            config={"database-url": _SHOP},
        ),
        Example(
            "DELETE FROM users WHERE id <= 20;",
            severity=Severity.ERROR,
            message="more than max-affected-pct = 1 % or max-affected-rows = 10",
            config={"database-url": _SHOP, "max-affected-rows": 10},
        ),
        Example(
            "DELETE FROM accounts WHERE id = 7;",
            severity=Severity.WARNING,
            message="could not estimate how many rows this changes (",
            config={"database-url": _SHOP},
        ),
    ),
    clean=(
        "DELETE FROM users WHERE last_login IS NULL;",  # no database named: nothing is asked
        Example("SELECT count(*) FROM users WHERE last_login IS NULL;", config={"database-url": _SHOP}),
        Example("INSERT INTO users (id, email) VALUES (1001, 'new@example.com');", config={"database-url": _SHOP}),
    ),
    check=check,
    escalates=True,
    keywords=("delete", "update", "merge"),
    options=(
        "database-url",
        "databases",
        "max-affected-pct",
        "max-affected-rows",
        "exact-count",
        "database-timeout",
    ),
    precision="very-high",
    tags=("data-loss", "live"),
)
