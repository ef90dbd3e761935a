"""SQL301 guardrail-disabled: a statement that switches off the database's own safety checks."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_OFF = {"0", "off", "false"}
_ON = {"1", "on", "true"}
# setting -> (values that disable it, what is lost)
_SETTINGS = {
    "session_replication_role": (
        {"replica"},
        "foreign keys and user triggers (ON DELETE CASCADE, audit triggers) stop firing",
    ),
    "foreign_key_checks": (_OFF, "foreign keys are no longer enforced"),
    "unique_checks": (_OFF, "unique indexes are no longer checked on insert"),
    "sql_safe_updates": (_OFF, "MySQL stops refusing UPDATE and DELETE without a key in the WHERE clause"),
    "safeupdate.enabled": (_OFF, "pg-safeupdate stops refusing UPDATE and DELETE without a WHERE clause"),
    "foreign_keys": (_OFF, "SQLite stops enforcing foreign keys"),
}


def _setting_name(node: exp.Expr) -> str:
    if isinstance(node, exp.SessionParameter):
        node = node.this
    if isinstance(node, exp.Column):
        return ".".join(p.name for p in node.parts).lower()
    return node.name.lower()


def _value(node: exp.Expr) -> str:
    return (node.name if isinstance(node, (exp.Literal, exp.Var, exp.Column, exp.Identifier)) else node.sql()).lower()


def _disabled(stmt) -> list[str]:
    node = stmt.expression
    pairs = []
    if isinstance(node, exp.Set):
        pairs = [item.this for item in node.expressions if isinstance(item.this, exp.EQ)]
    elif isinstance(node, exp.Pragma) and isinstance(node.this, exp.EQ):
        pairs = [node.this]
    lost = []
    for pair in pairs:
        if pair.this is None or pair.expression is None:
            continue  # `PRAGMA = x`: no setting named
        name = _setting_name(pair.this)
        if name in _SETTINGS and _value(pair.expression) in _SETTINGS[name][0]:
            lost.append(f"{name} = {_value(pair.expression)}: {_SETTINGS[name][1]}")
    first = stmt.words[0].upper if stmt.words else ""
    if isinstance(node, exp.Command) and first == "ALTER":
        uppers = [w.upper for w in stmt.words if w.depth == 0]
        for i, word in enumerate(uppers[:-1]):
            if word == "DISABLE" and uppers[i + 1] == "TRIGGER":
                lost.append(
                    "DISABLE TRIGGER: the table's triggers (audit, cascades, FK enforcement for ALL) stop firing"
                )
            elif word == "NOCHECK" and uppers[i + 1] == "CONSTRAINT":
                lost.append(
                    "NOCHECK CONSTRAINT: SQL Server stops enforcing the foreign key and check constraints it names"
                )
    elif node is None and not stmt.error and first == "DISABLE" and stmt.words[1].upper == "TRIGGER":
        # T-SQL's own statement, which sqlglot does not parse: `DISABLE TRIGGER t ON orders`, or `ALL ON
        # DATABASE`, which also switches off the triggers that guard against DROP TABLE.
        target = " ".join(w.text for w in stmt.words[2:]).replace(" . ", ".")
        lost.append(f"DISABLE TRIGGER {target}: the triggers it names (audit, cascades, DDL guards) stop firing")
    return lost


def _sqlite_schema_change(stmt: Statement, document: SqlDocument) -> bool:
    """`PRAGMA foreign_keys = OFF` that the script turns back on, with only schema work, copying and
    backfills of added columns in between (no DELETE, MERGE, TRUNCATE, or other UPDATE): SQLite's own
    procedure for changing a table (create the new table, copy the rows, drop the old one, rename;
    sqlite.org/lang_altertable.html). With foreign keys off, dropping the old table does not delete
    the rows that refer to it."""
    node = stmt.expression
    if not (isinstance(node, exp.Pragma) and isinstance(node.this, exp.EQ) and node.this.this is not None):
        return False
    if _setting_name(node.this.this) != "foreign_keys":
        return False
    for position, later in document.script:
        if position <= stmt.index:
            continue
        if isinstance(later.expression, exp.Update) and _backfill(later.expression, position, document):
            continue
        if isinstance(later.expression, (exp.Delete, exp.Update, exp.Merge, exp.TruncateTable)):
            return False
        pragma = later.expression
        if isinstance(pragma, exp.Pragma) and isinstance(pragma.this, exp.EQ) and pragma.this.this is not None:
            if _setting_name(pragma.this.this) == "foreign_keys" and pragma.this.expression is not None:
                return _value(pragma.this.expression) in _ON
    return False


def _backfill(update: exp.Update, position: int, document: SqlDocument) -> bool:
    """An UPDATE that sets only columns the script added before it: it fills them, and touches no key
    another table refers to."""
    columns = [e.this for e in update.expressions if isinstance(e, exp.EQ) and isinstance(e.this, exp.Column)]
    return bool(columns) and all(document.column_added_before(update.this, c.name, position) for c in columns)


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    lost = _disabled(stmt)
    if lost and not _sqlite_schema_change(stmt, document):
        yield Hit(
            stmt.start,
            stmt.end,
            f"This statement switches off a database safeguard ({'; '.join(lost)}). "
            "Whatever runs after it can destroy or corrupt data that the database would otherwise protect. "
            "Leave the safeguard on and fix the statement it was in the way of.",
        )


RULE = Rule(
    id="SQL301",
    name="guardrail-disabled",
    language="sql",
    severity=Severity.WARNING,
    summary="A statement switches off foreign keys, triggers or safe-update mode.",
    rationale=(
        "`SET session_replication_role = replica`, `ALTER TABLE … DISABLE TRIGGER`, "
        "`SET FOREIGN_KEY_CHECKS = 0`, `SET sql_safe_updates = 0`, `PRAGMA foreign_keys = OFF`, and T-SQL's "
        "`DISABLE TRIGGER … ON …` and `ALTER TABLE … NOCHECK CONSTRAINT` each "
        "remove a check that stops a bad DELETE or UPDATE from cascading silently. An agent that turns one "
        "off is usually about to do what it was preventing. One exception: SQLite's `PRAGMA foreign_keys "
        "= OFF` that the same script turns back ON, with nothing but schema changes, copies and backfills "
        "of columns the script added in between (no DELETE, MERGE, TRUNCATE or other UPDATE), is SQLite's "
        "documented way to rebuild a table; SQL that a program runs one statement at a time counts as one "
        "script when one function runs it."
    ),
    fix="Keep the safeguard on and fix the statement it was blocking.",
    flag=(
        Example(
            "SET session_replication_role = replica;",
            flagged="SET session_replication_role = replica",
            severity=Severity.WARNING,
            message="This statement switches off a database safeguard",
        ),
        "SET session_replication_role TO 'replica';",
        "ALTER TABLE orders DISABLE TRIGGER ALL;",
        "SET FOREIGN_KEY_CHECKS = 0;",
        "SET SESSION sql_safe_updates = 0;",
        "PRAGMA foreign_keys = OFF;",
        # Turned back on, but rows are deleted or updated while it is off.
        Example(
            "PRAGMA foreign_keys = OFF;\nDELETE FROM customers WHERE id = 7;\nPRAGMA foreign_keys = ON;",
            flagged="PRAGMA foreign_keys = OFF",
        ),
        "PRAGMA foreign_keys = OFF;\nUPDATE orders SET customer_id = 0;\nPRAGMA foreign_keys = ON;",
        "PRAGMA foreign_keys = ON;\nPRAGMA foreign_keys = OFF;\nDROP TABLE customers;",
        # T-SQL
        Example(
            "DISABLE TRIGGER trg_orders_audit ON dbo.Orders;",
            flagged="DISABLE TRIGGER trg_orders_audit ON dbo.Orders",
            severity=Severity.WARNING,
            message="DISABLE TRIGGER trg_orders_audit ON dbo.Orders: the triggers it names",
        ),
        "DISABLE TRIGGER ALL ON DATABASE;",
        "ALTER TABLE dbo.Orders NOCHECK CONSTRAINT FK_Orders_Customers;",
        "ALTER TABLE dbo.Orders NOCHECK CONSTRAINT ALL;",
    ),
    clean=(
        "PRAGMA = DELETE;",
        "SET session_replication_role = DEFAULT;",
        "SET FOREIGN_KEY_CHECKS = 1;",
        "ALTER TABLE orders ENABLE TRIGGER ALL;",
        "ENABLE TRIGGER trg_orders_audit ON dbo.Orders;",
        "ALTER TABLE dbo.Orders WITH CHECK CHECK CONSTRAINT ALL;",
        # Adds a constraint without checking the rows already there: it guards every new row.
        "ALTER TABLE dbo.Orders WITH NOCHECK ADD CONSTRAINT FK_Orders_Customers FOREIGN KEY (CustomerId) "
        "REFERENCES dbo.Customers (Id);",
        "PRAGMA foreign_keys = ON;",
        "SET statement_timeout = '5s';",
        # SQLite's table rebuild, with foreign keys off only while the table is replaced.
        "PRAGMA foreign_keys = OFF;\nCREATE TABLE users_new (id INTEGER PRIMARY KEY, name VARCHAR(250));\n"
        "INSERT INTO users_new SELECT * FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;\n"
        "PRAGMA foreign_keys = ON;",
        "PRAGMA foreign_keys = OFF;\nALTER TABLE dag ADD COLUMN concurrency INTEGER;\n"
        "UPDATE dag SET concurrency = 16 WHERE concurrency IS NULL;\nPRAGMA foreign_keys = ON;",
    ),
    check=check,
    keywords=("set", "pragma", "disable", "nocheck"),
    precision="very-high",
    tags=("guardrail",),
)
