"""SQL frontend: split a script into statements with exact spans and parse each with sqlglot.

sqlglot's expressions carry no positions, so the statement boundaries come from its tokens: the
text is tokenized once, cut at semicolons, and each chunk is parsed on its own. A chunk that does not
parse keeps its token-level `words` so rules can still judge it, and becomes a notification.

Dialect "auto" reads PostgreSQL first and retries MySQL, SQLite and ANSI per statement, which covers
backtick identifiers, `#` comments and `%s` parameters without the user choosing.
"""

from __future__ import annotations

import bisect
import logging
import re
import sys
import types
from contextlib import contextmanager
from functools import cached_property


@contextmanager
def _without_importlib_metadata():
    """sqlglot's dialect module imports `importlib.metadata` to look up plugin dialects by entry point,
    which blastguard never does with a built-in dialect name. That import (email, zipfile, csv, …) is
    about 40 ms of the 200 an agent hook may take for a command with SQL, so while sqlglot is imported
    a placeholder stands in whose `entry_points` imports the real module on first call."""
    if "importlib.metadata" in sys.modules:
        yield
        return

    def entry_points(**selection):
        sys.modules.pop("importlib.metadata", None)
        import importlib.metadata

        return importlib.metadata.entry_points(**selection)

    placeholder = types.ModuleType("importlib.metadata")
    placeholder.entry_points = entry_points
    sys.modules["importlib.metadata"] = placeholder
    try:
        yield
    finally:
        if sys.modules.get("importlib.metadata") is placeholder:
            del sys.modules["importlib.metadata"]


with _without_importlib_metadata():
    import sqlglot
    from sqlglot import exp
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import ParseError, TokenError
    from sqlglot.tokens import Token, TokenType

from blastguard.frontends.base import Comment, Document, Frontend, Problem
from blastguard.frontends.constraint_names import same_constraint
from blastguard.frontends.sql.bodies import ROUTINES, TRANSACTION_WORDS, Body, body_of, segments
from blastguard.frontends.sql.words import Word, comments_in_gap, scan
from blastguard.records import Record, factory, record
from blastguard.sources import Source
from blastguard.textindex import LineIndex

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from typing import TypeVar

    _Node = TypeVar("_Node", bound=exp.Expr)

# sqlglot logs a warning for every statement it keeps as an opaque Command; we handle those ourselves.
logging.getLogger("sqlglot").setLevel(logging.CRITICAL)

AUTO_DIALECTS = ("postgres", "mysql", "sqlite", "")
_NEIGHBOURS_KEPT = 256  # parsed texts of a host's functions kept for the other texts of the function
DIALECT_NAMES = frozenset(d.value for d in sqlglot.Dialects) | {"auto"}

_STRING_TOKENS = {
    TokenType.STRING,
    TokenType.NATIONAL_STRING,
    TokenType.RAW_STRING,
    TokenType.NATIONAL_RAW_STRING,
    TokenType.HEREDOC_STRING,
    TokenType.BYTE_STRING,
    TokenType.HEX_STRING,
    TokenType.BIT_STRING,
    TokenType.UNICODE_STRING,
}
# Statement keywords that can follow EXPLAIN's options.
_EXPLAINABLE = {
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "WITH",
    "VALUES",
    "TABLE",
    "CREATE",
    "EXECUTE",
    "DECLARE",
    "REPLACE",
}


# Client directives, not SQL: psql meta-commands (\c, \i, \set ...), the mysql client's DELIMITER,
# and the batch ends of sqlcmd (`GO`) and SQL*Plus (`/` alone on a line).
_PSQL_META = re.compile(r"^[ \t]*\\[A-Za-z!?].*$", re.MULTILINE)
_DIRECTIVE = re.compile(r"^[ \t]*(?:delimiter[ \t]+(\S+)|(go)(?:[ \t]+\d+)?|(/))[ \t]*$", re.MULTILINE | re.IGNORECASE)


@record
class _Directives(Record):
    """Where the client, not the SQL, ends statements."""

    hard: frozenset[int]  # offsets of the `;` written for a batch end or a custom delimiter
    custom: list[tuple[int, int]]  # spans under a custom DELIMITER, where a plain `;` ends nothing


_NO_DIRECTIVES = _Directives(frozenset(), [])


def _client_directives(text: str) -> tuple[str, _Directives]:
    """Blank out client directives, turn a custom DELIMITER and batch ends into `;`, and say where those are.

    Every replacement keeps the length, so offsets into the result are offsets into `text`.
    """
    if "\\" in text:
        text = _PSQL_META.sub(lambda m: " " * len(m.group(0)), text)
    if not _DIRECTIVE.search(text):
        return text, _NO_DIRECTIVES
    parts: list[str] = []
    hard: set[int] = set()
    custom: list[tuple[int, int]] = []
    position, delimiter = 0, ";"
    for match in _DIRECTIVE.finditer(text):
        if match.group(1) is None and delimiter != ";":
            continue  # `GO` or `/` under a custom delimiter is the delimited text's own
        parts.append(_terminate(text, position, match.start(), delimiter, hard))
        if delimiter != ";":
            custom.append((position, match.start()))
        blank = [" "] * (match.end() - match.start())
        if match.group(1) is None:  # a batch end: the statement before it is over
            at = match.start(2) if match.group(2) else match.start(3)
            blank[at - match.start()] = ";"
            hard.add(at)
        else:
            delimiter = match.group(1)
        parts.append("".join(blank))
        position = match.end()
    parts.append(_terminate(text, position, len(text), delimiter, hard))
    if delimiter != ";":
        custom.append((position, len(text)))
    return "".join(parts), _Directives(frozenset(hard), custom)


