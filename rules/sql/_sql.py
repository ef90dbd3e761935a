"""What several SQL rules need: finding DML nodes, their spans, and judging their predicates."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from blastguard.frontends.sql.frontend import Statement, TableName, node_offsets

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Callable

    from blastguard.frontends.sql.frontend import SqlDocument

    NotNull = Callable[[exp.Expr], bool]  # whether a column is known NOT NULL

# Words that end a WHERE clause at its own depth.
WHERE_STOPS = frozenset(
    {
        "ORDER",
        "LIMIT",
        "RETURNING",
        "OFFSET",
        "FETCH",
        "GROUP",
        "HAVING",
        "WINDOW",
        "UNION",
        "INTERSECT",
        "EXCEPT",
        "OUTPUT",
        "OPTION",
        "FOR",
    }
)
# Words that bound one boolean term of a predicate at its own depth.
TERM_BOUNDARIES = (
    frozenset({"AND", "OR", "WHERE", "ON", "WHEN", "THEN", "ELSE", "HAVING", "SET", ",", "USING", "FROM"}) | WHERE_STOPS
)


def target_table(node: exp.Expr) -> exp.Table | None:
    table = node.this
    return table if isinstance(table, exp.Table) else None


def is_nested(node: exp.Expr) -> bool:
    return node.parent is not None


def _name_offsets(table: exp.Expr) -> tuple[int, int] | None:
    """Offsets of a table's name (catalog.schema.name), leaving out its joins and alias."""
    offsets = [node_offsets(part) for key in ("catalog", "db", "this") if (part := table.args.get(key))]
    spans = [s for s in offsets if s]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def _head(stmt: Statement, node: exp.Expr, keyword: str) -> tuple[int, int] | None:
    """(index of the word `keyword` that opens `node`, end offset of its target table's name)."""
    table = target_table(node)
    offsets = _name_offsets(table) if table is not None else None
    if not offsets:
        return None
    start = stmt.keyword_before(offsets[0], keyword)
    return (start, offsets[1]) if start is not None else None


def head_index(stmt: Statement, node: exp.Expr, keyword: str) -> int | None:
    """Index of the word `keyword` (DELETE, UPDATE) that opens `node`."""
    head = _head(stmt, node, keyword)
    return head[0] if head else None


def top_clause(stmt: Statement, node: exp.Expr) -> str | None:
    """`(100)` of T-SQL's `DELETE TOP (100) FROM t`, which sqlglot reads as a second table named TOP."""
    head = head_index(stmt, node, "DELETE")
    words = stmt.words
    if head is None or head + 1 >= len(words) or words[head + 1].upper != "TOP":
        return None
    last = stmt.clause_end(head + 1, frozenset({"FROM"}))
    return "".join(w.text for w in words[head + 2 : last + 1]) or None


def head_span(stmt: Statement, node: exp.Expr, keyword: str) -> tuple[int, int]:
    """`DELETE FROM users`: from the opening keyword to the end of the target table's name."""
    head = _head(stmt, node, keyword)
    return (stmt.words[head[0]].start, head[1]) if head else (stmt.start, stmt.end)


def where_span(stmt: Statement, node: exp.Expr, keyword: str) -> tuple[int, int]:
    """The WHERE clause of `node`, from WHERE to the end of its predicate."""
    start = head_index(stmt, node, keyword)
    where = stmt.keyword_after(start, "WHERE") if start is not None else None
    if where is None:
        return head_span(stmt, node, keyword)
    return stmt.span(where, stmt.clause_end(where, WHERE_STOPS))


def term_span(stmt: Statement, node: exp.Expr) -> tuple[int, int] | None:
    """The boolean term of a predicate that contains `node`, e.g. `email = NULL` in `a = 1 AND email = NULL`."""
    offsets = node_offsets(node)
    index = stmt.word_at(offsets[0]) if offsets else None
    if index is None:
        return None
    return stmt.span(_term_edge(stmt, index, -1), _term_edge(stmt, index, +1))


