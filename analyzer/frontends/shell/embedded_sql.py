"""SQL that a shell script sends to a database client, handed to the SQL rules as embedded sources.

Quoted SQL (`psql -c "…"`, `mysql -e '…'`, `sqlite3 app.db "…"`, `clickhouse-client --query …`) and
SQL on standard input (a heredoc, a here-string, `echo … |`) keep the document offset of every
character. A file of SQL (`psql -f x.sql`, `mysql < x.sql`) is read through the check's reader (the
disk, or content staged, patched or proposed), and its findings point at the file name in the script.
"""

from __future__ import annotations

import re

from blastguard.frontends.base import Problem
from blastguard.frontends.shell.database_clients import arguments
from blastguard.frontends.shell.word_values import Word
from blastguard.sources import Embedded, SkipFile, Source, reader_of

# A value that is nothing but a variable or a command's output (`"$SQL"`): there is no SQL to read.
_ONLY_EXPANSION = re.compile(r"\s*(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\(.*\)|`.*`)\s*", re.DOTALL)


def sql_children(document) -> list[Embedded]:
    children = []
    for command in document.commands:
        found = arguments(command)
        if found is None:
            continue
        _, client, argv = found
        context = document.source.context.with_production(*document.evidence(command))
        words, files = [], []
        for option in argv.options:
            if option.value is not None and option.name in client.sql:
                words.append(option.value)
            elif option.value is not None and option.name in client.sql_files:
                files.append(option.value)
        if client.positional_sql:
            words += argv.positionals[1:]
        if client.sql_on_stdin and command.stdin is not None:
            words += [command.stdin.text] if command.stdin.text is not None else []
            files += [command.stdin.file] if command.stdin.file is not None else []
        path = document.source.path
        children += [Embedded(Source(path, w.value, "sql", context), list(w.offsets)) for w in words if _holds_sql(w)]
        children += [child for f in files if (child := _file_child(f, context, document.problems)) is not None]
    return children


def _holds_sql(word: Word) -> bool:
    return bool(word.value.strip()) and not (not word.literal and _ONLY_EXPANSION.fullmatch(word.value))


def _file_child(word: Word, context, problems: list) -> Embedded | None:
    """A file of SQL, read relative to the directory the command runs in when that is known (an agent's),
    else to the checked file's folder, else to the working directory. One that exists but cannot be
    read (too large; a FIFO or device is never opened) is reported in `problems`."""
    if not word.literal or word.value in ("", "-"):
        return None
    reader = reader_of(context)
    path = reader.path(word.value, context.directory)
    if not reader.exists(path):
        return None  # perhaps written by an earlier step: nothing to read yet
    try:
        text = reader.read(path)
    except SkipFile as skip:
        problems.append(
            Problem(word.start, word.end, f"{word.value} was not read ({skip}); the SQL it holds was not checked.")
        )
        return None
    return Embedded(Source(word.value, text, "sql", context), [], anchor=(word.start, word.end))