def _terminate(text: str, start: int, end: int, delimiter: str, hard: set[int]) -> str:
    """text[start:end] with a custom delimiter that ends a line turned into `;` (noted in `hard`)."""
    segment = text[start:end]
    if delimiter == ";":
        return segment
    pattern = re.escape(delimiter) + r"(?=[ \t]*(?:\r?\n|$))"

    def semicolon(match: re.Match) -> str:
        hard.add(start + match.start())
        return ";" + " " * (len(delimiter) - 1)

    return re.sub(pattern, semicolon, segment)


@record
class Statement(Record):
    index: int
    start: int  # span of the statement in the document text, semicolon excluded
    end: int
    chunk_end: int  # just past the terminating semicolon
    tokens: list  # sqlglot tokens, or the scanner's words when the text did not tokenize
    expression: exp.Expr | None = None
    dialect: str | None = None
    error: str | None = None  # why the statement did not parse
    explain: str | None = None  # "plain" | "analyze" when wrapped in EXPLAIN
    dynamic: bool = False  # an EXECUTE of SQL built at run time, inside a procedural body
    body: Body | None = None  # the procedural body this statement holds, whose statements follow it
    container: Statement | None = None  # the statement whose procedural body holds this one
    _words: list[Word] | None = None  # built on first use, since most statements never need them
    _nodes: dict[type, list[exp.Expr]] | None = None  # built on the first `find_all`

    @property
    def parsed(self) -> bool:
        return self.expression is not None

    @property
    def words(self) -> list[Word]:
        """The token-level view."""
        if self._words is None:
            tokens = self.tokens
            self._words = tokens if not tokens or isinstance(tokens[0], Word) else _words(tokens)
        return self._words

    @property
    def _nodes_by_type(self) -> dict[type, list[exp.Expr]]:
        if self._nodes is None:
            self._nodes = {}
            if self.expression is not None and not _defines_routine(self.expression):
                for node in self.expression.walk():
                    self._nodes.setdefault(type(node), []).append(node)
        return self._nodes

    def find_all(self, *kinds: type[_Node]) -> list[_Node]:
        """Every node of `kinds` in the parse, from one walk shared by all rules."""
        by_type: dict[type, list] = self._nodes_by_type  # (a node is filed under its own type)
        return [node for kind in kinds for node in by_type.get(kind, ())]

    @property
    def routine(self) -> Body | None:
        """The routine definition (PROCEDURE, FUNCTION, TRIGGER, EVENT) whose body holds this statement:
        creating the routine runs none of it. None at top level and in a block that runs at once (DO)."""
        container = self.container
        while container is not None:
            if container.body is not None and container.body.kind is not None:
                return container.body
            container = container.container
        return None

    @property
    def executes(self) -> bool:
        """Plain EXPLAIN only plans its statement; EXPLAIN ANALYZE runs it."""
        return self.explain != "plain"

    # --- locating sqlglot nodes in the words -------------------------------------------------

    def word_at(self, offset: int) -> int | None:
        """Index of the word containing `offset`."""
        for i, word in enumerate(self.words):
            if word.start <= offset < word.end:
                return i
        return None

    def keyword_before(self, offset: int, keyword: str) -> int | None:
        """Index of the nearest word `keyword` that starts before `offset`."""
        for i in range(len(self.words) - 1, -1, -1):
            word = self.words[i]
            if word.start < offset and word.upper == keyword:
                return i
        return None

    def keyword_after(self, index: int, keyword: str) -> int | None:
        """Index of the next `keyword` after word `index` at its depth, before the enclosing paren closes."""
        depth = self.words[index].depth
        for j in range(index + 1, len(self.words)):
            word = self.words[j]
            if word.depth < depth:
                return None
            if word.depth == depth and word.upper == keyword:
                return j
        return None

    def clause_end(self, index: int, stops: frozenset[str]) -> int:
        """Index of the last word of the clause opened by word `index`.

        The clause runs until a word from `stops` at its paren depth, or until the paren that encloses
        the clause closes (parens carry the depth outside them, so that one is shallower).
        """
        depth = self.words[index].depth
        last = index
        for j in range(index + 1, len(self.words)):
            word = self.words[j]
            if word.depth < depth or (word.depth == depth and word.upper in stops):
                break
            last = j
        return last

    def span(self, first: int, last: int) -> tuple[int, int]:
        return self.words[first].start, self.words[last].end


def _defines_routine(node: exp.Expr) -> bool:
    """CREATE FUNCTION / PROCEDURE / TRIGGER: the statements in its body run later, not now."""
    return isinstance(node, exp.Create) and str(node.args.get("kind") or "").upper() in ROUTINES