def _term_edge(stmt: Statement, index: int, step: int) -> int:
    """Walk from word `index` in direction `step` to the last word before a term boundary."""
    depth = stmt.words[index].depth
    while 0 <= index + step < len(stmt.words):
        word = stmt.words[index + step]
        if word.depth < depth or (word.depth == depth and (word.upper or word.text) in TERM_BOUNDARIES):
            break
        index += step
    return index


def table_label(table: exp.Expr | None) -> str:
    name = TableName.of(table) if table is not None else None
    return _HOLE_MARKER.sub("{…}", str(name)) if name else "the table"


# Values only known at run time, in SQL taken from a program's strings: a whole identifier
# `"{table}"`, or a marker inside one (`events___hole2__` for `events_{year}`).
_HOLE_MARKER = re.compile(r"__hole\d+__")


def is_runtime_value(node: exp.Expr | None) -> bool:
    """A column or table name that stands for a program's run-time value (`{condition}`)."""
    if isinstance(node, (exp.Column, exp.Table)):
        node = node.this
    return isinstance(node, exp.Identifier) and node.quoted and node.name.startswith("{") and node.name.endswith("}")


def runtime_condition(predicate: exp.Expr) -> bool:
    """The condition, or an OR-branch of it, is a run-time value: it may select every row."""
    while isinstance(predicate, exp.Paren):
        predicate = predicate.this
    # A chain of thousands of terms is one deep tree: walk its terms, not its levels.
    if isinstance(predicate, exp.Or):
        return any(runtime_condition(term) for term in predicate.flatten())
    if isinstance(predicate, exp.And):
        return all(runtime_condition(term) for term in predicate.flatten())
    if isinstance(predicate, exp.Not):
        return runtime_condition(predicate.this)
    if isinstance(predicate, exp.Binary) and not isinstance(predicate, exp.Connector):
        return is_runtime_value(predicate.this) and is_runtime_value(predicate.expression)
    return is_runtime_value(predicate)


# --- predicates -------------------------------------------------------------------------------


# sqlglot's simplify takes time quadratic in the terms of an AND / OR chain (a 500-term OR takes
# seconds), so a chain longer or larger than this is folded term by term and joined again here.
_SIMPLIFY_TERMS = 32
_SIMPLIFY_CHAIN_NODES = 256
# simplify is quadratic in a term's size too (a sum of 1,000 columns takes 0.2 s). A term larger than
# this (in nodes) is judged as written, and one predicate's simplifications together may cost at most
# _FOLD_WORK (the sum of their sizes squared, a fraction of a second); past it the rest is judged as
# written.
_SIMPLIFY_NODES = 1_000
_FOLD_WORK = _SIMPLIFY_NODES**2
# Connectors nested inside connectors deeper than this are judged as written.
_FOLD_DEPTH = 32


def fold(predicate: exp.Expr) -> exp.Expr:
    """Constant-fold a predicate (`1=1 AND id = 5` -> `id = 5`) in time linear in its size; on any
    trouble, or where a part is too large to fold, that part is left as written."""
    return _fold(predicate, 0, [_FOLD_WORK])


def _fold(predicate: exp.Expr, depth: int, work_left: list[int]) -> exp.Expr:
    node = _unwrap(predicate)
    if isinstance(node, exp.Connector) and depth < _FOLD_DEPTH:
        terms = list(node.flatten())
        if len(terms) > _SIMPLIFY_TERMS or _size(node, _SIMPLIFY_CHAIN_NODES) > _SIMPLIFY_CHAIN_NODES:
            folded = [_fold(term, depth + 1, work_left) for term in terms]
            if all(new is old or new == old for new, old in zip(folded, terms)):
                return predicate  # nothing folded: no need to copy the terms into a new chain
            return _join(type(node), folded)
    work = _size(predicate, _SIMPLIFY_NODES) ** 2
    if work > work_left[0]:
        return predicate
    work_left[0] -= work
    from sqlglot.optimizer.simplify import simplify

    try:
        return simplify(predicate.copy())
    except Exception:  # simplify is best effort; an unfoldable predicate is judged as written
        return predicate


