"""PY103 drop-tables: code that drops tables or collections (`drop_all()`, `Table.drop()`, …)."""

from __future__ import annotations

import libcst as cst

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.python._orm import chain

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.python.calls import Call
    from blastguard.frontends.python.frontend import PythonDocument

_FIX = (
    "Drop tables in a reviewed migration, never from application or script code; to reset test data, "
    "use a dedicated test database."
)
# A function dropping `{1}` after `{0}` found no row (the emptiness-guard examples).
_EMPTY_CHECKED = (
    "from sqlalchemy import Table, select\n\ndef drop_if_empty(session, engine, table, other):\n"
    "    rows = session.execute({0}).all()\n    if not rows:\n        {1}.drop(bind=engine, checkfirst=True)"
)
_MONGO = ("pymongo", "motor", "mongoengine")
_SEARCH = frozenset({"elasticsearch", "opensearchpy", "elasticsearch_dsl", "opensearch_dsl"})


def check(call: Call, document: PythonDocument) -> Iterator[Hit]:
    method = call.method
    imported = document.model.imported_modules
    if method == "drop_all":  # metadata.drop_all(engine), Flask-SQLAlchemy's db.drop_all()
        yield Hit(*call.span(), f"`{method}()` drops every table the metadata knows, with all their rows. {_FIX}")
    elif method == "drop" and _is_table(call, document):
        if guard := document.found_empty(call, call.receiver):
            # The table holds no row when this runs: a note that says so.
            message = f"`.drop()` drops this SQLAlchemy table, but only after `{guard}` has just found it empty."
            yield Hit(*call.span(), message, severity=Severity.NOTE)
        else:
            yield Hit(*call.span(), f"`.drop()` on a SQLAlchemy table drops it with all its rows. {_FIX}")
    elif method in ("drop_tables", "drop_table", "truncate_table") and "peewee" in imported and not _alembic(call):
        verb = "empties" if method == "truncate_table" else "drops"
        yield Hit(*call.span(), f"peewee's `{method}()` {verb} the table with all its rows. {_FIX}")
    elif method in ("drop_collection", "drop_database") and imported.intersection(_MONGO):
        yield Hit(*call.span(), f"`{method}()` drops the MongoDB {method.split('_')[1]} with everything in it. {_FIX}")
    elif method == "drop" and not call.node.args and imported.intersection(_MONGO):
        yield Hit(*call.span(), f"`.drop()` on a MongoDB collection drops it with every document. {_FIX}")
    elif method == "delete" and _search_indices(call, document):
        yield from _index_delete(call, document)
    elif method == "to_sql" and _string(call.keyword("if_exists"), call, document) == "replace":
        mode = call.keyword("if_exists")
        origin = f' (`{mode.value}` is "replace")' if isinstance(mode, cst.Name) else ""
        table = _string(call.argument(0, "name"), call, document)
        named = f" '{table}'" if table else ""
        yield Hit(
            *call.span(),
            f'`to_sql(..., if_exists="replace")`{origin} drops the existing table{named} and creates it anew '
            "from the DataFrame: rows and columns that are not in the DataFrame are lost. Use "
            'if_exists="append", or write to a new table and swap it in after checking it.',
            Severity.WARNING,
        )


def _search_indices(call, document) -> bool:
    """`es.indices.delete(index=…)`: the indices API of an Elasticsearch or OpenSearch client."""
    function = call.node.func
    if not isinstance(function, cst.Attribute) or not isinstance(function.value, cst.Attribute):
        return False
    if function.value.attr.value != "indices":
        return False
    return call.keyword("index") is not None or bool(document.model.imported_modules & _SEARCH)


def _index_delete(call: Call, document: PythonDocument) -> Iterator[Hit]:
    """A named index (log retention drops dated ones) is a warning; `_all`, `*` or a pattern of only
    wildcards is every index of the cluster, an error."""
    node = call.argument(0, "index")
    value = document.string(node, call) if node is not None else None
    names = [n.strip() for n in value.text.split(",")] if value is not None and value.literal else []
    if any(n == "_all" or (n and not n.strip("*")) for n in names):
        yield Hit(
            *call.span(),
            f"`{call.code()}` deletes every index of the Elasticsearch cluster, with every document in "
            f"them. Delete the indices you mean by name, and keep `action.destructive_requires_name` on.",
        )
        return
    named = f" '{value.text}'" if value is not None and names else ""
    yield Hit(
        *call.span(),
        f"`{call.code()}` deletes the Elasticsearch index{named} with every document in it. Take a "
        f"snapshot first, or let an index lifecycle policy retire old indices.",
        Severity.WARNING,
    )


def _is_table(call, document) -> bool:
    """`User.__table__.drop(engine)`, `users.drop(bind=engine)` with `users = Table(...)`, `metadata.tables[...]`."""
    if call.receiver is None:
        return False
    links = chain(call.receiver, call, document)
    if any(link.name in ("__table__", "tables") for link in links):
        return True
    first = links[0] if links else None
    if first is not None and first.call is not None:
        return (document.model.qualified_name(first.call.func) or "").endswith("Table")
    return any(arg.keyword is not None and arg.keyword.value in ("bind", "checkfirst") for arg in call.node.args)


def _alembic(call) -> bool:
    return call.name.startswith("alembic.")


def _string(node, call, document) -> str | None:
    value = document.string(node, call) if node is not None else None
    return value.text if value is not None and value.literal else None