def node_offsets(node: exp.Expr) -> tuple[int, int] | None:
    """(first, last+1) offsets of the positioned leaves under `node`; sqlglot positions only some."""
    starts, ends = [], []
    for child in node.walk():
        meta = child._meta  # not .meta, which allocates an empty dict for every node it is asked of
        if meta and "start" in meta:
            starts.append(meta["start"])
            ends.append(meta["end"] + 1)
    if not starts:
        return None
    return min(starts), max(ends)


@record(frozen=True)
class TableName(Record):
    schema: str | None
    name: str

    @classmethod
    def of(cls, table: exp.Expr) -> TableName | None:
        if not isinstance(table, exp.Table) or not table.name:
            return None
        ident = table.this
        name = table.name if getattr(ident, "quoted", False) else table.name.lower()
        schema = table.db or None
        return cls(schema.lower() if schema else None, name)

    def matches(self, other: TableName) -> bool:
        if self.name != other.name:
            return False
        return self.schema is None or other.schema is None or self.schema == other.schema

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@record(kw_only=True, identity=True)
class SqlDocument(Document):
    statements: list[Statement]
    # (position, statement) of the SQL the same host function runs before this text (negative
    # positions) and after it (positions past its own statements): see `Context.script`.
    neighbours: list[tuple[int, Statement]] = factory(list)

    @cached_property
    def script(self) -> list[tuple[int, Statement]]:
        """(position, statement) of every statement of the script this text is part of, in order: its
        own statements (position = index) and its neighbours. What the script makes itself is read here."""
        return sorted([(stmt.index, stmt) for stmt in self.statements] + self.neighbours, key=lambda p: p[0])

    @property
    def text(self) -> str:
        return self.source.text

    def comments_of(self, stmt: Statement) -> list[Comment]:
        """Comments inside the statement, or trailing on the line where it ends."""
        line_end = self.text.find("\n", stmt.chunk_end)
        line_end = len(self.text) if line_end < 0 else line_end
        starts = [c.start for c in self.comments]  # comments are in text order
        return self.comments[bisect.bisect_left(starts, stmt.start) : bisect.bisect_left(starts, line_end)]

    # --- objects the script makes itself -------------------------------------------------------
    # Dropping or emptying a table the same script created a moment ago destroys nothing.

    @cached_property
    def _created(self) -> list[tuple[int, TableName, Body | None]]:
        created = []
        for index, stmt in self.script:
            node = stmt.expression
            if node is None or not stmt.executes:
                continue
            if isinstance(node, exp.Create) and str(node.args.get("kind", "")).upper() == "TABLE":
                # CREATE TABLE IF NOT EXISTS may find an existing table full of data.
                table = node.this.this if isinstance(node.this, exp.Schema) else node.this
                name = TableName.of(table)
                if name and not node.args.get("exists"):
                    created.append((index, name, stmt.routine))
            for into in stmt.find_all(exp.Into):
                name = TableName.of(into.this)
                if name:
                    created.append((index, name, stmt.routine))
        return created

    @cached_property
    def routines(self) -> dict[str, Statement]:
        """The procedures and functions this text defines, by name (lower case, without schema)."""
        return {
            stmt.body.name.lower(): stmt
            for stmt in self.statements
            if stmt.body is not None and stmt.body.name and stmt.body.kind in ("PROCEDURE", "FUNCTION")
        }

    def body_statements(self, definition: Statement) -> list[Statement]:
        """The statements directly in the body of `definition`."""
        return [stmt for stmt in self.statements if stmt.container is definition]

    @cached_property
    def _added_columns(self) -> list[tuple[int, TableName, str]]:
        added = []
        for index, stmt in self.script:
            node = stmt.expression
            if not isinstance(node, exp.Alter) or not stmt.executes:
                continue
            table = TableName.of(node.this)
            for action in node.args.get("actions") or []:
                if isinstance(action, exp.ColumnDef) and table and not action.args.get("exists"):
                    added.append((index, table, action.name.lower()))
        return added

    def created_before(self, table: exp.Expr, stmt: Statement | int) -> bool:
        """The script created `table` before `stmt` (a statement of this text, or a script position); in
        a database the program has just created in memory, every table."""
        name = TableName.of(table)
        position = stmt if isinstance(stmt, int) else stmt.index
        if name is not None and self.source.context.fresh_database:
            return True
        # A table a routine's body creates exists only for the rest of that body, when it runs.
        routine = None if isinstance(stmt, int) else stmt.routine
        return name is not None and any(
            i < position and name.matches(c) and (r is None or r is routine) for i, c, r in self._created
        )

    def column_added_before(self, table: exp.Expr, column: str, stmt: Statement | int) -> bool:
        name = TableName.of(table)
        if not name:
            return False
        column = column.lower()
        position = stmt if isinstance(stmt, int) else stmt.index
        return self.created_before(table, position) or any(
            i < position and name.matches(t) and c == column for i, t, c in self._added_columns
        )

    # --- what the script declares about columns and constraints --------------------------------

    @cached_property
    def _nullability(self) -> list[tuple[int, TableName, str, bool]]:
        """(statement, table, column, declared NOT NULL) for each column the script declares or alters:
        a NOT NULL, PRIMARY KEY or identity column of CREATE TABLE / ADD COLUMN, a table's PRIMARY KEY,
        SET / DROP NOT NULL."""
        declared = []
        for index, stmt in self.script:
            node = stmt.expression
            if not stmt.executes or not isinstance(node, (exp.Create, exp.Alter)):
                continue
            if isinstance(node, exp.Create):
                if str(node.args.get("kind", "")).upper() != "TABLE" or not isinstance(node.this, exp.Schema):
                    continue
                table, parts = TableName.of(node.this.this), node.this.expressions
            else:
                table, parts = TableName.of(node.this), node.args.get("actions") or []
            if table is None:
                continue
            for column, not_null in _declared_nullability(parts):
                declared.append((index, table, column, not_null))
        return declared

    def column_not_null_before(self, table: exp.Expr, column: str, stmt: Statement) -> bool:
        """The script declared `column` of `table` NOT NULL (or a key) before `stmt`, and did not relax it."""
        name = TableName.of(table)
        if not name:
            return False
        column = column.lower()
        latest = [n for i, t, c, n in self._nullability if i < stmt.index and c == column and name.matches(t)]
        return bool(latest) and latest[-1]

    @cached_property
    def _added_constraints(self) -> list[tuple[int, TableName, str]]:
        """(statement, table, constraint name) for each `ALTER TABLE … ADD CONSTRAINT name` and
        `ADD PRIMARY KEY` (named "primary key"), read from the words so that an ALTER sqlglot keeps as
        a command counts too."""
        added = []
        for index, stmt in self.script:
            if not stmt.executes or not stmt.tokens or stmt.tokens[0].text.upper() != "ALTER":  # words cost time
                continue
            table = _altered_table(stmt.words)
            if table is None:
                continue
            top = [w for w in stmt.words if w.depth == 0]
            for i, word in enumerate(top):
                if word.upper != "ADD":
                    continue
                after = top[i + 1 : i + 4]  # CONSTRAINT name PRIMARY KEY, or PRIMARY KEY
                if len(after) > 1 and after[0].upper == "CONSTRAINT":
                    added.append((index, table, _unquoted(after[1].text).lower()))
                    after = after[2:]
                if after and after[0].upper.startswith("PRIMARY"):  # "PRIMARY KEY" is one token to sqlglot
                    added.append((index, table, "primary key"))
        return added

    def constraint_added_after(self, table: exp.Expr, constraint: str, stmt: Statement) -> bool:
        """`ALTER TABLE table ADD CONSTRAINT constraint` (or ADD PRIMARY KEY for "primary key") in
        `stmt` itself or a later statement: the drop in `stmt` is a replacement. The name added back may
        differ in its naming convention's suffix for the same kind (`…_uq` and `…_key`)."""
        name = TableName.of(table)
        if name is None:
            return False
        constraint = _unquoted(constraint).lower()
        return any(
            i >= stmt.index and same_constraint(c, constraint) and name.matches(t)
            for i, t, c in self._added_constraints
        )


