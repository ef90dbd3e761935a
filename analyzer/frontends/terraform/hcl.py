"""Terraform HCL frontend: blocks and attributes with exact spans, from python-hcl2's Lark tree.

python-hcl2's `load()` drops positions, so the model is built from `parses_to_tree()`, whose nodes
carry character offsets. Literal values are evaluated (true, 0, "text" without interpolation); any
other expression is kept as its source text. Commands in `local-exec` / `remote-exec` provisioners
and `data "external"` programs are handed to the shell frontend as embedded sources.

A file python-hcl2 cannot parse is retried after repairs that keep every offset (a heredoc end
marker with trailing spaces, non-ASCII identifiers); if it still fails, a line-level scan finds the
attributes rules look for, and the parse problem becomes a notification.
"""

from __future__ import annotations

import os
import re
import shlex

import hcl2
from lark import Token, Tree

from blastguard.context import Context, Production
from blastguard.frontends.base import Comment, Document, Frontend, Problem
from blastguard.records import Record, factory, record
from blastguard.sources import PYTHON_INTERPRETER, Embedded, SkipFile, Source, reader_of
from blastguard.textindex import LineIndex

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash"})


@record(frozen=True)
class Expr(Record):
    """A value that is not a literal: its source text (`var.env`, `"app-${var.env}"`)."""

    text: str


@record(frozen=True)
class Attribute(Record):
    name: str
    start: int  # the whole `name = value`
    end: int
    value: object  # bool, int, float, str, None, list of those, or Expr
    value_start: int
    value_end: int
    node: Tree | None = None  # the value's expression node; None when found by the line-level scan
    # Where the value was found when the setting refers to it (a variable's default): the span is then
    # the value's, and this says which setting reads it.
    origin: str = ""

    @property
    def text(self) -> str:
        return self.value.text if isinstance(self.value, Expr) else str(self.value)


@record
class Block(Record):
    type: str
    labels: list[str]
    start: int
    end: int
    head_end: int  # end of the last label: `resource "aws_db_instance" "main"`
    attributes: dict[str, Attribute] = factory(dict)
    blocks: list[Block] = factory(list)
    parent: Block | None = None

    def nested(self, block_type: str) -> list[Block]:
        return [b for b in self.blocks if b.type == block_type]

    @property
    def resource_type(self) -> str | None:
        """`aws_db_instance` for `resource "aws_db_instance" "main"` (and data sources)."""
        return self.labels[0] if self.type in ("resource", "data") and self.labels else None

    @property
    def owner(self) -> Block:
        """The top-level block this one sits in (a lifecycle block's resource)."""
        block = self
        while block.parent is not None:
            block = block.parent
        return block

    @property
    def address(self) -> str:
        owner = self.owner
        if owner.type == "resource" and len(owner.labels) == 2:
            return ".".join(owner.labels)
        if owner.type in ("data", "module") and owner.labels:
            return ".".join([owner.type, *owner.labels])
        return owner.type

    def walk(self):
        yield self
        for block in self.blocks:
            yield from block.walk()


@record(kw_only=True, identity=True)
class TerraformDocument(Document):
    blocks: list[Block]
    production: tuple[str, ...] = ()  # evidence that this configuration targets production
    production_sites: list[tuple[Attribute, str]] = factory(list)  # the evidence in this file
    # Attributes found line by line when the file did not parse (their block is unknown).
    loose_attributes: list[Attribute] = factory(list)
    # Settings of the module whose values this file writes elsewhere than at the setting: a variable
    # default, a local, a `for_each` entry, a module call's argument, a `.tfvars` value (module_values).
    resolved: list[tuple[Block, Attribute]] = factory(list)
    # The literal values this file's settings read from elsewhere, by the setting's offset: (value,
    # where it is written), for rules that compare a change (a `true` replaced by `var.protect`).
    reads: dict[int, list[tuple[object, str]]] = factory(dict)
    _children: list[Embedded] = factory(list)

    @property
    def parsed(self) -> bool:
        return not self.problems

    def all_blocks(self):
        for block in self.blocks:
            yield from block.walk()

    def settings(self, name: str):
        """(block or None, attribute) for every attribute called `name`, parsed or found line by line,
        and for each value written here that a setting `name` elsewhere in the module reads."""
        # A local module's input whose settings are known is judged by them, not by the input's name.
        spans = {(a.start, a.end) for _, a in self.resolved}
        for block in self.all_blocks():
            attribute = block.attributes.get(name)
            if attribute is not None and (attribute.start, attribute.end) not in spans:
                yield block, attribute
        for attribute in self.loose_attributes:
            if attribute.name == name:
                yield None, attribute
        yield from ((block, a) for block, a in self.resolved if a.name == name)

    def children(self) -> list[Embedded]:
        return self._children


