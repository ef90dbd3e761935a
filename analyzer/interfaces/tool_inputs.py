"""What any tool's input carries that can destroy something: SQL, a command, a path it writes.

A database MCP server's `mcp__postgres__query {"sql": "DROP TABLE users"}` destroys as surely as
`psql -c`, whatever the tool is called. So the input of a tool the hook has no reader for is walked
(bounded in depth and in the number of values), and a string is checked by what its key names:

  sql, statement(s), queries, raw_sql, …   as SQL
  query, query_text                         as SQL when it starts like a SQL statement, unless the
                                            tool's name says it searches or reads (search tools
                                            call their free text `query`)
  command, cmd, script, shell, bash, …      as a shell command; with an `args`/`argv` list beside
                                            it, the command line they make together
  argv (a list)                             as a command line
  path, file_path, destination, …           as a path the tool writes, when the tool's name says
                                            it writes (write, edit, create, delete, move, …)

A string under any other key is checked as SQL when the tool is named for a database
(`mcp__postgres__…`, `…sql…`, `…database…`) and the string starts like a SQL statement, or, for any
tool, when it has the very shape of a destructive statement (`DROP TABLE x`, `DELETE FROM x;`,
`TRUNCATE x`, `UPDATE x SET y =`, `ALTER TABLE x DROP`, `MERGE INTO x`), so that prose ("Delete
from the list please") is not taken for SQL. Shell commands are not sniffed: prose would be mistaken
for commands. The agents' own read-only tools
(reads, searches, fetches) are not walked.
"""

from __future__ import annotations

import re

from blastguard.patterns import LazyPattern
from blastguard.records import Record, record

MAX_DEPTH = 12
MAX_VALUES = 512  # strings and containers looked at in one input

_SQL_KEYS = frozenset(
    {
        "sql",
        "sqls",
        "sqlquery",
        "sqlstatement",
        "sqlstatements",
        "sqltext",
        "sqlscript",
        "statement",
        "statements",
        "queries",
        "rawsql",
        "rawquery",
        "ddl",
        "dml",
        "migration",
    }
)
_MAYBE_SQL_KEYS = frozenset({"query", "querytext", "querystring", "q"})
_COMMAND_KEYS = frozenset(
    {
        "command",
        "cmd",
        "commands",
        "commandline",
        "cmdline",
        "script",
        "shell",
        "bash",
        "sh",
        "shellcommand",
        "bashcommand",
        "run",
        "exec",
        "execute",
    }
)
_ARGUMENT_KEYS = frozenset({"args", "argv", "arguments"})
_PATH_KEYS = frozenset(
    {
        "path",
        "filepath",
        "file",
        "filename",
        "target",
        "targetpath",
        "destination",
        "dest",
        "destinationpath",
        "newpath",
        "topath",
        "source",
        "sourcepath",
        "frompath",
        "oldpath",
        "directory",
        "dir",
    }
)
_WRITING_TOOL = LazyPattern(
    r"write|edit|create|delete|remove|move|rename|copy|put|update|patch|append|save|replace|"
    r"upload|mkdir|touch|chmod|unlink|insert|overwrite|modify|apply",
    re.IGNORECASE,
)
# Built-in tools of the agents that only read, search or fetch: nothing in them runs.
READ_ONLY_TOOLS = frozenset(
    {
        "Read",
        "Glob",
        "Grep",
        "LS",
        "WebFetch",
        "WebSearch",
        "TodoWrite",
        "TodoRead",
        "Task",
        "NotebookRead",
        "ExitPlanMode",
        "read_file",
        "read_many_files",
        "glob",
        "list_directory",
        "search_file_content",
        "web_fetch",
        "google_web_search",
        "save_memory",
        "view",
        "Read File",
        "Grep Search",
        "Codebase Search",
        "Search",
        "List",
        "fetch",
        "web_search",
    }
)
_SQL_START = LazyPattern(
    r"\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*(?:WITH|SELECT|INSERT|UPDATE|DELETE|MERGE|DROP|TRUNCATE|"
    r"ALTER|CREATE|GRANT|REVOKE|REPLACE|UPSERT|COPY|VACUUM|BEGIN|COMMIT|SET|CALL|EXEC|EXECUTE)\b",
    re.IGNORECASE | re.DOTALL,
)
_NAME = r"(?:[A-Za-z_][\w$]*|\"[^\"]+\"|`[^`]+`|\[[^\]]+\])(?:\.(?:[A-Za-z_][\w$]*|\"[^\"]+\"|`[^`]+`|\[[^\]]+\]))*"
_END = r"\s*(?:;|$)"
# A destructive statement's own shape, so that prose ("Delete from the list please") is not taken for SQL.
_DESTRUCTIVE_SQL = LazyPattern(
    r"\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*(?:"
    rf"DROP\s+(?:TABLE|DATABASE|SCHEMA|VIEW|INDEX|SEQUENCE|MATERIALIZED\s+VIEW)\s+(?:IF\s+EXISTS\s+)?{_NAME}"
    rf"(?:\s*,\s*{_NAME})*(?:\s+(?:CASCADE|RESTRICT))?{_END}"
    rf"|DROP\s+OWNED\s+BY\s+{_NAME}"
    rf"|DELETE\s+FROM\s+{_NAME}(?:\s+(?:AS\s+)?{_NAME})?(?:{_END}|\s+(?:WHERE|USING|RETURNING)\b)"
    rf"|TRUNCATE\s+(?:TABLE\s+)?{_NAME}(?:\s*,\s*{_NAME})*(?:\s+(?:CASCADE|RESTART\s+IDENTITY))?{_END}"
    rf"|UPDATE\s+{_NAME}(?:\s+(?:AS\s+)?{_NAME})?\s+SET\s+{_NAME}\s*="
    rf"|ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_NAME}\s+(?:DROP|RENAME|ALTER|ADD)\b"
    rf"|MERGE\s+INTO\s+{_NAME})",
    re.IGNORECASE | re.DOTALL,
)
# A tool whose name says it searches or reads: its `query` is free text, and nothing is sniffed.
_READING_TOOL = LazyPattern(r"search|find|lookup|grep|fetch|browse|read|view|list|(?:^|_)get", re.IGNORECASE)
# A tool named for a database: a string that starts like any SQL statement is SQL.
_DATABASE_TOOL = LazyPattern(
    r"sql|postgres|\bpg|_pg|mysql|maria|sqlite|database|\bdb|_db|db_|bigquery|snowflake|"
    r"supabase|neon|redshift|clickhouse|duckdb|mssql|oracle|cockroach|planetscale|turso|d1",
    re.IGNORECASE,
)