def _declared_nullability(parts: list[exp.Expr]) -> list[tuple[str, bool]]:
    """(column, NOT NULL?) for the column definitions, primary keys and SET / DROP NOT NULL in `parts`."""
    found = []
    for part in parts:
        if isinstance(part, exp.ColumnDef):
            kinds = [c.args.get("kind") for c in part.args.get("constraints") or []]
            if any(_makes_not_null(kind) for kind in kinds):
                found.append((part.name.lower(), True))
        elif isinstance(part, exp.AlterColumn) and part.args.get("allow_null") is not None:
            found.append((part.name.lower(), not part.args["allow_null"]))
        else:
            found += [(key.name.lower(), True) for pk in part.find_all(exp.PrimaryKey) for key in pk.expressions]
    return found


def _makes_not_null(kind: exp.Expr | None) -> bool:
    if isinstance(kind, exp.NotNullColumnConstraint):
        return not kind.args.get("allow_null")
    return isinstance(kind, (exp.PrimaryKeyColumnConstraint, exp.GeneratedAsIdentityColumnConstraint))


def _altered_table(words: list[Word]) -> TableName | None:
    """The table of `ALTER TABLE [IF EXISTS] [ONLY] [schema.]name …`."""
    names = [w for w in words[:8] if w.upper not in ("ALTER", "TABLE", "IF", "EXISTS", "ONLY")]
    if len(words) < 3 or words[1].upper != "TABLE" or not names or names[0].kind not in _NAME_KINDS:
        return None
    if len(names) >= 3 and names[1].text == "." and names[2].kind in _NAME_KINDS:
        return TableName(_identifier(names[0]).lower(), _identifier(names[2]))
    return TableName(None, _identifier(names[0]))


# A double-quoted name is a string to the MySQL tokenizer, which reads a file that also has backticks.
_NAME_KINDS = ("word", "quoted", "string")


def _identifier(word: Word) -> str:
    """A name as TableName keeps it: quoted as written, unquoted in lower case."""
    return word.text.lower() if word.kind == "word" else _unquoted(word.text)


