"""Procedural bodies: where the SQL statements inside a routine or block are, so each is judged alone.

A `CREATE PROCEDURE / FUNCTION / TRIGGER / EVENT`, a PostgreSQL `DO $$ … $$` and an anonymous
`BEGIN … END` / PL/SQL `DECLARE … BEGIN … END` block hold statements between control flow that is not
SQL (`IF … THEN`, `LOOP`, `x := …`, `RAISE`, `DECLARE v int`). `body_of` says where the body lies and
what it belongs to; `segments` cuts the body into the spans of its SQL statements: a statement opens at
a statement verb that starts a semicolon-separated part, follows a control word (`THEN`, `LOOP`,
`BEGIN` …) or opens a line, and closes at its semicolon, at `END` / `ELSE` outside a CASE, or where the
next one opens (T-SQL needs no semicolons). Only the body's text is scanned, never the whole file.
"""

from __future__ import annotations

import re

from blastguard.frontends.sql.words import Word, scan
from blastguard.records import Record, record

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms

ROUTINES = frozenset({"PROCEDURE", "PROC", "FUNCTION", "TRIGGER", "EVENT"})
_DOLLAR_BODY = re.compile(r"\$(\w*)\$(.*?)\$\1\$", re.DOTALL)
_READABLE_LANGUAGES = frozenset({"plpgsql", "sql"})
# What follows BEGIN when it starts a transaction rather than a block.
TRANSACTION_WORDS = frozenset(
    {"TRANSACTION", "TRAN", "WORK", "ISOLATION", "READ", "DEFERRED", "IMMEDIATE", "EXCLUSIVE", "DISTRIBUTED"}
)

# Verbs that open a statement inside a body.
_VERBS = frozenset(
    {
        "DELETE",
        "UPDATE",
        "INSERT",
        "MERGE",
        "TRUNCATE",
        "DROP",
        "ALTER",
        "GRANT",
        "CREATE",
        "SET",
        "CALL",
        "EXEC",
        "EXECUTE",
        "DISABLE",
        "ENABLE",
    }
)
# Verbs that, opening a line, open a statement even without a semicolon before them (T-SQL).
_LINE_VERBS = _VERBS - {"SET", "ENABLE"}
# Control words after which a verb opens a statement.
_OPENERS = frozenset({"THEN", "ELSE", "LOOP", "BEGIN", "DO", "ATOMIC", "AS", "IS", "ROW", "TRAN", "TRANSACTION"})
# Words before a verb that make it part of something else: `FOR UPDATE`, `ON DELETE`, `AFTER INSERT OR
# UPDATE`, `INSTEAD OF DELETE`, `WITH EXECUTE AS`, `GRANT SELECT, INSERT`, `CREATE OR REPLACE`.
_NOT_STATEMENT_AFTER = frozenset({"FOR", "ON", "OF", "OR", "AFTER", "BEFORE", "INSTEAD", ",", "WITH", "ALL", "TO"})
# Words that end an open statement: anywhere outside a CASE …
_CLOSERS = frozenset({"END", "ELSE", "ELSIF", "ELSEIF", "EXCEPTION"})
# … or where they open a line.
_LINE_CLOSERS = frozenset(
    {"COMMIT", "ROLLBACK", "RETURN", "PRINT", "RAISERROR", "THROW", "IF", "WHILE", "DECLARE", "BEGIN", "GO"}
    | {"OPEN", "CLOSE", "FETCH", "DEALLOCATE", "LEAVE", "ITERATE", "RAISE", "PERFORM", "WAITFOR"}
)


@record
class Body(Record):
    start: int  # span of the body in the document text
    end: int
    kind: str | None  # PROCEDURE, FUNCTION, TRIGGER, EVENT; None for a block that runs at once (DO, BEGIN … END)
    name: str | None  # the routine's name as written, without its schema or quotes
    plpgsql: bool  # a PL/pgSQL body, where EXECUTE always runs a string
    backslashes: bool = False  # a backslash escapes in strings (MySQL)


@record
class Segment(Record):
    start: int
    end: int
    dynamic: bool  # EXECUTE of SQL built at run time