@record(frozen=True)
class Piece(Record):
    """One value of a tool's input to check: its language ("sql", "shell" or "path") and the key path it sits at."""

    language: str
    text: str
    field: str  # `statements[1].sql`


def pieces(tool: str, data) -> list[Piece]:
    """The values of a tool's input worth checking, in the order they appear."""
    if tool in READ_ONLY_TOOLS:
        return []
    found: list[Piece] = []
    budget = [MAX_VALUES]
    reads = bool(_READING_TOOL.search(tool)) and not _WRITING_TOOL.search(tool)
    database = bool(_DATABASE_TOOL.search(tool))
    _walk(data, "", None, found, budget, 0, bool(_WRITING_TOOL.search(tool)), database, reads)
    return found


def _normal(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _walk(
    value,
    field: str,
    key: str | None,
    found: list[Piece],
    budget: list[int],
    depth: int,
    writes: bool,
    database: bool,
    reads: bool,
) -> None:
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        command = _command_with_arguments(value)
        if command is not None:
            found.append(Piece("shell", command, f"{field}.command" if field else "command"))
        for name, item in value.items():
            if not isinstance(name, str):
                continue
            if command is not None and _normal(name) in _COMMAND_KEYS | _ARGUMENT_KEYS:
                continue
            child = f"{field}.{name}" if field else name
            _walk(item, child, _normal(name), found, budget, depth + 1, writes, database, reads)
    elif isinstance(value, list):
        if key == "argv" and value and all(isinstance(v, str) for v in value):
            found.append(Piece("shell", _join(value), field))
            return
        for number, item in enumerate(value):
            _walk(item, f"{field}[{number}]", key, found, budget, depth + 1, writes, database, reads)
    elif isinstance(value, str) and value.strip():
        piece = _classify(value, key, database, reads)
        if piece == "path" and not writes:
            return
        if piece is not None:
            found.append(Piece(piece, value, field))


def _classify(value: str, key: str | None, database: bool, reads: bool) -> str | None:
    if key in _SQL_KEYS:
        return "sql"
    if key in _MAYBE_SQL_KEYS:
        return "sql" if not reads and _SQL_START.match(value) else None
    if key in _COMMAND_KEYS:
        return "shell"
    if key in _PATH_KEYS:
        return "path"
    if reads:
        return None
    if database and _SQL_START.match(value):
        return "sql"
    return "sql" if _DESTRUCTIVE_SQL.match(value) else None


def _command_with_arguments(value: dict) -> str | None:
    """`{"command": "rm", "args": ["-rf", "/"]}`: the command line the two make, or None."""
    command = next((v for k, v in value.items() if isinstance(k, str) and _normal(k) in _COMMAND_KEYS), None)
    arguments = next((v for k, v in value.items() if isinstance(k, str) and _normal(k) in _ARGUMENT_KEYS), None)
    if not isinstance(command, str) or not isinstance(arguments, list) or not arguments:
        return None
    if not all(isinstance(a, (str, int, float)) for a in arguments):
        return None
    return command + " " + _join([str(a) for a in arguments])


def _join(words: list[str]) -> str:
    import shlex  # only for a tool that passes a command as a list

    return shlex.join(words)
