"""How many rows a DELETE, UPDATE or MERGE would change, out of how many, asked of a read-only session.

- PostgreSQL: the planner's estimate, from `EXPLAIN (FORMAT JSON)` of the statement itself (EXPLAIN
  without ANALYZE plans and never runs it; each ModifyTable node of the plan is one table changed, CTEs
  included), and the table's size as the planner sees it (`EXPLAIN` of a scan, which reads
  `pg_class.reltuples`). With parameter placeholders the statement is prepared and explained under
  `plan_cache_mode = force_generic_plan`: the server's generic estimate. An exact count on request.
- MySQL / MariaDB: `EXPLAIN FORMAT=JSON` of the SELECT that picks the same rows (a read-only
  transaction refuses to explain the DML itself), rows times `filtered`, and `information_schema`'s size.
- SQLite: always exact counts.

An exact count is `SELECT count(*)` over the statement's own table and condition (its USING / FROM
tables as an EXISTS), bounded by the session's statement timeout.
"""

from __future__ import annotations

import json

from sqlglot import exp

from blastguard.live.urls import LiveError
from blastguard.records import Record, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from blastguard.live.connections import ReadOnlySession

_DIALECTS = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}
_VERBS: dict[type, str] = {exp.Delete: "delete", exp.Update: "update", exp.Merge: "merge into"}


@record(frozen=True)
class Estimate(Record):
    verb: str  # "delete" | "update" | "merge into"
    table: str
    rows: int
    table_rows: int | None  # None: the server does not know the table's size
    method: str  # "planner" | "generic" (placeholders) | "exact"

    @property
    def share(self) -> float | None:
        if not self.table_rows:
            return None
        return min(1.0, self.rows / self.table_rows)

    def as_properties(self) -> dict:
        return {
            "verb": self.verb,
            "table": self.table,
            "rows": self.rows,
            "table_rows": self.table_rows,
            "share": None if self.share is None else round(self.share, 4),
            "method": self.method,
        }


def estimate(session: ReadOnlySession, statement: exp.Expr, text: str, exact: bool = False) -> list[Estimate]:
    """What `statement` (parsed from `text`) would change, one estimate per table it changes. Raises
    LiveError with the reason when the server cannot tell (it rejects the statement, a table is
    missing, a placeholder leaves no estimate, the statement calls a function that may change data)."""
    changed = [node for node in statement.walk() if type(node) in _VERBS]
    if not changed:
        return []
    dialect = _DIALECTS[session.engine]
    placeholders = list(statement.find_all(exp.Placeholder, exp.Parameter))
    _refuse_side_effects(session, statement)
    if session.engine == "postgresql":
        return _postgres(session, statement, text, changed, placeholders, exact)
    if placeholders:
        raise LiveError(f"the statement has parameter placeholders, and {session.engine} gives no generic estimate")
    found = []
    for node in changed:
        if isinstance(node, exp.Merge):
            raise LiveError(f"a MERGE is estimated on PostgreSQL only, not on {session.engine}")
        table = _table_label(node.this)
        count = _count_query(node, dialect)
        if session.engine == "sqlite" or exact:
            rows = _single(session.ask([(count, ())]))
            size = _single(session.ask([(f"SELECT count(*) FROM {node.this.copy().sql(dialect)}", ())]))
            found.append(Estimate(_VERBS[type(node)], table, rows, size, "exact"))
        else:
            found.append(
                Estimate(_VERBS[type(node)], table, _mysql_rows(session, node), _mysql_size(session, node), "planner")
            )
    return found


# --- PostgreSQL -------------------------------------------------------------------------------------------


def _postgres(session, statement, text, changed, placeholders, exact) -> list[Estimate]:
    if placeholders:
        numbered = _numbered(statement)
        nulls = ", ".join(["NULL"] * len(placeholders))
        plan = session.ask(
            [
                ("SET LOCAL plan_cache_mode = force_generic_plan", ()),
                (f"PREPARE blastguard_estimate AS {numbered}", ()),
                (f"EXPLAIN (FORMAT JSON, VERBOSE) EXECUTE blastguard_estimate({nulls})", ()),
            ]
        )
        method = "generic"
    else:
        plan = session.ask([(f"EXPLAIN (FORMAT JSON, VERBOSE) {text}", ())])
        method = "planner"
    modified = list(_modify_nodes(_plan_of(plan)))
    if not modified:
        raise LiveError("the server's plan changes no table")
    found = []
    for (operation, schema, relation, rows), node in zip(modified, changed):
        table = f"{schema}.{relation}" if schema and schema != "public" else relation
        size = _postgres_size(session, schema, relation)
        how = method
        if exact and not placeholders and not isinstance(node, exp.Merge):
            rows, how = _single(session.ask([(_count_query(node, "postgres"), ())])), "exact"
        found.append(Estimate(operation.lower().replace("merge", "merge into"), table, int(rows), size, how))
    return found