def _unquoted(name: str) -> str:
    """A name without the quotes it may be written in: "x", `x`, [x]."""
    quoted = len(name) > 1 and (name[0] + name[-1]) in ('""', "``", "[]")
    return name[1:-1] if quoted else name


class SqlFrontend(Frontend):
    language = "sql"
    embeds: tuple[str, ...] = ()

    def __init__(self, dialect: str = "auto") -> None:
        if dialect not in DIALECT_NAMES:
            from blastguard.suggestions import did_you_mean

            raise ValueError(f"unknown SQL dialect {dialect!r}{did_you_mean(dialect, DIALECT_NAMES)}")
        self.dialects = AUTO_DIALECTS if dialect == "auto" else (dialect,)
        self._parsers: dict[str, object] = {}
        self._neighbour_cache: dict[str, list[Statement]] = {}
        self._directives = _NO_DIRECTIVES
        self._routine_names: set[str] = set()

    @classmethod
    def from_config(cls, config) -> SqlFrontend:
        return cls(config.sql_dialect)

    def parse(self, source: Source, wanted: re.Pattern | None = None) -> SqlDocument:
        """Parse `source`. With `wanted`, a statement whose text it does not match is left out: no
        rule could report it, and parsing is most of the cost."""
        text = source.text
        statements, comments = self._parse_text(text, wanted)
        problems = [
            Problem(s.start, s.end, f"Statement could not be parsed ({s.error}); it was checked at token level.")
            for s in statements
            if s.error
        ]
        return SqlDocument(
            source=source,
            index=LineIndex(text),
            statements=statements,
            comments=comments,
            problems=problems,
            neighbours=self._neighbours(source.context.script, len(statements)),
        )

    def _parse_text(self, text: str, wanted: re.Pattern | None) -> tuple[list[Statement], list[Comment]]:
        self.wanted = wanted
        masked, self._directives = _client_directives(text)
        self._routine_names = set()
        tokens, dialect = self._tokenize(masked, 0, len(masked))
        if tokens is not None:
            comments = _gap_comments(masked, tokens)
            statements = self._statements(masked, tokens, dialect)
        else:
            statements, comments = self._rescue(masked)
        for index, stmt in enumerate(statements):
            stmt.index = index
        return statements, comments

    def _neighbours(self, script: tuple, own: int) -> list[tuple[int, Statement]]:
        """(position, statement) of the SQL run before (`script[0]`) and after (`script[1]`) this text;
        each text is parsed whole and once per host (the statements are shared, so never renumbered)."""
        if not script:
            return []
        before = [stmt for text in script[0] for stmt in self._neighbour_statements(text)]
        after = [stmt for text in script[1] for stmt in self._neighbour_statements(text)]
        return [(i - len(before), stmt) for i, stmt in enumerate(before)] + [
            (own + i, stmt) for i, stmt in enumerate(after)
        ]

    def _neighbour_statements(self, text: str) -> list[Statement]:
        if text not in self._neighbour_cache:
            if len(self._neighbour_cache) >= _NEIGHBOURS_KEPT:  # a host goes function by function
                del self._neighbour_cache[next(iter(self._neighbour_cache))]
            wanted, directives, names = self.wanted, self._directives, self._routine_names
            self._neighbour_cache[text] = self._parse_text(text, None)[0]
            self.wanted, self._directives, self._routine_names = wanted, directives, names
        return self._neighbour_cache[text]

    def _parser(self, dialect: str):
        """One parser per dialect, reused: parse() resets its state."""
        if dialect not in self._parsers:
            self._parsers[dialect] = Dialect.get_or_raise(dialect).parser()
        return self._parsers[dialect]

    def _tokenize(self, text: str, start: int, end: int, dialects=None) -> tuple[list[Token] | None, str]:
        """Tokens of text[start:end] with offsets into `text`, in the first dialect that reads it."""
        for name in dialects or self.dialects:
            try:
                tokens = self._parser(name).dialect.tokenize(text[start:end])
            except Exception:  # TokenError, or whatever else malformed input trips in the tokenizer
                continue
            # A backtick in PostgreSQL tokenizes as UNKNOWN: that dialect is the wrong one.
            if (
                len(self.dialects) > 1
                and text.find("`", start, end) >= 0
                and any(t.token_type == TokenType.UNKNOWN for t in tokens)
            ):
                continue
            if start:
                lines = text.count("\n", 0, start)
                for token in tokens:
                    token.start, token.end, token.line = token.start + start, token.end + start, token.line + lines
            return tokens, name
        return None, ""

    def _rescue(self, text: str) -> tuple[list[Statement], list[Comment]]:
        """The whole text does not tokenize: cut it with the lenient scanner and try each piece alone."""
        scanned, comments = scan(text)
        statements: list[Statement] = []
        for part in scanned:
            start, end = part.words[0].start, part.words[-1].end
            tokens, dialect = self._tokenize(text, start, part.end)
            if tokens:
                statements += self._statements(text, tokens, dialect)
            else:
                statements.append(
                    Statement(0, start, end, part.end, part.words, error="the SQL could not be tokenized")
                )
        return statements, comments

    def _statements(self, text: str, tokens: list[Token], dialect: str) -> list[Statement]:
        statements = [self._statement(text, body, end, dialect) for body, end in _chunks(tokens, self._directives)]
        result = []
        for stmt in statements:
            if stmt is not None:
                result.append(stmt)
                if stmt.body is not None:
                    result += self._body_statements(text, stmt, dialect)
        return result

    def _body_statements(self, text: str, stmt: Statement, dialect: str) -> list[Statement]:
        """The SQL statements in the procedural body of `stmt` (a DO block, a routine definition, a
        BEGIN … END block), each parsed alone at its place in the text; control flow is skipped."""
        assert stmt.body is not None
        children: list[Statement] = []
        for segment in segments(text, stmt.body, self._routine_names):
            if segment.dynamic:
                scanned = scan(text, segment.start, segment.end)[0]
                words = scanned[0].words if scanned else []
                children.append(Statement(0, segment.start, segment.end, segment.end, words, dynamic=True))
                continue
            tokens = self._tokenize(text, segment.start, segment.end, (dialect,))[0]
            tokens = tokens or self._tokenize(text, segment.start, segment.end)[0]
            if tokens:
                children += self._statements(text, tokens, dialect)
        for child in children:
            child.container = child.container or stmt
        return children

    def _statement(self, text: str, body: list[Token], chunk_end: int, dialect: str) -> Statement | None:
        start, end = body[0].start, body[-1].end + 1
        if not self._wanted(text, body, start, end):
            return None
        body = self._expand_explain(text, body, dialect)
        stmt = Statement(0, start, end, chunk_end, body)
        if _may_hold_body(body):
            stmt.body = body_of(text, stmt.words, start, end)
            if stmt.body is not None:
                stmt.body.backslashes = dialect == "mysql"
                if stmt.body.name:
                    self._routine_names.add(stmt.body.name.lower())
                return stmt  # read through its body: its own parse is of control flow, not SQL
        self._parse_statement(stmt, text, body, dialect)
        if stmt.error and _read_by_words(stmt.words):
            stmt.error = None  # a form sqlglot does not know, which the rules read from its words
        return stmt

    def _wanted(self, text: str, body: list[Token], start: int, end: int) -> bool:
        """Whether any rule could care about this statement (a cheap text search; rules read the parse)."""
        if self.wanted is None:
            return True
        # CREATE, ALTER … ADD and SELECT … INTO tell which tables and columns the script makes itself,
        # INSERT … SELECT which table it copies.
        first = body[0].text.upper()
        if first in ("CREATE", "ALTER") or self.wanted.search(text, start, end):
            return True
        # A call runs a body this text may define: the rules judge the body at the call.
        if first in ("CALL", "EXEC", "EXECUTE"):
            return True
        if self._routine_names and any(t.text.lower() in self._routine_names for t in body):
            return True
        if first == "INSERT":
            return any(t.token_type is TokenType.SELECT for t in body)
        return first in ("SELECT", "WITH") and any(t.token_type is TokenType.INTO for t in body)

    def _expand_explain(self, text: str, body: list[Token], dialect: str) -> list[Token]:
        """sqlglot reads EXPLAIN as a command and swallows the rest into one string: tokenize that rest."""
        if len(body) == 2 and body[0].token_type == TokenType.COMMAND and body[0].text.upper() == "EXPLAIN":
            rest, _ = self._tokenize(text, body[0].end + 1, body[-1].end + 1, dialects=(dialect,))
            if rest:
                return [body[0], *rest]
        return body

    def _parse_statement(self, stmt: Statement, text: str, body: list[Token], dialect: str) -> None:
        body = self._strip_explain(stmt, body)
        first_error = None
        for name in [dialect] + [d for d in self.dialects if d != dialect]:
            tokens = body if name == dialect else self._retokenize(text, stmt, name)
            if tokens is None:
                continue
            try:
                parsed = self._parser(name).parse(tokens, text)
            except (ParseError, TokenError) as exc:
                first_error = first_error or _first_line(exc)
                continue
            except Exception as exc:  # sqlglot can trip over malformed input (TypeError, RecursionError)
                first_error = first_error or f"the parser failed: {type(exc).__name__}"
                continue
            expressions = [e for e in parsed if e is not None and not isinstance(e, exp.Semicolon)]
            if len(expressions) == 1:
                stmt.expression, stmt.dialect = expressions[0], name
                return
        stmt.error = first_error or "statement could not be parsed"

    def _retokenize(self, text: str, stmt: Statement, dialect: str) -> list[Token] | None:
        tokens, _ = self._tokenize(text, stmt.start, stmt.end, dialects=(dialect,))
        if tokens is not None and stmt.explain:
            tokens = tokens[self._explain_prefix_length(tokens) :]
        return tokens

    def _strip_explain(self, stmt: Statement, body: list[Token]) -> list[Token]:
        if body[0].text.upper() != "EXPLAIN":
            return body
        skip = self._explain_prefix_length(body)
        if skip >= len(body):
            return body
        options = " ".join(t.text.upper() for t in body[1:skip])
        analyze = re.search(r"\bANALY[SZ]E\b(?!\s+(FALSE|OFF|0)\b)", options)
        stmt.explain = "analyze" if analyze else "plain"
        return body[skip:]

    @staticmethod
    def _explain_prefix_length(body: list[Token]) -> int:
        """Tokens of `EXPLAIN [options]` before the explained statement."""
        depth = 0
        for i, token in enumerate(body[1:], start=1):
            if token.token_type == TokenType.L_PAREN:
                depth += 1
            elif token.token_type == TokenType.R_PAREN:
                depth -= 1
            elif depth == 0 and token.text.upper() in _EXPLAINABLE:
                return i
        return len(body)


