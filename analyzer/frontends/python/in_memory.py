"""SQL run on a database that the program itself has just created in memory.

`sqlite3.connect(":memory:")` and `duckdb.connect()` (or `duckdb.connect(database=":memory:")`) open a
new, empty database that lives only as long as the connection: every table in it was created by the
program, so dropping, replacing or emptying one destroys nothing that existed before. The SQL rules
read such SQL as a script whose tables it made itself (`Context.fresh_database`).

The connection is found from the receiver of the call that runs the SQL, directly or through a name
bound once (also to its `.cursor()`). A file that mentions ATTACH gets no such reading: an attached
database is not fresh.
"""

from __future__ import annotations

import libcst as cst

_CONNECTS = frozenset({"sqlite3.connect", "sqlite3.dbapi2.connect", "duckdb.connect"})
_MAX_FOLLOW = 4


def fresh_database(call, model, folder) -> bool:
    """`call`, an execution point, runs on a connection to an in-memory database opened in this file."""
    node, scope, chunk = call.receiver, call.scope, call.chunk
    for _ in range(_MAX_FOLLOW):
        if isinstance(node, cst.Name):
            bound = model.binding(node, scope)
            if bound is None:
                return False
            node, scope, chunk = bound
        elif isinstance(node, cst.Call):
            name = model.qualified_name(node.func)
            if name in _CONNECTS:
                return _in_memory(node, name, scope, chunk, folder)
            if not (isinstance(node.func, cst.Attribute) and node.func.attr.value == "cursor"):
                return False
            node = node.func.value
        else:
            return False
    return False


def _in_memory(connect: cst.Call, name: str, scope, chunk, folder) -> bool:
    positional = [a.value for a in connect.args if a.keyword is None and not a.star]
    named = [a.value for a in connect.args if a.keyword is not None and a.keyword.value == "database"]
    arguments = positional or named
    if not arguments:
        return name == "duckdb.connect"  # DuckDB's default database is an in-memory one
    value = folder.string(arguments[0], scope, chunk)
    return value is not None and value.literal and value.text == ":memory:"