class TerraformFrontend(Frontend):
    language = "terraform"
    embeds = ("shell", "python")

    @classmethod
    def from_config(cls, config) -> TerraformFrontend:
        return cls()  # production names arrive with each source's context

    def parse(self, source: Source, wanted=None) -> TerraformDocument:
        text = source.text
        index = LineIndex(text)
        reader = reader_of(source.context)
        # Through the reader: a file the module's other files already read for their evidence is not parsed again.
        tree, problem = reader.parsed("hcl", reader.host, text, _parse) if reader.host else _parse(text)
        if tree is None:
            attributes, comments = _line_scan(text)
            start = problem[0] if problem else 0
            message = (
                f"The file could not be parsed as HCL ({problem[1] if problem else 'syntax error'}); "
                "its attributes were checked line by line."
            )
            return TerraformDocument(
                source=source,
                index=index,
                blocks=[],
                comments=comments,
                problems=[Problem(start, start + 1, message)],
                loose_attributes=attributes,
            )
        blocks = [_block(node, text, None) for node in _body_items(tree, "block")]
        document = TerraformDocument(source=source, index=index, blocks=blocks, comments=_comments(tree))
        names = source.context.names
        document.production_sites = production_evidence(blocks, names)
        document.production = tuple(e for _, e in document.production_sites) + self._sibling_evidence(
            source, names, document.problems
        )
        document.resolved, document.reads = self._resolved(source, text, blocks)
        context = source.context.with_production(*document.production)
        document._children = [
            child for block in document.all_blocks() for child in _embedded(block, text, source, context)
        ]
        return document

    def _resolved(self, source: Source, text: str, blocks: list[Block]):
        from blastguard.frontends.terraform.module_values import in_module_file

        reader = reader_of(source.context)
        host = reader.host
        if host is not None and reader.exists(host):
            return in_module_file(host, text, blocks, reader, True)
        return in_module_file(source.path, text, blocks, None, False)  # stdin, a command: this text alone

    def _sibling_evidence(self, source: Source, names: Production, problems: list) -> tuple[str, ...]:
        """Backend and provider settings usually live in another file of the same module: the files of
        the checked file's folder, as the check's reader sees them (staged, patched or proposed content
        included). Each is parsed once per scan, however many files of the module refer to it."""
        reader = reader_of(source.context)
        folder = reader.folder
        if reader.host is None or folder is None or not reader.exists(reader.host):
            return ()
        from blastguard.frontends.terraform.module_values import read_module_file

        # stdin, a command, or a file that is not (and will not be) on disk: no module around it
        evidence: list[str] = []
        for path in reader.names(folder):
            name = os.path.basename(path)
            if not name.endswith((".tf", ".tofu")) or path == reader.host:
                continue
            try:
                text = reader.read(path)
            except SkipFile as skip:
                if reader.exists(path):  # not one that is gone, or a link to nothing
                    problems.append(
                        Problem(
                            0,
                            0,
                            f"{name}, another file of this module, was not read ({skip}); "
                            "production settings in it were not seen.",
                        )
                    )
                continue
            module_file = read_module_file(reader, path, text)  # its blocks, built once per scan
            if module_file is not None:
                evidence += [f"{item} (in {name})" for _, item in production_evidence(module_file.blocks, names)]
        return tuple(evidence)


# --- parsing --------------------------------------------------------------------------------------

_HEREDOC_END_WITH_TRAILING_SPACE = re.compile(r"^([ \t]*)([A-Za-z_][\w-]*)([ \t]+)$", re.MULTILINE)


def _parse(text: str) -> tuple[Tree | None, tuple[int, str] | None]:
    """The Lark tree, or (None, (offset, reason)). Repairs keep every character in place."""
    problem = None
    for candidate in (text, _repaired(text)):
        try:
            return hcl2.parses_to_tree(candidate), None
        except Exception as exc:  # python-hcl2 raises Lark errors and assorted others on bad input
            problem = problem or (getattr(exc, "pos_in_stream", None) or 0, _describe(exc))
    return None, problem