_BLOCK_CLOSERS_OF_OTHERS = frozenset({"IF", "LOOP", "WHILE", "REPEAT"})  # END IF etc. close no BEGIN/CASE
# Words that open a T-SQL body right after AS (PL/SQL's IS / AS open declarations instead).
_TSQL_BODY_STARTS = frozenset(
    {"SET", "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "IF", "WHILE", "DECLARE", "EXEC", "EXECUTE"}
    | {"RETURN", "TRUNCATE", "DROP", "CREATE", "ALTER", "WITH", "PRINT", "RAISERROR", "THROW"}
)
_NOT_PLSQL_DECLARE = frozenset({"CURSOR", "SCROLL", "BINARY", "INSENSITIVE", "NO", "ASENSITIVE"})
# `ALTER TABLE … <verb> PARTITION` forms sqlglot keeps as a command or cannot parse, read from the words.
_PARTITION_VERBS = frozenset({"DROP", "TRUNCATE", "DETACH", "ATTACH", "ADD", "EXCHANGE", "COALESCE", "REORGANIZE"})


def _may_hold_body(tokens: list[Token]) -> bool:
    """A cheap look at the first tokens: whether the statement may define a routine or be a block, before
    its words are built (most CREATE and ALTER statements are tables)."""
    first = tokens[0].text.upper()
    if first in ("CREATE", "ALTER"):
        return any(t.text.upper() in ROUTINES for t in tokens[1:8])
    if first == "BEGIN":
        return len(tokens) > 1 and tokens[1].text.upper() not in TRANSACTION_WORDS
    return first in ("DO", "DECLARE")


def _read_by_words(words: list[Word]) -> bool:
    """Statements sqlglot cannot parse whose meaning the rules read from their words: T-SQL's
    `DISABLE / ENABLE TRIGGER … ON …` and `ALTER TABLE … DROP / TRUNCATE / DETACH PARTITION …`."""
    if len(words) < 3:
        return False
    first = words[0].upper
    if first in ("DISABLE", "ENABLE"):
        return words[1].upper == "TRIGGER"
    if first != "ALTER" or words[1].upper != "TABLE":
        return False
    top = [w.upper for w in words if w.depth == 0 and w.upper not in ("IF", "EXISTS")]
    partition = [i for i, verb in enumerate(top) if verb in _PARTITION_VERBS and top[i + 1 : i + 2] == ["PARTITION"]]
    # Any other DROP or TRUNCATE in it (`…, DROP COLUMN c`) is left to the token-level reading.
    others = [i for i, verb in enumerate(top) if verb in ("DROP", "TRUNCATE", "DISABLE") and i not in partition]
    return bool(partition) and not others


def _chunks(tokens: list[Token], directives: _Directives = _NO_DIRECTIVES) -> list[tuple[list[Token], int]]:
    """(tokens, offset past the terminating semicolon) for each statement.

    The body of a CREATE PROCEDURE / FUNCTION / TRIGGER / EVENT or of a BEGIN … END block can hold
    semicolons that do not end it (MySQL compound statements, PostgreSQL BEGIN ATOMIC, PL/SQL and
    T-SQL bodies): those stay inside the statement. A batch end (`GO`, `/`) or a custom DELIMITER always
    ends one, and under a custom DELIMITER a plain `;` never does.
    """
    semicolon = TokenType.SEMICOLON
    ends = [i for i, kind in enumerate([t.token_type for t in tokens]) if kind is semicolon] + [len(tokens)]
    hard, custom, batches = directives.hard, directives.custom, bool(directives.hard)
    chunks: list[tuple[list[Token], int]] = []
    start = 0
    for end in ends:
        body = tokens[start:end]
        if end < len(tokens) and tokens[end].start not in hard:
            if custom and _inside(custom, tokens[end].start):
                continue  # the mysql client sends everything up to the custom delimiter as one statement
            if body and _open_blocks(body, batches):
                continue  # a semicolon inside a routine body: the statement goes on
        if body:
            chunks.append((body, (tokens[end].end if end < len(tokens) else body[-1].end) + 1))
        start = end + 1
    if chunks and start >= len(tokens) and not hard and _open_blocks(chunks[-1][0], batches):
        # The last block never closed: its count was wrong, so its semicolons end statements after all.
        last, _ = chunks.pop()
        chunks += _chunks_at_every_semicolon(last)
    return chunks


def _chunks_at_every_semicolon(tokens: list[Token]) -> list[tuple[list[Token], int]]:
    chunks, start = [], 0
    for i, token in enumerate([*tokens, None]):
        if token is None or token.token_type is TokenType.SEMICOLON:
            if tokens[start:i]:
                end = token.end + 1 if token is not None else tokens[i - 1].end + 1
                chunks.append((tokens[start:i], end))
            start = i + 1
    return chunks


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    return any(start <= offset < end for start, end in spans)


def _open_blocks(body: list[Token], batches: bool = False) -> int:
    """Blocks left open in a routine definition or a BEGIN … END / DECLARE … BEGIN … END block; 0 for
    any other statement. Open are a BEGIN/CASE without its END, PL/SQL declarations (after IS / AS, or
    DECLARE) before their BEGIN, and a T-SQL body after AS when the file ends its batches with GO."""
    first = body[0].text.upper()
    if first in ("CREATE", "ALTER"):
        if not any(t.text.upper() in ROUTINES for t in body[1:8]):
            return 0  # cheap for every other statement: this runs at each semicolon
        routine, pending = True, False
    elif first == "BEGIN":
        if len(body) == 1 or body[1].text.upper() in TRANSACTION_WORDS:
            return 0  # BEGIN; BEGIN TRANSACTION …: a transaction, not a block
        routine, pending = False, False
    elif first == "DECLARE" and len(body) > 1:
        # DECLARE is a command to sqlglot: the rest of its statement may come as one string.
        declared = " ".join(t.text for t in body[1:3]).split()
        if declared[0].startswith("@") or declared[1:2] and declared[1].upper() in _NOT_PLSQL_DECLARE:
            return 0  # T-SQL's DECLARE @v int, a cursor's DECLARE c CURSOR FOR
        routine, pending = False, True
    else:
        return 0
    trigger = any(t.text.upper() == "TRIGGER" for t in body[1:8])
    depth = parens = 0
    seen_as = t_sql = False
    for i, token in enumerate(body):
        kind = token.token_type
        if kind is TokenType.L_PAREN or kind is TokenType.R_PAREN:
            parens += 1 if kind is TokenType.L_PAREN else -1
            continue
        word = token.text.upper()
        if word in ("BEGIN", "CASE"):
            depth += 1
            pending = pending and word != "BEGIN"
        elif word == "END" and not (i + 1 < len(body) and body[i + 1].text.upper() in _BLOCK_CLOSERS_OF_OTHERS):
            depth -= 1
        elif routine and not seen_as and not parens and word in ("AS", "IS") and body[i - 1].text.upper() != "EXECUTE":
            seen_as = True
            after = body[i + 1] if i + 1 < len(body) else None
            if after is None or after.token_type in _STRING_TOKENS or after.text.upper() in ("BEGIN", "LANGUAGE"):
                continue
            if after.text.startswith("@") or after.text.upper() in _TSQL_BODY_STARTS:
                t_sql = batches  # without BEGIN, a T-SQL body runs to the end of its batch
            elif not trigger:
                pending = True  # PL/SQL declarations, up to the BEGIN
        elif routine and word == "DECLARE" and not depth and not parens:
            pending = True  # a PL/SQL trigger's declarations
    return depth + (1 if pending or t_sql else 0)


def _words(tokens: list[Token]) -> list[Word]:
    words = []
    depth = 0
    for token in tokens:
        kind = "word"
        if token.token_type in _STRING_TOKENS:
            kind = "string"
        elif token.token_type == TokenType.IDENTIFIER:
            kind = "quoted"
        elif token.token_type == TokenType.NUMBER:
            kind = "number"
        elif token.token_type == TokenType.R_PAREN:
            depth = max(0, depth - 1)
            kind = "punct"
        elif not token.text[:1].isalpha() and token.text[:1] != "_":
            kind = "punct"
        words.append(Word(token.text, token.start, token.end + 1, depth, kind, token.line))
        if token.token_type == TokenType.L_PAREN:
            depth += 1
    return words


def _gap_comments(text: str, tokens: list[Token]) -> list[Comment]:
    """Comments live in the gaps between tokens: scan only those, so no string is ever read as one.

    sqlglot attaches every comment to a neighbouring token, so only the gaps beside a token that
    carries comments (and the text's two ends) can hold one.
    """
    if not tokens:
        return comments_in_gap(text, 0, len(text))
    gaps = {0, len(tokens)}  # gap i lies before token i
    for i, token in enumerate(tokens):
        if token.comments:
            gaps.update((i, i + 1))
    comments: list[Comment] = []
    for i in sorted(gaps):
        start = tokens[i - 1].end + 1 if i else 0
        end = tokens[i].start if i < len(tokens) else len(text)
        if end > start:
            comments.extend(comments_in_gap(text, start, end))
    return comments


_TOKEN_REPR = re.compile(r"<Token token_type: TokenType\.(\w+), text: (.*?), line: .*?>")
_CLASS_REPR = re.compile(r"<class '(?:\w+\.)*(\w+)'>")


def _first_line(exc: Exception) -> str:
    """sqlglot's error, in one line and without its internal token dumps."""
    errors = getattr(exc, "errors", None)
    if errors:
        message = str(errors[0].get("description") or "syntax error")
    else:
        lines = str(exc).strip().splitlines()
        message = lines[0] if lines else type(exc).__name__
    message = _CLASS_REPR.sub(r"\1", message)
    return _TOKEN_REPR.sub(lambda m: "end of statement" if m.group(1) == "SENTINEL" else repr(m.group(2)), message)
