"""SQL205 cascade: CASCADE extends a DROP or TRUNCATE to objects the statement does not name."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_VERBS = ("DROP", "TRUNCATE", "ALTER")


def _cascades(stmt, document) -> bool:
    node = stmt.expression
    if isinstance(node, exp.Drop) and node.args.get("cascade"):
        tables = node.args.get("tables") or []
        is_table = str(node.args.get("kind", "")).upper() == "TABLE"
        return not (is_table and tables and all(document.created_before(t, stmt) for t in tables))
    if isinstance(node, exp.TruncateTable):
        return str(node.args.get("option") or "").upper() == "CASCADE"
    if isinstance(node, exp.Alter):
        return bool(node.args.get("cascade")) or any(_action_cascades(a) for a in node.args.get("actions") or [])
    if isinstance(node, exp.Command):
        return stmt.words[0].upper in _VERBS and _cascade_word(stmt) is not None
    return False


def _action_cascades(action: exp.Expr) -> bool:
    if isinstance(action, exp.Drop):
        return bool(action.args.get("cascade"))
    return isinstance(action, exp.Command) and "CASCADE" in str(action.expression).upper().split()


def _cascade_word(stmt) -> int | None:
    """The CASCADE that applies to the statement: not the `ON DELETE CASCADE` of a foreign key."""
    for i, word in enumerate(stmt.words):
        if (
            word.upper == "CASCADE"
            and word.depth == 0
            and (i == 0 or stmt.words[i - 1].upper not in ("DELETE", "UPDATE"))
        ):
            return i
    return None


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    if stmt.parsed and _cascades(stmt, document):
        index = _cascade_word(stmt)
        span = stmt.span(index, index) if index is not None else (stmt.start, stmt.end)
        verb = stmt.words[0].upper
        yield Hit(
            *span,
            f"CASCADE makes this {verb} also drop or empty every object that depends on its target "
            "(views, foreign-key tables, columns of a dropped type), none of which the statement names. "
            "Drop or change the dependent objects explicitly, so the statement fails if anything unexpected depends on it.",
        )


RULE = Rule(
    id="SQL205",
    name="cascade",
    language="sql",
    severity=Severity.ERROR,
    summary="CASCADE extends a DROP, TRUNCATE or ALTER to dependent objects the statement does not name.",
    rationale=(
        "Without CASCADE the database refuses to drop what something else depends on; with it, dependent "
        "views, referencing tables (for TRUNCATE), and columns of a dropped type or extension go too. "
        "`ON DELETE CASCADE` in a foreign key definition is a different thing and is not flagged."
    ),
    fix="Remove CASCADE and handle the dependent objects explicitly.",
    flag=(
        Example(
            "DROP TABLE customers CASCADE;",
            flagged="CASCADE",
            severity=Severity.ERROR,
            message="CASCADE makes this DROP also drop or empty every object that depends",
        ),
        "TRUNCATE orders CASCADE;",
        "DROP TYPE mood CASCADE;",
        "DROP EXTENSION postgis CASCADE;",
        "ALTER TABLE users DROP COLUMN email CASCADE;",
        "DROP FUNCTION audit_row() CASCADE;",
    ),
    clean=(
        "CREATE TABLE orders (id int, customer_id int REFERENCES customers (id) ON DELETE CASCADE);",
        "ALTER TABLE orders ADD CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers (id) "
        "ON DELETE CASCADE;",
        "DROP TABLE customers RESTRICT;",
        "CREATE TEMP TABLE t (id int);\nDROP TABLE t CASCADE;",
    ),
    check=check,
    escalates=True,
    keywords=("cascade",),
    precision="very-high",
    tags=("data-loss",),
)