def _repaired(text: str) -> str:
    """Work around python-hcl2 limits without moving any character's offset.

    A heredoc end marker with trailing spaces gets them moved in front of it, and non-ASCII
    letters (which HCL allows in identifiers) become `x`.
    """
    text = _HEREDOC_END_WITH_TRAILING_SPACE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), text)
    return re.sub(r"[^\x00-\x7f]", "x", text)


def _describe(exc: Exception) -> str:
    first = str(exc).strip().splitlines()
    return first[0][:160] if first else type(exc).__name__


def _body_items(node: Tree, kind: str) -> list[Tree]:
    body = next((c for c in node.children if isinstance(c, Tree) and c.data == "body"), None)
    return [c for c in body.children if isinstance(c, Tree) and c.data == kind] if body else []


def _block(node: Tree, text: str, parent: Block | None) -> Block:
    parts = [c for c in node.children if isinstance(c, Tree) and c.data in ("identifier", "string")]
    block_type = _token_text(parts[0])
    labels = [_string_value(p, text) if p.data == "string" else _token_text(p) for p in parts[1:]]
    head_end = parts[-1].meta.end_pos
    block = Block(
        block_type, [str(label) for label in labels], node.meta.start_pos, node.meta.end_pos, head_end, parent=parent
    )
    for item in _body_items(node, "attribute"):
        attribute = _attribute(item, text)
        block.attributes[attribute.name] = attribute
    block.blocks = [_block(child, text, block) for child in _body_items(node, "block")]
    return block


def _attribute(node: Tree, text: str) -> Attribute:
    name = _token_text(node.children[0])
    expr = node.children[-1]
    return Attribute(
        name, node.meta.start_pos, node.meta.end_pos, _value(expr, text), expr.meta.start_pos, expr.meta.end_pos, expr
    )


def _token_text(node: Tree) -> str:
    return "".join(str(t) for t in node.scan_values(lambda v: isinstance(v, Token)))


def _value(node: Tree, text: str) -> object:
    """The literal value of an expression node, or Expr(source text)."""
    raw = text[node.meta.start_pos : node.meta.end_pos]
    inner = node.children[0] if node.data == "expr_term" and len(node.children) == 1 else node
    if not isinstance(inner, Tree):
        return Expr(raw)
    if inner.data == "literal_value":
        return {"true": True, "false": False, "null": None}.get(raw.strip(), Expr(raw))
    if inner.data in ("int_lit", "float_lit"):
        try:
            return int(raw) if inner.data == "int_lit" else float(raw)
        except ValueError:
            return Expr(raw)
    if inner.data == "string":
        value = _string_value(inner, text)
        return value if isinstance(value, str) else Expr(raw)
    if inner.data in ("heredoc_template", "heredoc_template_trim"):
        body, _ = heredoc_body(raw, inner.data == "heredoc_template_trim", inner.meta.start_pos)
        return body if "${" not in body else Expr(raw)
    if inner.data == "tuple":
        items = [_value(c, text) for c in inner.children if isinstance(c, Tree)]
        return items if not any(isinstance(i, Expr) for i in items) else Expr(raw)
    return Expr(raw)


def _string_value(node: Tree, text: str) -> str | Expr:
    """A quoted string without interpolation, unescaped; Expr when it interpolates."""
    parts = [c for c in node.children if isinstance(c, Tree) and c.data == "string_part"]
    if any(isinstance(c, Tree) for p in parts for c in p.children):
        return Expr(text[node.meta.start_pos : node.meta.end_pos])
    raw = text[node.meta.start_pos + 1 : node.meta.end_pos - 1]
    return unescape(raw, node.meta.start_pos + 1)[0]


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def unescape(raw: str, start: int) -> tuple[str, list[int]]:
    """HCL string escapes resolved, with the host offset of each resulting character (plus the end)."""
    chars: list[str] = []
    offsets: list[int] = []
    i = 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw):
            code = raw[i + 1]
            if code == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", raw[i + 2 : i + 6]):
                chars.append(chr(int(raw[i + 2 : i + 6], 16)))
                offsets.append(start + i)
                i += 6
                continue
            chars.append(_ESCAPES.get(code, code))
            offsets.append(start + i)
            i += 2
        elif raw.startswith(("$${", "%%{"), i):  # escaped template markers stand for themselves
            chars.append(raw[i])
            offsets.append(start + i)
            i += 2
        else:
            chars.append(raw[i])
            offsets.append(start + i)
            i += 1
    offsets.append(start + len(raw))
    return "".join(chars), offsets


