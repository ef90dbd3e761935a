"""String values of Python expressions, each character traced to where it is written.

A value is a sequence of pieces. A text piece is characters of one string literal, each with its
offset from the literal's first character, escapes decoded. A piece that stands for something only
known at run time (a parameter, a call's result, an `{expression}` of an f-string) is a hole; the
home directory (`Path.home()`, `expanduser("~")`) is a piece of its own, since a delete of it is
judged by what it is, not by its spelling.

Folding follows what the program would do with constants: literals, implicit and `+`
concatenation, `%` and `.format` formatting, f-strings, `" ".join([...])`, `dedent` and `strip`,
and names bound once in their scope (see `calls`). Whatever a folded value takes from
another place (a constant defined elsewhere) is located where it is used, so a finding inside the
string it is spliced into stays in one place.
"""

from __future__ import annotations

import re

import libcst as cst

from blastguard.records import Record, record

TYPE_CHECKING = False  # `typing` costs an agent hook milliseconds
if TYPE_CHECKING:  # annotations only
    from blastguard.frontends.python.calls import ParsedChunk

_CODEGEN = cst.Module(body=[])
_ESCAPE = re.compile(
    r"\\(?:\r\n|[\n\\'\"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|N\{[^}]*\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})"
)
_SIMPLE_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
# `%s`, `%(name)s`, `%-10.3f`, `%%`
_PERCENT_SPEC = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])"
)
# `{}`, `{0}`, `{name}`, `{name.attr[key]!r:>10}`, `{{`, `}}`
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{(?P<field>[^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}")
_DEDENT_CALLS = frozenset({"textwrap.dedent", "inspect.cleandoc"})
_STRIPS = frozenset({"strip", "lstrip", "rstrip"})
MAX_DEPTH = 12  # names that refer to names: enough for real code, bounded for cycles
_MAX_LOOP_VALUES = 16  # a loop over more literals is a data table, not a list of tables to judge
# psycopg's composition (`sql.SQL("DELETE FROM {}").format(sql.Identifier(t))`), in both versions.
_PSYCOPG_SQL = frozenset({"psycopg2.sql.SQL", "psycopg.sql.SQL"})
_PSYCOPG_IDENTIFIER = frozenset({"psycopg2.sql.Identifier", "psycopg.sql.Identifier"})
_PSYCOPG_PLACEHOLDER = frozenset({"psycopg2.sql.Placeholder", "psycopg.sql.Placeholder"})
_PSYCOPG_COMPOSED = _PSYCOPG_SQL | _PSYCOPG_IDENTIFIER  # written where they are used: located part by part
_PLAIN_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def code_of(node: cst.CSTNode) -> str:
    return _CODEGEN.code_for_node(node)


@record(frozen=True)
class Piece(Record):
    text: str
    node: cst.CSTNode  # where the characters are written (or, for a hole, the expression)
    chunk: ParsedChunk  # the parsed chunk that holds `node`, which can locate it
    offsets: tuple[int, ...] | None = None  # per character, from the node's start; None: the whole node
    kind: str = "text"  # "text" | "hole" | "home"

    @property
    def label(self) -> str:
        """How a hole reads in a message: the expression's own code, shortened."""
        node = self.node.expression if isinstance(self.node, cst.FormattedStringExpression) else self.node
        code = " ".join(code_of(node).split())
        return code if len(code) <= 40 else code[:37] + "..."


@record(frozen=True)
class Value(Record):
    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    @property
    def literal(self) -> bool:
        return all(p.kind == "text" for p in self.pieces)

    def __add__(self, other: Value) -> Value:
        return Value(self.pieces + other.pieces)

    def slice(self, start: int, end: int) -> Value:
        """The characters [start, end) of the text; a hole is kept whole when the range covers it."""
        pieces, position = [], 0
        for piece in self.pieces:
            length = len(piece.text)
            lo, hi = max(start - position, 0), min(end - position, length)
            if lo < hi or (length == 0 and start <= position < end):
                if piece.kind != "text" or (lo == 0 and hi == length):
                    pieces.append(piece)
                else:
                    offsets = piece.offsets[lo:hi] if piece.offsets is not None else None
                    pieces.append(Piece(piece.text[lo:hi], piece.node, piece.chunk, offsets, piece.kind))
            position += length
        return Value(tuple(pieces))

    def anchored(self, node: cst.CSTNode, chunk) -> Value:
        """The same characters, located at `node` (where a value from elsewhere is used)."""
        return Value(tuple(Piece(p.text, node, chunk, None, p.kind) for p in self.pieces))


def hole(node: cst.CSTNode, chunk) -> Value:
    return Value((Piece("", node, chunk, None, "hole"),))


def decode_literal(raw: str) -> tuple[str, list[int]]:
    """A string literal's value (`r'…'`, `b"…"`, `'''…'''`), and each character's offset in `raw`."""
    prefix_length = len(raw) - len(raw.lstrip("rRbBuUfF"))
    prefix = raw[:prefix_length].lower()
    quote = raw[prefix_length : prefix_length + 3]
    quote = quote if quote in ("'''", '"""') else raw[prefix_length]
    body_start, body_end = prefix_length + len(quote), len(raw) - len(quote)
    return decode_body(raw[body_start:body_end], body_start, "r" in prefix, "b" in prefix)


def decode_body(body: str, base: int, raw: bool, binary: bool = False, braces: bool = False) -> tuple[str, list[int]]:
    """Decode escapes (and, for f-string text, doubled braces) in `body`, which starts at `base`."""
    chars: list[str] = []
    offsets: list[int] = []
    i = 0
    while i < len(body):
        char = body[i]
        if braces and char in "{}" and body[i + 1 : i + 2] == char:
            chars.append(char)
            offsets.append(base + i)
            i += 2
            continue
        if char == "\\" and not raw:
            match = _ESCAPE.match(body, i)
            if match:
                decoded = _unescape(match.group(), binary)
                chars.extend(decoded)
                offsets.extend([base + i] * len(decoded))
                i = match.end()
                continue
        chars.append(char)
        offsets.append(base + i)
        i += 1
    return "".join(chars), offsets


def _unescape(escape: str, binary: bool) -> str:
    kind = escape[1]
    if kind in "\r\n":
        return ""  # a backslash at the end of a line continues the string
    if kind in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[kind]
    if kind.isdigit():
        return chr(int(escape[1:], 8))
    if kind == "x":
        return chr(int(escape[2:], 16))
    if binary:
        return escape  # bytes have no \N, \u or \U escapes
    if kind == "N":
        import unicodedata

        try:
            return unicodedata.lookup(escape[3:-1])
        except KeyError:
            return escape
    return chr(int(escape[2:], 16))


class Folder:
    """Folds expressions to string values; `lookup(name, scope)` gives a name's single binding."""

    def __init__(self, lookup, qualified_name, loop=None) -> None:
        self._lookup = lookup  # (name, scope) -> (expression, scope, chunk) | None
        self._qualified = qualified_name  # (expression) -> dotted name with imports resolved, or None
        self._loop = loop  # (name, call) -> (iterable, chunk) of the `for` loop binding it, or None

    def each(self, value: Value, call) -> list[Value]:
        """`value` once for each value of the loop variable it holds, when that loop (around `call`)
        iterates over a literal list of strings (`for table in ("events", "audit"):`); else `value`.
        Each value is located where the variable is used."""
        if self._loop is None:
            return [value]
        for piece in value.pieces:
            name = self._variable(piece.node) if piece.kind == "hole" else None
            loop = self._loop(name, call) if name is not None else None
            elements = self._literal_sequence(loop[0], call) if loop is not None else None
            if name is None or loop is None or elements is None:
                continue
            folded = [self._fold(element, call.scope, loop[1], 1) for element in elements]
            if any(v is None or not v.literal for v in folded):
                return [value]
            return [self._substituted(value, name.value, one) for one in folded if one is not None]
        return [value]

    def _substituted(self, value: Value, name: str, replacement: Value) -> Value:
        """`value` with every hole that stands for `name` replaced, each located where it is used."""
        pieces: list[Piece] = []
        for piece in value.pieces:
            used = self._variable(piece.node) if piece.kind == "hole" else None
            if used is not None and used.value == name:
                pieces.extend(replacement.anchored(piece.node, piece.chunk).pieces)
            else:
                pieces.append(piece)
        return Value(tuple(pieces))

    def _variable(self, node) -> cst.Name | None:
        """The name a hole stands for: `name`, `{name}` in an f-string, `sql.Identifier(name)`."""
        if isinstance(node, cst.FormattedStringExpression):
            node = node.expression
        if isinstance(node, cst.Call) and self._qualified(node.func) in _PSYCOPG_IDENTIFIER and len(node.args) == 1:
            node = node.args[0].value
        return node if isinstance(node, cst.Name) else None

    def _literal_sequence(self, node, call) -> list[cst.BaseExpression] | None:
        """The elements of a tuple, list or set written out (or bound once to a name), a few at most."""
        if isinstance(node, cst.Name):
            bound = self._lookup(node, call.scope)
            node = bound[0] if bound is not None else None
        if not isinstance(node, (cst.Tuple, cst.List, cst.Set)) or not 0 < len(node.elements) <= _MAX_LOOP_VALUES:
            return None
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            return None
        return [e.value for e in node.elements]

    def value(self, node: cst.BaseExpression, scope, chunk, depth: int = 0) -> Value:
        """The string `node` evaluates to, with holes where it cannot be known."""
        folded = self._fold(node, scope, chunk, depth)
        return folded if folded is not None else hole(node, chunk)

    def string(self, node: cst.BaseExpression, scope, chunk) -> Value | None:
        """Like `value`, but None when `node` is not a string at all that folding can see."""
        return self._fold(node, scope, chunk, 0)

    def _fold(self, node, scope, chunk, depth: int) -> Value | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, cst.SimpleString):
            text, offsets = decode_literal(node.value)
            lead = _lpar_length(node)
            return Value((Piece(text, node, chunk, tuple(o + lead for o in offsets)),))
        if isinstance(node, cst.ConcatenatedString):  # "a" "b" "c": right-nested, folded without recursing
            result = Value(())
            while isinstance(node, cst.ConcatenatedString):
                left = self._fold(node.left, scope, chunk, depth)
                if left is None:
                    return None
                result, node = result + left, node.right
            right = self._fold(node, scope, chunk, depth)
            return result + right if right is not None else None
        if isinstance(node, cst.FormattedString):
            return self._f_string(node, scope, chunk, depth)
        if isinstance(node, cst.BinaryOperation):
            return self._binary(node, scope, chunk, depth)
        if isinstance(node, cst.Name):
            return self._name(node, scope, chunk, depth)
        if isinstance(node, cst.Attribute) and self._qualified(node) == "sys.executable":
            return Value((Piece("python", node, chunk, None),))  # the interpreter running the program
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
            return self._name(node, scope, chunk, depth)
        if isinstance(node, cst.Call):
            return self._call(node, scope, chunk, depth)
        if isinstance(node, cst.Subscript) and self._qualified(node.value) == "os.environ":
            key = node.slice[0].slice if len(node.slice) == 1 else None
            if (
                isinstance(key, cst.Index)
                and isinstance(key.value, cst.SimpleString)
                and decode_literal(key.value.value)[0] == "HOME"
            ):
                return Value((Piece("~", node, chunk, None, "home"),))
        return None

    def _operand(self, node, scope, chunk, depth: int) -> Value:
        """A part of a larger string: what comes from elsewhere is located at this use."""
        folded = self._fold(node, scope, chunk, depth + 1)
        if folded is None:
            return hole(node, chunk)
        literal_here = isinstance(
            node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.BinaryOperation)
        ) or (isinstance(node, cst.Call) and self._qualified(node.func) in _PSYCOPG_COMPOSED)
        return folded if literal_here else folded.anchored(node, chunk)

    def _name(self, node, scope, chunk, depth: int) -> Value | None:
        binding = self._lookup(node, scope)
        if binding is None:
            return None
        expression, where, where_chunk = binding
        return self._fold(expression, where, where_chunk, depth + 1)

    def _f_string(self, node: cst.FormattedString, scope, chunk, depth: int) -> Value:
        raw = "r" in node.prefix.lower()
        position = _lpar_length(node) + len(node.start)
        pieces: list[Piece] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text, offsets = decode_body(part.value, position, raw, braces=True)
                pieces.append(Piece(text, node, chunk, tuple(offsets)))
                position += len(part.value)
            else:  # `{expression}`: located with its braces
                assert isinstance(part, cst.FormattedStringExpression)  # the other kind of part
                folded = self._fold(part.expression, scope, chunk, depth + 1)
                pieces.extend((folded.anchored(part, chunk) if folded is not None else hole(part, chunk)).pieces)
                position += len(code_of(part))
        return Value(tuple(pieces))

    def _binary(self, node: cst.BinaryOperation, scope, chunk, depth: int) -> Value | None:
        if isinstance(node.operator, cst.Add):
            left = self._fold(node.left, scope, chunk, depth + 1)
            right = self._fold(node.right, scope, chunk, depth + 1)
            if left is None and right is None:
                return None
            return self._operand(node.left, scope, chunk, depth) + self._operand(node.right, scope, chunk, depth)
        if isinstance(node.operator, cst.Divide):  # pathlib: `Path.home() / "data"`, `venv / "bin"`
            left = self._fold(node.left, scope, chunk, depth + 1)
            if left is None and self._fold(node.right, scope, chunk, depth + 1) is None:
                return None
            return (
                self._operand(node.left, scope, chunk, depth)
                + _separator(node, chunk)
                + self._operand(node.right, scope, chunk, depth)
            )
        if isinstance(node.operator, cst.Modulo):
            template = self._fold(node.left, scope, chunk, depth + 1)
            if template is None:
                return None
            return self._percent(template, node.right, scope, chunk, depth)
        return None

    def _percent(self, template: Value, right, scope, chunk, depth: int) -> Value:
        """`"… %s …" % args`: positional from a tuple, by key from a dict, else the one value."""
        if isinstance(right, cst.Tuple):
            positional = [e.value for e in right.elements]
        else:
            positional = [right]
        by_key = {}
        if isinstance(right, cst.Dict):
            for element in right.elements:
                if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                    by_key[decode_literal(element.key.value)[0]] = element.value
        result, last, index = Value(()), 0, 0
        text = template.text
        for match in _PERCENT_SPEC.finditer(text):
            result += template.slice(last, match.start())
            last = match.end()
            if match.group("type") == "%":
                result += template.slice(match.start() + 1, match.end())
                continue
            key = match.group("key")
            if key is not None:
                argument = by_key.get(key)
            else:
                argument = positional[index] if index < len(positional) else None
                index += 1
            result += self._operand(argument, scope, chunk, depth) if argument is not None else hole(right, chunk)
        return result + template.slice(last, len(text))

    def _call(self, node: cst.Call, scope, chunk, depth: int) -> Value | None:
        function = node.func
        name = self._qualified(function)
        if name in ("os.path.expanduser", "posixpath.expanduser") and node.args:
            path = self._fold(node.args[0].value, scope, chunk, depth + 1)
            if path is not None and path.literal and (path.text == "~" or path.text.startswith("~/")):
                return Value((Piece("~", node, chunk, None, "home"),)) + path.slice(1, len(path.text)).anchored(
                    node, chunk
                )
            return path
        if name == "pathlib.Path.home" or _home_variable(self._qualified, node, self._literal_arg):
            return Value((Piece("~", node, chunk, None, "home"),))
        if name in ("os.path.join", "posixpath.join") and node.args:
            parts = [self._operand(a.value, scope, chunk, depth) for a in node.args if not a.star]
            result = parts[0]
            for part in parts[1:]:
                result = part if part.text.startswith("/") else result + _separator(node, chunk) + part
            return result
        if name in _DEDENT_CALLS and node.args:
            inner = self._fold(node.args[0].value, scope, chunk, depth + 1)
            return _dedent(inner) if inner is not None else None
        if name in ("pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "str") and len(node.args) == 1:
            return self._fold(node.args[0].value, scope, chunk, depth + 1)
        if name in _PSYCOPG_SQL and len(node.args) == 1:
            return self._fold(node.args[0].value, scope, chunk, depth + 1)
        if name in _PSYCOPG_IDENTIFIER and node.args:
            return self._identifier(node, scope, chunk, depth)
        if name in _PSYCOPG_PLACEHOLDER:
            return Value((Piece("%s", node, chunk, None),))  # a parameter's place
        if not isinstance(function, cst.Attribute):
            return None
        method = function.attr.value
        if method == "as_string" and self._qualified(function.value) is not None:  # `composed.as_string(conn)`
            return self._fold(function.value, scope, chunk, depth + 1)
        if method in ("format", "join") or method in _STRIPS:
            receiver = self._fold(function.value, scope, chunk, depth + 1)
            if receiver is None:
                return None
            if method == "format":
                return self._format(receiver, node, scope, chunk, depth)
            if method == "join":
                return self._join(receiver, node, scope, chunk, depth)
            return _strip(receiver, method, node.args)
        return None

    def _identifier(self, node: cst.Call, scope, chunk, depth: int) -> Value:
        """`sql.Identifier("shop", "orders")` -> shop.orders; a name that needs quoting is quoted, a
        run-time one stays a hole (which the SQL reads as a run-time table)."""
        result = Value(())
        for i, arg in enumerate(a for a in node.args if not a.star):
            part = self._operand(arg.value, scope, chunk, depth)
            if i:
                result += Value((Piece(".", node, chunk, None),))
            if part.literal and not _PLAIN_IDENTIFIER.fullmatch(part.text):
                quote = Value((Piece('"', arg.value, chunk, None),))
                part = quote + Value((Piece(part.text.replace('"', '""'), arg.value, chunk, None),)) + quote
            result += part
        return result

    def _literal_arg(self, node: cst.Call, index: int = 0) -> str | None:
        value = node.args[index].value if len(node.args) > index else None
        return decode_literal(value.value)[0] if isinstance(value, cst.SimpleString) else None

    def _format(self, template: Value, node: cst.Call, scope, chunk, depth: int) -> Value:
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        by_key = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        result, last, index = Value(()), 0, 0
        text = template.text
        for match in _FORMAT_FIELD.finditer(text):
            result += template.slice(last, match.start())
            last = match.end()
            if match.group("field") is None:  # `{{` or `}}`, already one brace in f-strings but not here
                result += template.slice(match.start(), match.start() + 1)
                continue
            field = re.split(r"[.\[]", match.group("field").strip(), maxsplit=1)
            argument = None
            if field[0] == "":
                argument = positional[index] if index < len(positional) else None
                index += 1
            elif field[0].isdigit():
                argument = positional[int(field[0])] if int(field[0]) < len(positional) else None
            else:
                argument = by_key.get(field[0])
            simple = len(field) == 1 and argument is not None
            result += self._operand(argument, scope, chunk, depth) if simple else hole(argument or node, chunk)
        return result + template.slice(last, len(text))

    def _join(self, separator: Value, node: cst.Call, scope, chunk, depth: int) -> Value | None:
        if len(node.args) != 1 or not isinstance(node.args[0].value, (cst.List, cst.Tuple)):
            return None
        result = Value(())
        for i, element in enumerate(node.args[0].value.elements):
            if i:
                result += separator
            result += (
                hole(element.value, chunk)
                if isinstance(element, cst.StarredElement)
                else self._operand(element.value, scope, chunk, depth)
            )
        return result


def _separator(node: cst.CSTNode, chunk) -> Value:
    """The `/` a path join puts between its parts, located at the join."""
    return Value((Piece("/", node, chunk, None, "text"),))


def _lpar_length(node: cst.BaseExpression) -> int:
    return sum(len(code_of(paren)) for paren in node.lpar)


def _home_variable(qualified, node: cst.Call, literal_arg) -> bool:
    """`os.environ.get("HOME")`, `os.getenv("HOME")`."""
    return qualified(node.func) in ("os.getenv", "os.environ.get") and literal_arg(node) == "HOME"


def _dedent(value: Value) -> Value:
    """`textwrap.dedent`: remove the whitespace every non-blank line starts with."""
    text = value.text
    lines = text.splitlines(keepends=True)
    margins = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    margin = min(margins, default=0)
    if not margin:
        return value
    result, position = Value(()), 0
    for line in lines:
        cut = min(margin, len(line) - len(line.lstrip(" \t")))
        result += value.slice(position + cut, position + len(line))
        position += len(line)
    return result


def _strip(value: Value, method: str, args) -> Value | None:
    if args:
        return None  # stripping given characters: rare for SQL and commands
    text = value.text
    start = len(text) - len(text.lstrip()) if method in ("strip", "lstrip") else 0
    end = len(text.rstrip()) if method in ("strip", "rstrip") else len(text)
    return value.slice(start, end)
