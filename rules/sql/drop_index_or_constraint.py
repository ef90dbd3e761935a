"""SQL207 drop-index-or-constraint: dropping an index or a constraint, the 'destructive optimisation'."""

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

_CONSTRAINT_KINDS = {"CONSTRAINT", "INDEX", "KEY", "FOREIGN KEY", "PRIMARY KEY", "UNIQUE", "CHECK"}


def _dropped(node: exp.Alter) -> list[str]:
    dropped = []
    for action in node.args.get("actions") or []:
        if isinstance(action, exp.DropPrimaryKey):
            dropped.append("the primary key")
        elif isinstance(action, exp.Drop) and (kind := str(action.args.get("kind", "")).upper()) in _CONSTRAINT_KINDS:
            names = ", ".join(t.name for t in action.args.get("tables") or [])
            dropped.append(f"{kind.lower()} {names}".strip())
        elif isinstance(action, exp.Command) and action.name.upper() == "DROP":
            rest = str(action.expression or "").split()  # e.g. "CONSTRAINT name", "PRIMARY KEY"
            if rest and rest[0].upper() in ("CONSTRAINT", "PRIMARY", "FOREIGN", "INDEX", "KEY", "UNIQUE", "CHECK"):
                dropped.append(" ".join(rest[:2]).lower())
    return dropped


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    node = stmt.expression
    if isinstance(node, exp.Drop) and str(node.args.get("kind", "")).upper() == "INDEX":
        names = ", ".join(t.sql() for t in node.args.get("tables") or [])
        yield Hit(
            stmt.start,
            stmt.end,
            f"DROP INDEX {names} removes an index that queries or a uniqueness guarantee may "
            "depend on; if it backs a UNIQUE rule, duplicates can creep in. Confirm it is unused (pg_stat_user_indexes) "
            "and that nothing relies on it.",
        )
    elif isinstance(node, exp.Alter) and (dropped := _dropped(node)):
        yield Hit(
            stmt.start,
            stmt.end,
            f"ALTER TABLE {table_label(node.this)} drops {', '.join(dropped)}; without it "
            "the database stops rejecting duplicate, orphaned or invalid rows, and the damage is silent. "
            "Fix the data that violates the constraint instead of removing it.",
        )


RULE = Rule(
    id="SQL207",
    name="drop-index-or-constraint",
    language="sql",
    severity=Severity.WARNING,
    summary="DROP INDEX or DROP CONSTRAINT removes a guarantee the data relies on.",
    rationale=(
        "An agent told to speed up writes or to get past a constraint violation may 'optimise' by dropping "
        "an index or a constraint. Nothing is deleted at once, but duplicates and orphans start to accumulate "
        "silently, and queries that used the index slow down. A person should look."
    ),
    fix="Fix the data that violates the constraint; drop indexes only after confirming they are unused.",
    flag=(
        Example(
            "DROP INDEX idx_users_email;",
            flagged="DROP INDEX idx_users_email",
            severity=Severity.WARNING,
            message="DROP INDEX idx_users_email removes an index that queries or a uniqueness",
        ),
        "DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;",
        "ALTER TABLE users DROP CONSTRAINT users_email_key;",
        "ALTER TABLE orders DROP FOREIGN KEY fk_orders_customer;",
        "ALTER TABLE users DROP PRIMARY KEY;",
    ),
    clean=(
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
        "ALTER TABLE users DROP COLUMN legacy_flag;",
    ),
    check=check,
    keywords=("drop",),
    precision="high",
    tags=("integrity",),
)