def body_of(text: str, words: list[Word], start: int, end: int) -> Body | None:
    """The body of the routine definition or procedural block text[start:end] (its `words`), or None."""
    top = [w for w in words if w.depth == 0]
    if not top:
        return None
    first = top[0].upper
    if first == "DO":
        return _dollar_body(text, top, start, end, None, None, default="plpgsql")
    if first == "BEGIN":
        if len(top) < 2 or top[1].upper in TRANSACTION_WORDS or top[1].text == ";":
            return None
        return Body(top[1].start, end, None, None, False)
    if first == "DECLARE":
        return Body(top[1].start, end, None, None, False) if len(top) > 1 and is_plsql_declare(top) else None
    if first not in ("CREATE", "ALTER") or (first == "ALTER" and not any(w.upper == "AS" for w in top)):
        return None  # ALTER FUNCTION … OWNER TO, ALTER EVENT … DISABLE: no body
    position = next((i for i, w in enumerate(top[1:9], start=1) if w.upper in ROUTINES), None)
    if position is None or any(w.upper in ("TABLE", "VIEW", "INDEX") for w in top[1:position]):
        return None
    kind = "PROCEDURE" if top[position].upper == "PROC" else top[position].upper
    name, after = _routine_name(top, position + 1)
    dollar = _dollar_body(text, top, start, end, kind, name, default="sql")
    if dollar is not None or _DOLLAR_BODY.search(text, start, end):
        return dollar  # a body in another language (plpython, C) is not SQL
    if any(w.kind == "string" and top[i - 1].upper == "AS" for i, w in enumerate(top) if i):
        return None  # `AS 'DELETE …'`: an old-style quoted body, whose quotes are doubled inside
    body_start = _header_end(top, _after_parameters(words, after))
    return Body(body_start, end, kind, name, False) if body_start < end else None


def _header_end(top: list[Word], start: int) -> int:
    """Where the body starts: the first BEGIN, or the first verb that opens a statement, after the
    routine's header (RETURNS, LANGUAGE, COMMENT '…', trigger events); its strings are read as the parse
    read them, so a MySQL comment with escaped quotes does not leak into the body."""
    previous = None
    for word in top:
        if word.start >= start:
            if word.upper == "BEGIN" or (word.upper in _VERBS and _starts(top, word, previous)):
                return word.start
        previous = word
    return start


def is_plsql_declare(top: list[Word]) -> bool:
    """`DECLARE v NUMBER; BEGIN …`, not T-SQL's `DECLARE @v int` nor a cursor's `DECLARE c CURSOR FOR`
    (DECLARE is a command to sqlglot, so the rest of its statement may be one string)."""
    declared = " ".join(w.text for w in top[1:3]).split()
    if not declared or declared[0].startswith("@"):
        return False
    return not (len(declared) > 1 and declared[1].upper() in ("CURSOR", "SCROLL", "BINARY", "INSENSITIVE", "NO"))


def _routine_name(top: list[Word], i: int) -> tuple[str | None, int]:
    """(name without schema, index of the word after it) of the routine named from top[i]."""
    while i < len(top) and top[i].upper in ("IF", "NOT", "EXISTS"):
        i += 1
    name, expected = None, True
    while i < len(top):
        word = top[i]
        if word.text in ("[", "]"):
            pass  # T-SQL's [dbo].[purge]
        elif word.text == ".":
            expected = True
        elif expected and word.kind in ("word", "quoted"):
            name, expected = word.text.strip('"`'), False
        else:
            break
        i += 1
    return name, i


def _after_parameters(words: list[Word], top_index: int) -> int:
    """Offset after the routine name and its parenthesised parameters: the header before it has no SQL."""
    top = [w for w in words if w.depth == 0]
    if top_index >= len(top):
        return words[-1].end
    word = top[top_index]
    if word.text != "(":
        return word.start
    closing = next((w for w in words if w.start > word.start and w.depth == 0 and w.text == ")"), None)
    return closing.end if closing else word.start


def _dollar_body(
    text: str, top: list[Word], start: int, end: int, kind: str | None, name: str | None, default: str
) -> Body | None:
    language = next((top[i + 1].text for i, w in enumerate(top[:-1]) if w.upper == "LANGUAGE"), default)
    if language.strip("'\"").lower() not in _READABLE_LANGUAGES:
        return None
    body = _DOLLAR_BODY.search(text, start, end)
    if body is None:
        return None
    return Body(body.start(2), body.end(2), kind, name, language.strip("'\"").lower() == "plpgsql")