def _modify_nodes(plan: dict):
    """(operation, schema, relation, rows) of every ModifyTable node of a plan, depth first."""
    stack = [plan]
    while stack:
        node = stack.pop()
        if node.get("Node Type") == "ModifyTable":
            children = node.get("Plans") or [{}]
            yield (
                node.get("Operation", ""),
                node.get("Schema", ""),
                node.get("Relation Name", ""),
                children[0].get("Plan Rows", 0),
            )
        stack.extend(reversed(node.get("Plans") or []))


def _postgres_size(session, schema: str, relation: str) -> int | None:
    name = exp.Table(this=exp.to_identifier(relation, quoted=True))
    if schema:
        name.set("db", exp.to_identifier(schema, quoted=True))
    plan = _plan_of(session.ask([(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {name.sql('postgres')}", ())]))
    return int(plan.get("Plan Rows", 0))


def _plan_of(rows: list[tuple]) -> dict:
    value = rows[0][0] if rows and rows[0] else None
    document = json.loads(value) if isinstance(value, str) else value
    return document[0]["Plan"] if document else {}


def _numbered(statement: exp.Expr) -> str:
    """The statement with its placeholders numbered as PostgreSQL's ($1, $2, …), in order."""
    copy = statement.copy()
    for number, node in enumerate(list(copy.find_all(exp.Placeholder, exp.Parameter)), 1):
        node.replace(exp.Parameter(this=exp.Literal.number(number)))
    return copy.sql("postgres")


# --- MySQL / MariaDB --------------------------------------------------------------------------------------


def _mysql_rows(session, node) -> int:
    select = _rows_query(node).select(exp.Literal.number(1), append=False).sql("mysql")
    plan = json.loads(_single(session.ask([(f"EXPLAIN FORMAT=JSON {select}", ())])))
    table = _first_table(plan.get("query_block", {}))
    if table is None:
        raise LiveError("the server's plan names no table")
    rows = table.get("rows", table.get("rows_examined_per_scan", 0))
    return round(float(rows) * float(table.get("filtered", 100)) / 100)


def _first_table(block: dict) -> dict | None:
    """The plan's first table entry (the statement's own table comes first)."""
    stack: list = [block]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            if "table_name" in item:
                return item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _mysql_size(session, node) -> int | None:
    table = node.this
    rows = session.ask(
        [
            (
                "SELECT TABLE_ROWS FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = COALESCE(%s, DATABASE()) AND TABLE_NAME = %s",
                (table.db or None, table.name),
            )
        ]
    )
    if not rows:
        raise LiveError(f"the table {_table_label(table)} does not exist")
    return None if rows[0][0] is None else int(rows[0][0])


# --- both -------------------------------------------------------------------------------------------------


def _count_query(node: exp.Expr, dialect: str) -> str:
    return _rows_query(node).sql(dialect)


def _rows_query(node: exp.Expr) -> exp.Select:
    """SELECT count(*) of the rows `node` changes: its table under its condition, with its USING or
    FROM tables as an EXISTS (a row is changed once however many rows it joins)."""
    table = node.this.copy()
    where = node.args.get("where")
    condition = where.this.copy() if where is not None else None
    joined = list(node.args.get("using") or [])
    source = node.args.get("from_") or node.args.get("from")
    if source is not None:
        joined.append(source.this)
        joined += [j.this for j in source.args.get("joins") or []]
    query = exp.select(exp.Count(this=exp.Star())).from_(table)
    if joined:
        inner = exp.select("1").from_(joined[0].copy())
        for other in joined[1:]:
            inner = inner.join(other.copy(), join_type="cross")
        query = query.where(exp.Exists(this=inner.where(condition) if condition is not None else inner))
    elif condition is not None:
        query = query.where(condition)
    return query


def _refuse_side_effects(session, statement: exp.Expr) -> None:
    """A statement calling a function the database defines (not a built-in) may change data when it
    runs, which no row estimate shows: it is reported as not estimated, with the function's name."""
    names = sorted({node.name.lower() for node in statement.find_all(exp.Anonymous) if node.name})
    if not names or session.engine == "sqlite":
        return
    if session.engine == "postgresql":
        rows = session.ask(
            [
                (
                    "SELECT DISTINCT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE p.proname = ANY(%s) AND p.provolatile = 'v' "
                    "AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
                    (names,),
                )
            ]
        )
    else:
        marks = ", ".join(["%s"] * len(names))
        rows = session.ask(
            [
                (
                    "SELECT DISTINCT LOWER(ROUTINE_NAME) FROM information_schema.ROUTINES "
                    f"WHERE ROUTINE_TYPE = 'FUNCTION' AND LOWER(ROUTINE_NAME) IN ({marks})",
                    tuple(names),
                )
            ]
        )
    if rows:
        called = ", ".join(f"{row[0]}()" for row in rows)
        raise LiveError(f"it calls {called}, which may change data when it runs; no row estimate shows that")


def _single(rows: list[tuple]):
    if not rows or not rows[0]:
        raise LiveError("the server returned nothing")
    return rows[0][0]


def _table_label(table: exp.Expr) -> str:
    table = table.copy()
    if isinstance(table, exp.Table):
        table.set("alias", None)
    return table.sql()