def heredoc_body(raw: str, trim: bool, start: int) -> tuple[str, list[int]]:
    """The text of `<<EOT … EOT` (`<<-` strips the common indentation), with host offsets."""
    first_newline = raw.index("\n") + 1
    lines = raw[first_newline:].split("\n")
    # The last non-empty line is the end marker; everything before it is the body.
    while lines and not lines[-1].strip():
        lines.pop()
    body_lines = lines[:-1]
    indent = 0
    if trim:
        widths = [len(line) - len(line.lstrip(" \t")) for line in body_lines if line.strip()]
        indent = min(widths, default=0)
    chars: list[str] = []
    offsets: list[int] = []
    position = start + first_newline
    for line in body_lines:
        cut = min(indent, len(line) - len(line.lstrip(" \t")))
        for k, ch in enumerate(line[cut:] + "\n"):
            chars.append(ch)
            offsets.append(position + cut + k)
        position += len(line) + 1
    offsets.append(position)
    return "".join(chars), offsets


def _comments(tree: Tree) -> list[Comment]:
    comments = []
    for token in tree.scan_values(lambda v: isinstance(v, Token) and v.type == "NL_OR_COMMENT"):
        for match in re.finditer(r"#[^\n]*|//[^\n]*|/\*.*?\*/", str(token), re.DOTALL):
            comments.append(
                Comment(token.start_pos + match.start(), token.start_pos + match.end(), _comment_body(match.group(0)))
            )
    return comments


# --- the line-level fallback ----------------------------------------------------------------------

_LINE_ATTRIBUTE = re.compile(
    r'^[ \t]*([A-Za-z_][\w-]*)[ \t]*=[ \t]*(true|false|-?\d+|"[^"\n]*")[ \t]*(?:#.*|//.*)?$', re.MULTILINE
)


_HIDDEN = re.compile(r"/\*.*?\*/|#[^\n]*|//[^\n]*|<<-?([A-Za-z_]\w*)\n.*?^[ \t]*\1[ \t]*$", re.DOTALL | re.MULTILINE)


def _line_scan(text: str) -> tuple[list[Attribute], list[Comment]]:
    """`name = literal` lines outside comments and heredocs, for a file that did not parse."""
    hidden = [(m.start(), m.end(), m.group(0)) for m in _HIDDEN.finditer(text)]
    comments = [Comment(a, b, _comment_body(raw)) for a, b, raw in hidden if not raw.startswith("<<")]
    attributes = []
    for match in _LINE_ATTRIBUTE.finditer(text):
        if any(a <= match.start(1) < b for a, b, _ in hidden):
            continue
        literal = match.group(2)
        value: object = {"true": True, "false": False}.get(literal)
        if value is None:
            value = literal[1:-1] if literal.startswith('"') else int(literal)
        attributes.append(Attribute(match.group(1), match.start(1), match.end(2), value, match.start(2), match.end(2)))
    return attributes, comments


def _comment_body(raw: str) -> str:
    return raw[2:-2] if raw.startswith("/*") else raw[2:] if raw.startswith("//") else raw[1:]


# --- production evidence --------------------------------------------------------------------------

_BACKEND_KEYS = (
    "bucket",
    "key",
    "prefix",
    "workspace_key_prefix",
    "organization",
    "resource_group_name",
    "storage_account_name",
    "container_name",
    "path",
    "address",
)
_PROVIDER_KEYS = ("profile", "project", "subscription_id", "role_arn")