def _join(connector: type[exp.Connector], terms: list[exp.Expr]) -> exp.Expr:
    """The folded terms of an AND / OR chain as one balanced chain: a constant that decides it decides
    it, constants that do not are dropped. Balanced, so the tree stays shallow for the rules' walks."""
    absorbing = connector is exp.Or  # TRUE decides an OR, FALSE an AND
    kept = []
    for term in terms:
        if isinstance(term, exp.Boolean):
            if term.this is absorbing:
                return term
            continue
        kept.append(term.copy() if term.parent is not None else term)  # a term as written stays in its tree
    if not kept:
        return exp.Boolean(this=not absorbing)
    while len(kept) > 1:
        pairs = [connector(this=kept[i], expression=kept[i + 1]) for i in range(0, len(kept) - 1, 2)]
        kept = pairs + kept[len(kept) - len(kept) % 2 :]
    return kept[0]


def _size(node: exp.Expr, limit: int) -> int:
    """The number of nodes in `node`, counted up to `limit` + 1."""
    count = 0
    for count, _ in enumerate(node.walk(), start=1):
        if count > limit:
            break
    return count


def _unwrap(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _is_null(node: exp.Expr) -> bool:
    return isinstance(_unwrap(node), exp.Null)


def _not_null_tested(node: exp.Expr) -> exp.Expr | None:
    """`x` of `x IS NOT NULL` (or `NOT x IS NULL`), else None."""
    node = _unwrap(node)
    if isinstance(node, exp.Is) and node.args.get("negate") and _is_null(node.expression):
        return node.this
    if isinstance(node, exp.Not):
        inner = _unwrap(node.this)
        if isinstance(inner, exp.Is) and _is_null(inner.expression):
            return inner.this
    return None


_SELF_COMPARISONS = (exp.EQ, exp.GTE, exp.LTE, exp.NullSafeEQ)
_VOLATILE = {"RAND", "RANDOM", "NEWID", "UUID", "GEN_RANDOM_UUID"}


def tautology_reason(
    predicate: exp.Expr, target: exp.Expr | None = None, not_null: NotNull | None = None
) -> str | None:
    """Why `predicate` (already folded) holds for every row, or None if it may not.

    `col IS NOT NULL` holds for every row only when `not_null(col)` says the column cannot be NULL;
    on a column that may be NULL it is a real filter."""
    node = _unwrap(predicate)
    reason = _always_true_term(node, target, not_null)
    if reason:
        return reason
    if isinstance(node, exp.Or):
        for term in node.flatten():
            reason = _always_true_term(_unwrap(term), target, not_null)
            if reason:
                return f"one of its OR branches is always true ({reason})"
    if isinstance(node, exp.And):
        terms = [_unwrap(t) for t in node.flatten()]
        if all(_always_true_term(t, target, not_null) for t in terms):
            return "every condition in it is always true"
    return None


def matches_no_row(predicate: exp.Expr) -> bool:
    """The predicate (already folded) is constant false or NULL (`1 = 0`, `NULL IS NOT NULL`): the
    statement it filters touches no row."""
    node = _unwrap(predicate)
    return isinstance(node, exp.Null) or (isinstance(node, exp.Boolean) and node.this is False)


def declared_not_null(document: SqlDocument, stmt: Statement, node: exp.Expr) -> NotNull:
    """Whether a column in the WHERE of `node` (a DELETE or UPDATE) is one of its target table's columns
    that the script declared NOT NULL or a key before `stmt`."""
    table = target_table(node)
    alias = table.alias_or_name.lower() if table is not None else ""

    def not_null(column: exp.Expr) -> bool:
        if table is None or not isinstance(column, exp.Column):
            return False
        if column.table and column.table.lower() not in (alias, table.name.lower()):
            return False  # a column of another table in the statement
        return document.column_not_null_before(table, column.name, stmt)

    return not_null


def _always_true_term(node: exp.Expr, target: exp.Expr | None, not_null: NotNull | None) -> str | None:
    if isinstance(node, exp.Boolean) and node.this is True:
        return "it is always true"
    tested = _not_null_tested(node)
    if tested is not None and not_null is not None and not_null(tested):
        return f"`{node.sql()}` holds for every row, as the script declares {tested.sql()} NOT NULL"
    if isinstance(node, _SELF_COMPARISONS) and node.this == node.expression and not _volatile(node):
        return f"`{node.sql()}` compares a value with itself"
    if isinstance(node, (exp.Like, exp.ILike)) and isinstance(node.expression, exp.Literal):
        if node.expression.is_string and set(node.expression.this) == {"%"}:
            return f"`{node.sql()}` matches every value"
    if isinstance(node, exp.Exists):
        query = node.this
        if isinstance(query, exp.Select) and not query.args.get("from_") and not query.args.get("where"):
            return "EXISTS of a query with no FROM is always true"
    if isinstance(node, exp.In) and target is not None:
        return _in_same_table(node, target)
    return None


def _in_same_table(node: exp.In, target: exp.Expr) -> str | None:
    """`id IN (SELECT id FROM same_table)` with nothing narrowing the subquery selects every row."""
    query = node.args.get("query")
    query = query.this if isinstance(query, exp.Subquery) else query
    if not isinstance(query, exp.Select):
        return None
    if any(query.args.get(k) for k in ("where", "limit", "having", "joins", "group", "offset", "fetch")):
        return None
    source = query.args.get("from_")
    name, target_name = TableName.of(source.this) if source else None, TableName.of(target)
    selected = query.expressions
    if not (name and target_name and name.matches(target_name) and len(selected) == 1):
        return None
    column = node.this
    if isinstance(column, exp.Column) and isinstance(selected[0], exp.Column) and column.name == selected[0].name:
        return f"every {column.name} of {target_name} is in `SELECT {column.name} FROM {name}`"
    return None


def _volatile(node: exp.Expr) -> bool:
    return any(isinstance(f, exp.Func) and f.sql_name().upper() in _VOLATILE for f in node.find_all(exp.Func))


def null_only(predicate: exp.Expr) -> bool:
    """True when the predicate is made only of IS [NOT] NULL tests, joined by AND / OR."""
    node = _unwrap(predicate)
    if isinstance(node, (exp.And, exp.Or)):
        return all(null_only(term) for term in node.flatten())
    if isinstance(node, exp.Not):
        return null_only(node.this)
    if isinstance(node, exp.Is):
        return _is_null(node.expression)
    if isinstance(node, (exp.NullSafeEQ, exp.NullSafeNEQ)):  # IS [NOT] DISTINCT FROM NULL
        return _is_null(node.expression) or _is_null(node.this)
    return False


def null_comparisons(predicate: exp.Expr) -> Iterator[exp.Expr]:
    """Comparisons with a NULL literal that can never be true: `= NULL`, `<> NULL`, `NOT IN (.., NULL)`."""
    for node in predicate.find_all(exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Not):
        if isinstance(node, exp.Not):
            inner = _unwrap(node.this)
            if isinstance(inner, exp.In) and any(_is_null(v) for v in inner.expressions):
                yield node
        elif _is_null(node.this) or _is_null(node.expression):
            yield node


def writes_constant(value: exp.Expr) -> bool:
    """A SET value that is the same for every row: a literal, NULL, or an expression of no column."""
    return not any(True for _ in value.find_all(exp.Column))


# --- MERGE ------------------------------------------------------------------------------------


def merge_action(when: exp.Expr) -> str | None:
    """ "DELETE" or "UPDATE" when a MERGE's WHEN clause deletes or rewrites target rows, else None."""
    then = when.args.get("then")
    if isinstance(then, exp.Update):
        return "UPDATE"
    return "DELETE" if isinstance(then, exp.Var) and then.name.upper() == "DELETE" else None


def merge_clauses(node: exp.Merge) -> list[exp.When]:
    whens = node.args.get("whens")
    return list(whens.expressions) if whens else []


def merge_clause_span(stmt: Statement, action: str) -> tuple[int, int]:
    """From `WHEN NOT MATCHED BY SOURCE` to its `action` (DELETE, UPDATE)."""
    words = stmt.words
    for i, word in enumerate(words):
        if word.upper == "WHEN" and [w.upper for w in words[i + 1 : i + 5]] == ["NOT", "MATCHED", "BY", "SOURCE"]:
            for j in range(i + 5, len(words)):
                if words[j].upper == action:
                    return stmt.span(i, j)
    return stmt.start, stmt.end


def merge_on_span(stmt: Statement, node: exp.Merge) -> tuple[int, int]:
    """The ON condition of a MERGE, from ON to the word before its first WHEN."""
    head = head_index(stmt, node, "MERGE")
    on = stmt.keyword_after(head, "ON") if head is not None else None
    if on is None:
        return stmt.start, stmt.end
    return stmt.span(on, stmt.clause_end(on, frozenset({"WHEN"})))


# --- statements that did not parse --------------------------------------------------------------


def token_verdict(stmt: Statement) -> str | None:
    """What the words of an unparsed statement show, for the rules that judge it at token level.

    Returns the kind of destruction the words prove ("unbounded-delete", "unbounded-update",
    "truncate", "drop-table", "drop-schema"), "unverifiable" when they show a destructive statement
    whose scope they cannot prove, or None when nothing destructive is in sight. A statement whose
    semicolon is missing holds several; each verb that opens a line is judged, and the worst wins.
    """
    if stmt.parsed or stmt.error is None:
        return None  # parsed, or read another way (a procedural body, a form read from its words)
    verdicts = [_segment_verdict(segment) for segment in _segments(stmt)]
    verdicts = [v for v in verdicts if v]
    proven = [v for v in verdicts if v != "unverifiable"]
    return proven[0] if proven else (verdicts[0] if verdicts else None)


def _segments(stmt: Statement) -> list[list[str]]:
    """Top-level words, cut where a statement verb opens a line (or the statement)."""
    top = [w for w in stmt.words if w.depth == 0 and w.kind == "word"]
    if not top or top[0].upper == "CREATE":
        return []  # a CREATE's body (a function, a trigger) runs later, not now
    segments: list[list[str]] = [[]]
    previous_line = None
    for word in top:
        # After THEN, a verb is a MERGE clause's action (`WHEN MATCHED THEN\n UPDATE …`), not a statement.
        opens = word.line != previous_line and word.upper in _STATEMENT_VERBS
        if opens and segments[-1] and segments[-1][-1] != "THEN":
            segments.append([])
        segments[-1].append(word.upper)
        previous_line = word.line
    return segments


def _segment_verdict(words: list[str]) -> str | None:
    if words[0] == "WITH":  # skip the CTE list to the statement it prefixes
        words = next((words[i:] for i, w in enumerate(words) if w in _VERBS), [])
    if not words:
        return None
    verb, rest = words[0], words[1:]
    if verb in ("DELETE", "UPDATE"):
        if "WHERE" in rest or "LIMIT" in rest:
            return "unverifiable"
        return f"unbounded-{verb.lower()}"
    if verb == "TRUNCATE":
        return "truncate"
    if verb == "DROP":
        kind = next((w for w in rest if w not in ("IF", "EXISTS")), "")
        if kind in _DATA_HOLDERS:
            return _DATA_HOLDERS[kind]
        # Functions, views, types …: dropping them loses no rows, unless CASCADE reaches what does.
        return "unverifiable" if "CASCADE" in rest else None
    if verb == "ALTER" and {"DROP", "DISABLE", "TRUNCATE"} & set(rest):
        return "unverifiable"
    if verb == "GRANT" and {"ALL", "DELETE", "TRUNCATE", "DROP", "SUPERUSER"} & set(rest):
        return "unverifiable"
    if verb == "MERGE" and "DELETE" in rest:
        return "unverifiable"
    return None


_DATA_HOLDERS = {"TABLE": "drop-table", "SCHEMA": "drop-schema", "DATABASE": "drop-schema", "OWNED": "drop-schema"}
_STATEMENT_VERBS = frozenset(
    {"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "WITH", "TRUNCATE", "DROP", "ALTER", "GRANT", "CREATE", "SET"}
)
_VERBS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE"})