RULE = Rule(
    id="PY103",
    name="drop-tables",
    language="python",
    severity=Severity.ERROR,
    summary="Code that drops tables or collections: drop_all(), Table.drop(), drop_tables(), drop_collection().",
    rationale=(
        "`Base.metadata.drop_all(engine)` is a one-line DROP of every table; it is right in a test fixture's "
        "own database and a disaster anywhere else. So are SQLAlchemy's `Table.drop()`, peewee's "
        "`drop_tables()` and `truncate_table()`, and pymongo's `drop()`, `drop_collection()` and "
        '`drop_database()`. pandas\' `to_sql(if_exists="replace")` drops and recreates the table, a warning: the DataFrame is '
        "often the table's own rows read, changed and written back (a refresh), but whatever it lacks is lost; "
        '`"append"` and the default `"fail"` are clean. An Elasticsearch or OpenSearch client\'s '
        "`indices.delete(index=…)` drops an index with its documents: a warning for a named index (retiring a "
        "dated log index is routine), an error for `_all`, `*` or a pattern of wildcards only. "
        "pandas' `DataFrame.drop(...)` drops columns of a frame in memory and is not a finding; Alembic's "
        "`op.drop_table` is a migration (PY201). A `Table.drop()` inside `if not rows:`, where `rows` holds what "
        "a query of every row of the same table returned (`session.execute(select(1).select_from(t).limit(1))"
        ".all()`, `.first()`: no WHERE, no join, a LIMIT of one or more), is a note; where an agent runs the "
        "code, such a guard is not trusted."
    ),
    fix=_FIX,
    flag=(
        Example(
            "Base.metadata.drop_all(engine)",
            flagged="Base.metadata.drop_all(engine)",
            severity=Severity.ERROR,
            message="`drop_all()` drops every table the metadata knows, with all their rows.",
        ),
        "db.drop_all()",
        "User.__table__.drop(engine)",
        "from sqlalchemy import Table\nusers = Table('users', metadata, autoload_with=engine)\nusers.drop(engine)",
        "metadata.tables['events'].drop(bind=engine)",
        "import peewee\ndb.drop_tables([User, Tweet])",
        "import peewee\nUser.truncate_table()",
        "from pymongo import MongoClient\nclient.drop_database('app')",
        "import pymongo\ndb.users.drop()",
        Example(
            "df.to_sql('users', engine, if_exists='replace')",
            severity=Severity.WARNING,
            message="drops the existing table 'users' and creates it anew",
        ),
        Example(
            'MODE = "replace"\ndef load(df, conn):\n    df.to_sql("daily_sales", con=conn, if_exists=MODE, index=False)',
            message="(`MODE` is \"replace\") drops the existing table 'daily_sales'",
        ),
        # Elasticsearch: a named index is a warning, every index an error.
        Example(
            'from elasticsearch import Elasticsearch\nes = Elasticsearch(url)\nes.indices.delete(index="logs-2023.01")',
            severity=Severity.WARNING,
            message="deletes the Elasticsearch index 'logs-2023.01' with every document in it",
        ),
        Example('es.indices.delete(index="_all")', severity=Severity.ERROR, message="deletes every index"),
        Example('es.indices.delete(index="*", ignore_unavailable=True)', severity=Severity.ERROR),
        "from opensearchpy import OpenSearch\nclient.indices.delete(name)",
        # A drop after a query found the table empty: no row is lost (a note).
        Example(
            _EMPTY_CHECKED.format("select(1).select_from(table).limit(1)", "table"),
            flagged="table.drop(bind=engine, checkfirst=True)",
            severity=Severity.NOTE,
            message="but only after `not rows` has just found it empty",
        ),
        # A query that may find no row while the table has some, or of another table: reported.
        Example(
            _EMPTY_CHECKED.format("select(1).select_from(table).where(table.c.moved).limit(1)", "table"),
            severity=Severity.ERROR,
        ),
        Example(_EMPTY_CHECKED.format("select(1).select_from(table).limit(0)", "table"), severity=Severity.ERROR),
        Example(_EMPTY_CHECKED.format("select(1).select_from(other).limit(1)", "table"), severity=Severity.ERROR),
        Example(_EMPTY_CHECKED.format("select(1).select_from(table).limit(1)", "other"), severity=Severity.ERROR),
    ),
    clean=(
        "df.drop(columns=['a'])",
        "df.drop('a', axis=1)",
        "Base.metadata.create_all(engine)",
        "df.to_sql('users', engine, if_exists='append')",
        "df.to_sql('users', engine, if_exists='fail')",
        "df.to_sql('users', engine)",
        "df.to_sql('users', engine, if_exists=mode)",
        'es.indices.exists(index="logs")',
        'es.indices.delete_alias(index="logs", name="current")',
        'es.delete(index="logs", id=doc_id)',
        "cache.indices.delete(3)",
        "from alembic import op\nop.drop_table('audit_log')",
        "print('metadata.drop_all(engine)')",
        "items.drop(3)",
    ),
    check=check,
    escalates=True,
    keywords=(
        "drop",
        "drop_all",
        "drop_tables",
        "drop_table",
        "truncate_table",
        "drop_collection",
        "drop_database",
        "to_sql",
        "indices",
    ),
    precision="high",
    tags=("data-loss", "schema"),
)
