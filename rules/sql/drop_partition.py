"""SQL208 drop-partition: ALTER TABLE … DROP / TRUNCATE PARTITION removes every row of a partition."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.frontends.sql.frontend import _altered_table
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_FIX = "Detach the partition (or copy it elsewhere) first, and drop it once nothing needs its rows."
_PARTITION = ("PARTITION", "SUBPARTITION")


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    if not stmt.tokens or stmt.tokens[0].text.upper() != "ALTER":
        return  # words cost time: only an ALTER can drop a partition
    table = _altered_table(stmt.words)
    if table is None:
        return
    target = exp.Table(this=exp.to_identifier(table.name), db=exp.to_identifier(table.schema) if table.schema else None)
    if document.created_before(target, stmt):
        return  # partitions of a table this script created hold nothing yet
    top = [(i, w) for i, w in enumerate(stmt.words) if w.depth == 0]
    for n, (index, word) in enumerate(top):
        if word.upper not in ("DROP", "TRUNCATE"):
            continue
        following = [(i, w) for i, w in top[n + 1 : n + 4] if w.upper not in ("IF", "EXISTS")]
        if not following or following[0][1].upper not in _PARTITION:
            continue
        kind_index, kind = following[0]
        last = stmt.clause_end(index, frozenset({",", "DROP", "TRUNCATE", "ADD", "DETACH"}))
        if stmt.words[last].text == ",":
            last -= 1
        start, end = stmt.span(index, last)
        named = document.text[stmt.words[kind_index + 1].start : end] if kind_index < last else ""
        if word.upper == "TRUNCATE" and named.upper() == "ALL":
            yield Hit(
                start,
                end,
                f"TRUNCATE PARTITION ALL empties every partition of {table}: every row of the table is removed. "
                + _FIX,
                Severity.ERROR,
            )
            continue
        done = "drops" if word.upper == "DROP" else "empties"
        yield Hit(
            start,
            end,
            f"ALTER TABLE {table} {done} {kind.upper.lower()} {named}: every row stored in it is removed at once, without "
            f"row-level triggers or a way back. {_FIX}",
        )


RULE = Rule(
    id="SQL208",
    name="drop-partition",
    language="sql",
    severity=Severity.WARNING,
    summary="ALTER TABLE … DROP PARTITION or TRUNCATE PARTITION removes every row of the partitions it names.",
    rationale=(
        "MySQL, Oracle, Hive, Spark and ClickHouse drop or truncate a partition with ALTER TABLE: the rows in "
        "it are gone at once, with no WHERE to check and no row-level triggers. It removes a named slice, "
        "often on purpose (retention), so it is a warning; `TRUNCATE PARTITION ALL` empties the whole table "
        "and is an error. `DETACH PARTITION` keeps the rows (PostgreSQL leaves a standalone table, ClickHouse "
        "a detached part that ATTACH brings back), so it stays clean, as do partitions of a table the same "
        "script created."
    ),
    fix=_FIX,
    flag=(
        Example(
            "ALTER TABLE sales DROP PARTITION p2019;",
            flagged="DROP PARTITION p2019",
            severity=Severity.WARNING,
            message="ALTER TABLE sales drops partition p2019: every row stored in it is removed",
        ),
        "ALTER TABLE sales TRUNCATE PARTITION p2019, p2020;",
        "ALTER TABLE sales DROP PARTITION FOR (DATE '2019-01-01');",
        "ALTER TABLE logs DROP IF EXISTS PARTITION (dt = '2019-01-01');",
        "ALTER TABLE sales TRUNCATE SUBPARTITION sp_2019_q1;",
        Example("ALTER TABLE sales TRUNCATE PARTITION ALL;", severity=Severity.ERROR, message="every row of the table"),
    ),
    clean=(
        "ALTER TABLE measurements DETACH PARTITION measurements_2019;",
        "ALTER TABLE measurements ATTACH PARTITION measurements_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
        "ALTER TABLE sales ADD PARTITION (PARTITION p2027 VALUES LESS THAN (2028));",
        "CREATE TABLE sales (id int, y int) PARTITION BY RANGE (y) (PARTITION p2019 VALUES LESS THAN (2020));\n"
        "ALTER TABLE sales DROP PARTITION p2019;",
        "SELECT * FROM sales PARTITION (p2019);",
    ),
    check=check,
    escalates=True,
    keywords=("partition", "subpartition"),
    precision="very-high",
    tags=("data-loss",),
)