def production_evidence(blocks: list[Block], names: Production) -> list[tuple[Attribute, str]]:
    """Settings that name a production target, with a description of each: backend, Terraform Cloud
    workspaces, provider identity, variable defaults. Descriptions and tags are not evidence."""
    found: list[tuple[Attribute, str]] = []

    def check(block: Block, keys, where: str) -> None:
        for key in keys:
            attribute = block.attributes.get(key)
            if attribute and isinstance(attribute.value, str) and names.matches(attribute.value):
                found.append((attribute, f'{where} {key} = "{attribute.value}"'))

    for block in blocks:
        if block.type == "terraform":
            for backend in block.nested("backend") + block.nested("cloud"):
                check(backend, _BACKEND_KEYS, f"backend {backend.labels[0] if backend.labels else 'cloud'}")
                for workspaces in backend.nested("workspaces"):
                    check(workspaces, ("name", "prefix"), "workspace")
        elif block.type == "provider":
            label = block.labels[0] if block.labels else "provider"
            check(block, _PROVIDER_KEYS, f"provider {label}")
            for role in block.nested("assume_role"):
                check(role, ("role_arn",), f"provider {label} assume_role")
        elif block.type == "variable" and block.labels:
            check(block, ("default",), f"variable {block.labels[0]}")
    return found


# --- embedded shell -------------------------------------------------------------------------------


def _interpreted_language(interpreter) -> str | None:
    """What a local-exec `interpreter` makes of its command: a shell runs it as a script, Python with
    `-c` as code (without `-c` the command is a file name)."""
    if not isinstance(interpreter, list) or not interpreter:
        return None
    program = os.path.basename(str(interpreter[0]))
    if program in SHELLS:
        return "shell"
    return "python" if PYTHON_INTERPRETER.fullmatch(program) and "-c" in interpreter[1:] else None


def _embedded(block: Block, text: str, source: Source, context: Context) -> list[Embedded]:
    """Shell (and Python) that Terraform runs: provisioner commands and external data programs."""

    def shell(attribute: Attribute, code: str, offsets: list[int], anchor=None, language: str = "shell") -> Embedded:
        return Embedded(Source(source.path, code, language, context), offsets, anchor)

    found = []
    if block.type == "provisioner" and block.labels[:1] == ["local-exec"] and "command" in block.attributes:
        interpreter = block.attributes.get("interpreter")
        language = "shell" if interpreter is None else _interpreted_language(interpreter.value)
        code = _code(block.attributes["command"], text)
        if language and code:
            found.append(shell(block.attributes["command"], *code, language=language))
    elif block.type == "provisioner" and block.labels[:1] == ["remote-exec"] and "inline" in block.attributes:
        found += [shell(block.attributes["inline"], *c) for c in _tuple_codes(block.attributes["inline"], text)]
    elif block.type == "data" and block.labels[:1] == ["external"] and "program" in block.attributes:
        program = block.attributes["program"]
        if isinstance(program.value, list) and all(isinstance(v, str) for v in program.value):
            argv = program.value
            codes = _tuple_codes(program, text)
            if os.path.basename(argv[0]) in SHELLS and "-c" in argv[:-1] and len(codes) == len(argv):
                found.append(shell(program, *codes[argv.index("-c") + 1]))
            else:  # the program itself is the command: rebuild it and point at the whole list
                found.append(shell(program, shlex.join(argv), [], anchor=(program.value_start, program.value_end)))
    return found


def _code(attribute: Attribute, text: str) -> tuple[str, list[int]] | None:
    """The literal text of a string or heredoc value, with host offsets."""
    node = attribute.node
    inner = node.children[0] if node is not None and node.data == "expr_term" and node.children else node
    if not isinstance(inner, Tree):
        return None
    if inner.data == "string":
        return unescape(text[inner.meta.start_pos + 1 : inner.meta.end_pos - 1], inner.meta.start_pos + 1)
    if inner.data in ("heredoc_template", "heredoc_template_trim"):
        raw = text[inner.meta.start_pos : inner.meta.end_pos]
        return heredoc_body(raw, inner.data == "heredoc_template_trim", inner.meta.start_pos)
    return None


def _tuple_codes(attribute: Attribute, text: str) -> list[tuple[str, list[int]]]:
    node = attribute.node
    inner = node.children[0] if node is not None and node.data == "expr_term" and node.children else node
    if not isinstance(inner, Tree) or inner.data != "tuple":
        return []
    codes = []
    for item in (c for c in inner.children if isinstance(c, Tree)):
        code = _code(Attribute("", 0, 0, None, 0, 0, item), text)
        if code:
            codes.append(code)
    return codes