def segments(text: str, body: Body, routines: set[str] | frozenset[str] = frozenset()) -> list[Segment]:
    """The spans of the SQL statements in `body`; a PL/SQL call by name alone (`purge_logs(90);`) of one of
    `routines` (lower-case names) is one too."""
    found: list[Segment] = []
    for part in scan(text, body.start, body.end, body.backslashes)[0]:
        words = part.words
        if routines:
            called = next((i for i, w in enumerate(words) if w.upper not in _OPENERS), len(words))
            if called + 1 < len(words) and words[called].text.lower() in routines and words[called + 1].text == "(":
                found.append(Segment(words[called].start, words[-1].end, False))
                continue
        found += _part_segments(words, body.plpgsql)
    return found


def _part_segments(words: list[Word], plpgsql: bool) -> list[Segment]:
    found: list[Segment] = []
    opened: list[Word] = []  # the words of the statement being read
    verb, cases, previous = "", 0, None

    def close() -> None:
        if opened:
            found.append(_segment(opened, plpgsql))
        opened.clear()

    for word in words:
        if word.depth > 0:
            if opened:
                opened.append(word)
            continue
        upper = word.upper or word.text
        line_start = previous is None or previous.line != word.line
        if opened:
            if upper == "CASE":
                cases += 1
            elif upper == "END" and cases:
                cases -= 1
            elif verb != "MERGE" and (upper in _CLOSERS or (line_start and _closes_line(upper, verb))):
                close()
            elif upper in _VERBS and verb != "MERGE" and _opens(word, previous, line_start, verb):
                close()
        starts = not opened and upper in _VERBS and _starts(words, word, previous)
        if starts:
            verb, cases = upper, 0
        if opened or starts:
            opened.append(word)
        previous = word
    close()
    return found


def _closes_line(upper: str, verb: str) -> bool:
    """A control word opening a line ends the open statement; SELECT only where it is no INSERT's source."""
    return upper in _LINE_CLOSERS or (upper == "SELECT" and verb not in ("INSERT", "CREATE"))


def _starts(words: list[Word], word: Word, previous: Word | None) -> bool:
    """A verb outside any statement opens one unless the word before it makes it part of something else."""
    if previous is not None and (previous.upper or previous.text) in _NOT_STATEMENT_AFTER:
        return False
    if word.upper in ("EXECUTE", "EXEC"):
        following = _next(words, word)
        return following is not None and following.upper not in ("FUNCTION", "PROCEDURE", "AS")
    return True


def _opens(word: Word, previous: Word | None, line_start: bool, verb: str) -> bool:
    """Whether a verb inside an open statement opens the next one instead."""
    if previous is not None and (previous.upper or previous.text) in _NOT_STATEMENT_AFTER:
        return False
    if previous is not None and previous.upper in _OPENERS and previous.upper not in ("AS", "IS", "ROW"):
        return True
    if verb in ("ALTER", "GRANT", "CREATE") and word.upper in ("DROP", "ALTER", "DISABLE", "ENABLE", "EXECUTE"):
        return False  # ALTER TABLE t\n DROP COLUMN c, GRANT …\n EXECUTE ON
    return line_start and word.upper in _LINE_VERBS


def _next(words: list[Word], word: Word) -> Word | None:
    for candidate in words:
        if candidate.start > word.start:
            return candidate
    return None


def _segment(opened: list[Word], plpgsql: bool) -> Segment:
    head = opened[0].upper
    dynamic = False
    if head in ("EXECUTE", "EXEC") and len(opened) > 1:
        argument = opened[1]
        dynamic = (
            plpgsql
            or argument.kind == "string"
            or argument.text in ("(", "@")
            or argument.text.startswith("@")
            or argument.upper in ("IMMEDIATE", "SP_EXECUTESQL")
            or (len(opened) > 2 and opened[2].text == "|")
        )
    return Segment(opened[0].start, opened[-1].end, dynamic)
