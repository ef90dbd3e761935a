"""Shell syntax: a tree-sitter-bash tree turned into the steps a script takes, in the order it takes them.

A Layer is one text that tree-sitter reads: the document itself, or a string the script hands to
another shell (`bash -c '…'`, `eval`, a heredoc fed to `sh`), with the document offset of each of its
characters, so everything found in it maps back to the document exactly.

The steps are commands (with the pipe, heredoc, here-string and `<` file that feed them) and variable
bindings. Commands inside `$(…)` come before the command whose words hold them, because they run first.
Words stay tree-sitter nodes here: their values depend on the variables bound by earlier steps.
"""

from __future__ import annotations

import os
import re
import sys

from blastguard.frontends import Comment
from blastguard.records import Record, factory, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: the real module is loaded by _binding below
    from tree_sitter import Node, Parser


def _binding(package: str):
    """The compiled module `package._binding`, loaded without running `package/__init__.py`.

    An agent hook checks a shell command before every tool call, and these packages' `__init__`
    import more than the parser needs (tree-sitter-bash imports importlib.resources for highlight
    queries, tree-sitter imports typing): about 14 ms of a 60 ms budget. When the layout is not the
    expected one, the package is imported as usual.
    """
    name = f"{package}._binding"
    if name in sys.modules:
        return sys.modules[name]
    try:
        from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, ModuleSpec, PathFinder

        spec = PathFinder.find_spec(package)
        for folder in (spec.submodule_search_locations if spec is not None else None) or ():
            for suffix in EXTENSION_SUFFIXES:
                path = os.path.join(folder, "_binding" + suffix)
                if os.path.exists(path):
                    loader = ExtensionFileLoader(name, path)
                    module = loader.create_module(ModuleSpec(name, loader, origin=path))
                    loader.exec_module(module)
                    sys.modules[name] = module
                    return module
    except (ImportError, AttributeError, OSError):
        pass
    import importlib

    return importlib.import_module(name)


_tree_sitter = _binding("tree_sitter")
_LANGUAGE = _tree_sitter.Language(_binding("tree_sitter_bash").language())
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Deeper nesting than this is not a real script; stop before Python's recursion limit.
_MAX_NESTING = 150
# Constructs whose parts may not run, or run in a subshell whose assignments do not last.
_MAY_NOT_RUN = frozenset({"if_statement", "case_statement", "subshell"})
_FOR_WITHOUT_IN = re.compile(r"(?m)((?:^|[;&|({])[ \t]*for[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*?)\s(\s*)(?=do\b)")


def new_parser():
    return _tree_sitter.Parser(_LANGUAGE)


class Layer:
    """A text tree-sitter reads, and where each of its characters sits in the document."""

    def __init__(self, text: str, offsets: list[int] | None = None, depth: int = 0) -> None:
        self.text = text
        # tree-sitter-bash's scanner looks code points up in C's byte-sized ctype tables: one beyond
        # the Basic Multilingual Plane reads far past them and can crash the process. The shell reads
        # any such character as a plain word character, and so does tree-sitter reading a Latin-1
        # symbol in its place: one character for one keeps every character index.
        readable = _ASTRAL.sub("\u00a4", text)
        # POSIX `for name do` (the positional parameters, no `in`) is valid shell that tree-sitter-bash
        # cannot read; `for name;do` means the same and is one character for one.
        readable = _FOR_WITHOUT_IN.sub(r"\1;\2", readable)
        self.data = readable.encode("utf-8", "surrogatepass")
        self.offsets = offsets  # document offset of each character, plus one for the end; None: the document
        self.depth = depth  # 0 for the document, +1 per shell string inside it
        # tree-sitter counts UTF-8 bytes; only non-ASCII text needs a byte-to-character table.
        self._chars: list[int] | None = None
        if len(self.data) != len(text):
            self._chars = []
            for index, char in enumerate(readable):
                self._chars.extend([index] * len(char.encode("utf-8", "surrogatepass")))
            self._chars.append(len(text))

    def char(self, byte: int) -> int:
        """The layer's character index at a tree-sitter byte offset."""
        return self._chars[byte] if self._chars is not None else byte

    def doc(self, index: int) -> int:
        """The document offset of the layer's character `index`."""
        return self.offsets[index] if self.offsets is not None else index

    def doc_end(self, index: int) -> int:
        """The document offset just past the layer's character `index - 1`: where a span ending there ends."""
        if self.offsets is None or index == 0:
            return self.doc(index)
        return self.offsets[index - 1] + 1

    def span(self, node: Node) -> tuple[int, int]:
        """The node's span in document offsets."""
        return self.doc(self.char(node.start_byte)), self.doc_end(self.char(node.end_byte))

    def source(self, node: Node) -> str:
        return self.text[self.char(node.start_byte) : self.char(node.end_byte)]


@record(identity=True)
class RawCommand(Record):
    """A simple command as written: leading assignments, name and arguments, and what feeds its input."""

    layer: Layer
    assignments: list[Node]  # `VAR=value` before the name
    words: list[Node]  # the name, then the arguments
    upstream: RawCommand | None = None  # the command piped into this one
    heredoc: Node | None = None  # heredoc_body
    heredoc_strips_tabs: bool = False  # `<<-`
    heredoc_expands: bool = True  # an unquoted delimiter: `$x` and `\$` in the body are shell syntax
    herestring: Node | None = None  # the word after `<<<`
    input_file: Node | None = None  # the word after `<`
    output_files: list[Node] = factory(list)  # the words after `>`, `>>`, `&>`, `>|`: files the command writes
    conditional: bool = False  # where it may not run (see Binding): what `read` sets may not be set


@record(frozen=True, identity=True)
class Binding(Record):
    """A shell variable set (`X=1`, `export X=1`), set to something unknown here (`for x in …`,
    `local x`), or only marked for export (`export X`)."""

    layer: Layer
    name: str
    value: Node | str | None  # the value assigned: a node to read, "" for `X=`, None when not known
    exported: bool = False
    assigns: bool = True  # False for `export X`: the variable keeps its value
    # Made where it may not run, or not in this shell (`if`/`case` branches, after `&&`/`||`, loop bodies,
    # subshells, pipelines): afterwards the variable may still hold what it held before.
    conditional: bool = False


@record(frozen=True, identity=True)
class Function(Record):
    """`f() { …; }`: a function defined here; its body runs wherever `f` is called."""

    layer: Layer
    name: str
    body: Script


@record(frozen=True, identity=True)
class Loop(Record):
    """`for`/`select` over a list of words, or `while`/`until` (whose `read` takes lines of what feeds the loop)."""

    layer: Layer
    span: tuple[int, int]  # the whole loop, in document offsets
    variable: str | None  # `for VAR in …`; None for `while`/`until`
    values: list[Node] | None  # the words after `in`; None for `for VAR;` (the positional parameters)
    condition: Script  # `while`'s condition, where a `read` takes the loop's input
    body: Script
    feed: RawCommand  # a stand-in command without words: the pipe, heredoc, here-string or file feeding the loop


@record
class Script(Record):
    steps: list[RawCommand | Binding | Function | Loop] = factory(list)
    comments: list[Comment] = factory(list)  # of the document layer only
    problems: list[tuple[int, int, str]] = factory(list)
    # (layer, start byte) of each `$(…)`, `<(…)` and backtick -> the command whose output it is
    produced: dict[tuple[Layer, int], RawCommand] = factory(dict)


def parse(parser: Parser, layer: Layer, recovers: bool = True) -> Script:
    """The steps of `layer`'s text. With `recovers`, a region tree-sitter could not parse is read
    again line by line, so one broken line does not hide the commands after it."""
    walker = _Walker(parser, layer, recovers)
    tree = parser.parse(layer.data)  # held until the walk is done: its nodes point into it
    walker.visit(tree.root_node, None, 0)
    del tree
    script = walker.script
    script.comments = sorted({c.start: c for c in script.comments}.values(), key=lambda c: c.start)
    return script


def _first_error(node: Node) -> Node:
    """The first ERROR or missing node inside `node` (itself when there is none): where parsing failed."""
    while True:  # a loop, not recursion: errors can nest thousands deep
        child = next((c for c in node.children if c.type == "ERROR" or c.is_missing), None)
        if child is None:
            return node
        node = child


_DOUBLE_PARENTHESIS = re.compile(r"(?:^|(?<=[\s;&|(]))\(\(")  # `((` where a command starts
# A `[ … ]` test (continued lines included) that groups with `\(` … `\)`, which tree-sitter cannot read.
_GROUPED_TEST = re.compile(r"(?:^|(?<=[\s;&|!(]))\[[ \t](?:[^\]\n]|\\\n)*?\\\((?:[^\]\n]|\\\n)*?[ \t]\](?=\s|[;&|)]|$)")
_SUBSTITUTIONS = frozenset({"command_substitution", "process_substitution"})
_DECLARATIONS = frozenset({"export", "declare", "typeset", "local", "readonly"})
_WRITES = frozenset({">", ">>", "&>", "&>>", ">|", ">&"})  # redirections that open a file for writing


def _writes(redirect: Node) -> bool:
    return redirect.type == "file_redirect" and any(c.type in _WRITES for c in redirect.children)


class _MayNotRun:
    """`with`: the walker is inside a construct that may not run (no `contextlib`: a hook starts fast)."""

    def __init__(self, walker: _Walker) -> None:
        self.walker = walker

    def __enter__(self) -> None:
        self.walker.conditional += 1

    def __exit__(self, *exc) -> None:
        self.walker.conditional -= 1


class _Walker:
    def __init__(self, parser: Parser, layer: Layer, recovers: bool) -> None:
        self.parser = parser
        self.layer = layer
        self.recovers = recovers
        self.script = Script()
        self.conditional = 0  # how many constructs that may not run (or run in a subshell) the walk is inside

    def visit(self, node: Node, upstream: RawCommand | None, depth: int) -> RawCommand | None:
        """Record the steps under `node`; return the simple command whose output leaves it, if one does."""
        if depth > _MAX_NESTING:
            self._problem(node, "The script nests too deeply to be checked past this point.")
            return None
        kind = node.type
        if node.is_missing:
            self._problem(node, f"The script is incomplete here: `{kind}` is missing. The rest was still checked.")
            return None
        if kind == "command":
            return self._command(node, upstream, depth)
        if kind == "redirected_statement":
            return self._redirected(node, upstream, depth)
        if kind == "pipeline":
            with self._maybe_not_here():  # each part of a pipeline runs in a subshell
                for child in node.named_children:
                    upstream = self.visit(child, upstream, depth + 1)
            return upstream
        if kind in ("list", "negated_command"):
            # `a | b && c`: only the first element continues a pipe that reached the list; a redirect
            # tree-sitter hangs on the list (`a && b <<EOF`) belongs to its last command.
            last = None
            for number, child in enumerate(node.named_children):
                if number == 0:
                    last = self.visit(child, upstream, depth + 1)
                else:
                    with self._maybe_not_here():  # after `&&` / `||`: runs only when the first did or did not fail
                        last = self.visit(child, upstream, depth + 1)
                upstream = None
            return last
        if kind in _MAY_NOT_RUN:
            with self._maybe_not_here():
                self._children(node, depth)
            return None
        if kind == "comment":
            if self.layer.depth == 0:
                start, end = self.layer.span(node)
                self.script.comments.append(Comment(start, end, self.layer.source(node)[1:]))
            return None
        if kind == "ERROR":
            self._error(node, depth)
            return None
        if kind == "variable_assignment":
            self._assignment(node, depth, exported=False)
            return None
        if kind == "declaration_command":
            self._declaration(node, depth)
            return None
        if kind == "unset_command":
            for child in node.named_children:
                self.script.steps.append(
                    Binding(self.layer, self.layer.source(child), None, conditional=self.conditional > 0)
                )
            return None
        if kind == "for_statement":
            return self._for(node, depth)
        if kind == "while_statement":
            return self._while(node, upstream, depth)
        if kind == "function_definition":
            self._function(node, depth)
            return None
        self._children(node, depth)
        return None

    def _maybe_not_here(self) -> _MayNotRun:
        """Inside it, what is walked may not run, or runs in a subshell: assignments there are conditional."""
        return _MayNotRun(self)

    def _collect(self, nodes: list[Node], depth: int) -> Script:
        """The steps of `nodes`, apart from the script's own (a loop's or a function's body)."""
        outer, self.script.steps = self.script.steps, []
        try:
            for node in nodes:
                if node.type in ("compound_statement", "do_group", "subshell"):
                    self._children(node, depth + 1)
                else:
                    self.visit(node, None, depth + 1)
            body = Script()
            body.steps = self.script.steps
        finally:
            self.script.steps = outer
        return body

    def _for(self, node: Node, depth: int) -> RawCommand:
        variable = node.child_by_field_name("variable")
        values = node.children_by_field_name("value")
        for value in values:
            self._substitutions(value, depth + 1)  # the list is expanded before the loop runs
        has_list = any(c.type == "in" for c in node.children)
        with self._maybe_not_here():  # a loop may run its body no time at all
            body = self._collect(node.children_by_field_name("body"), depth)
        name = self.layer.source(variable) if variable is not None else None
        feed = RawCommand(self.layer, [], [])
        self.script.steps.append(
            Loop(self.layer, self.layer.span(node), name, values if has_list else None, Script(), body, feed)
        )
        return feed

    def _while(self, node: Node, upstream: RawCommand | None, depth: int) -> RawCommand:
        condition = self._collect(node.children_by_field_name("condition"), depth)
        with self._maybe_not_here():
            body = self._collect(node.children_by_field_name("body"), depth)
        feed = RawCommand(self.layer, [], [], upstream)  # `_redirected` adds a heredoc, here-string or file
        self.script.steps.append(Loop(self.layer, self.layer.span(node), None, None, condition, body, feed))
        return feed

    def _function(self, node: Node, depth: int) -> None:
        name = node.child_by_field_name("name")
        body = self._collect(node.children_by_field_name("body"), depth)
        if name is not None:
            self.script.steps.append(Function(self.layer, self.layer.source(name), body))
        else:
            self.script.steps += body.steps

    def _children(self, node: Node, depth: int, report_errors: bool = True) -> None:
        if depth > _MAX_NESTING:
            self._problem(node, "The script nests too deeply to be checked past this point.")
            return
        if report_errors and node.has_error:  # a missing keyword (`done`, `fi`) is not a named child
            for child in node.children:
                if child.is_missing and not child.is_named:
                    self.visit(child, None, depth + 1)
        for child in node.named_children:
            if report_errors or child.type != "ERROR":
                self.visit(child, None, depth + 1)
            else:
                self._children(child, depth + 1, report_errors=False)

    def _error(self, node: Node, depth: int) -> None:
        """One problem per unparsable region, pointing at the first line tree-sitter gave up on; then
        whatever commands can still be read in it."""
        if self._grouped_tests(node):
            return
        self._subshells(node)
        self._brace_commands(node)
        culprit = _first_error(node)
        line = self.layer.source(culprit).split("\n", 1)[0]
        snippet = " ".join(line.split())
        snippet = snippet if len(snippet) <= 40 else snippet[:39] + "…"
        start = self.layer.char(culprit.start_byte)
        message = f"This part of the script could not be parsed (`{snippet}`); the rest was still checked."
        self.script.problems.append((self.layer.doc(start), self.layer.doc_end(start + max(len(line), 1)), message))
        self._children(node, depth, report_errors=False)
        if self.recovers and "\n" in self.layer.source(node).strip():
            self._lines(node)

    def _subshells(self, node: Node) -> None:
        """`((rm -rf ~))` is not arithmetic: dash and other POSIX shells run it as a subshell in a subshell.
        The region is read again with the outer parentheses blanked (same length, so offsets hold)."""
        text = self.layer.source(node)
        chars = list(text)
        for match in _DOUBLE_PARENTHESIS.finditer(text):
            chars[match.start()] = " "
            closing = text.find("))", match.end())
            if closing >= 0:
                chars[closing + 1] = " "
        if chars == list(text):
            return
        start = self.layer.char(node.start_byte)
        offsets = [self.layer.doc(start + i) for i in range(len(text))]
        offsets.append(self.layer.doc_end(start + len(text)))
        script = parse(self.parser, Layer("".join(chars), offsets, self.layer.depth), recovers=False)
        self.script.steps += script.steps
        self.script.produced.update(script.produced)

    def _grouped_tests(self, node: Node) -> bool:
        """`[ "$a" = 1 -o \\( "$b" = 2 -a "$c" \\) ]` is a test whose arguments group with escaped
        parentheses; tree-sitter gives up on the whole region around it. The region is read again with
        those parentheses blanked (same length, so offsets hold; they are only a test's arguments). True
        when that reading is whole: then it stands for the region, with no problem to report."""
        text = self.layer.source(node)
        chars = list(text)
        for match in _GROUPED_TEST.finditer(text):
            for at in range(match.start(), match.end() - 1):
                if text[at] == "\\" and text[at + 1] in "()":
                    chars[at] = chars[at + 1] = " "
        if chars == list(text):
            return False
        start = self.layer.char(node.start_byte)
        offsets = [self.layer.doc(start + i) for i in range(len(text))]
        offsets.append(self.layer.doc_end(start + len(text)))
        script = parse(self.parser, Layer("".join(chars), offsets, self.layer.depth), recovers=False)
        if script.problems:
            return False
        self.script.steps += script.steps
        self.script.comments += script.comments
        self.script.produced.update(script.produced)
        return True

    def _brace_commands(self, node: Node) -> None:
        """`{rm,-rf,/}` is a brace expansion at a command's place: bash runs `rm -rf /`. tree-sitter reads
        the `{` as a block that never closes; the word is read again as a command's argument (after an
        empty name that is dropped), where brace expansion applies."""
        children = node.children
        for brace, following in zip(children, children[1:]):
            if brace.type != "{" or brace.is_named or following.start_byte != brace.end_byte:
                continue
            command = following
            while command.type not in ("command", "command_name") and command.named_children:
                command = command.named_children[0]
            if command.type not in ("command", "command_name"):
                continue
            start, end = self.layer.char(brace.start_byte), self.layer.char(command.end_byte)
            offsets = [self.layer.doc(start)] * 3 + [self.layer.doc(start + i) for i in range(end - start)]
            offsets.append(self.layer.doc_end(end))
            script = parse(
                self.parser, Layer("'' " + self.layer.text[start:end], offsets, self.layer.depth), recovers=False
            )
            first = next((s for s in script.steps if isinstance(s, RawCommand)), None)
            if first is not None and len(first.words) > 1:
                first.words = first.words[1:]
                self.script.steps += script.steps
                self.script.produced.update(script.produced)

    def _lines(self, node: Node) -> None:
        """Parse each line of an unparsable region on its own; duplicates of commands already found
        are dropped later, by their position."""
        start = self.layer.char(node.start_byte)
        for line in self.layer.source(node).split("\n"):
            if line.strip():
                offsets = [self.layer.doc(start + i) for i in range(len(line))]
                offsets.append(self.layer.doc_end(start + len(line)))
                script = parse(self.parser, Layer(line, offsets, self.layer.depth), recovers=False)
                self.script.steps += script.steps
                self.script.comments += script.comments
                self.script.produced.update(script.produced)
            start += len(line) + 1

    def _problem(self, node: Node, message: str) -> None:
        start, end = self.layer.span(node)
        self.script.problems.append((start, max(end, start + 1), message))

    def _substitutions(self, node: Node, depth: int) -> None:
        """Commands inside `$(…)`, `<(…)` and backticks anywhere in a word: they run before the word is used."""
        if depth > _MAX_NESTING:
            self._problem(node, "The script nests too deeply to be checked past this point.")
            return
        if node.type in _SUBSTITUTIONS:
            produced = None
            for child in node.named_children:
                produced = self.visit(child, None, depth + 1)
            if produced is not None:
                self.script.produced[(self.layer, node.start_byte)] = produced
            return
        for child in node.named_children:
            self._substitutions(child, depth + 1)

    def _command(self, node: Node, upstream: RawCommand | None, depth: int) -> RawCommand:
        raw = RawCommand(self.layer, [], [], upstream, conditional=self.conditional > 0)
        for index, child in enumerate(node.children):
            field_name = node.field_name_for_child(index)
            kind = child.type
            if kind == "variable_assignment":
                raw.assignments.append(child)
            elif kind == "command_name":
                raw.words.append(child.named_children[0] if child.named_children else child)
            elif field_name == "argument" and child.is_named:
                raw.words.append(child)
            elif kind in ("herestring_redirect", "file_redirect"):
                self._redirect(raw, child)
            elif kind == "comment":
                self.visit(child, None, depth + 1)
                continue
            self._substitutions(child, depth + 1)
        self.script.steps.append(raw)
        return raw

    def _redirect(self, raw: RawCommand | None, node: Node) -> None:
        if raw is None:
            return
        if node.type == "herestring_redirect":
            raw.herestring = node.named_children[-1] if node.named_children else None
        elif node.type == "file_redirect" and any(c.type == "<" for c in node.children):
            raw.input_file = node.child_by_field_name("destination")
        elif _writes(node):
            destination = node.child_by_field_name("destination")
            if destination is not None and destination.type != "number":  # `>&2` duplicates a descriptor
                raw.output_files.append(destination)

    def _redirected(self, node: Node, upstream: RawCommand | None, depth: int) -> RawCommand | None:
        body = node.child_by_field_name("body")
        # not only the `redirect` field: tree-sitter leaves a here-string after a loop without a field name
        redirects = [c for c in node.children if c.type.endswith("_redirect")]
        for redirect in redirects:  # `sh < <(…)`: what feeds the command runs before it
            if redirect.type != "heredoc_redirect":
                self._substitutions(redirect, depth + 1)
        raw = self.visit(body, upstream, depth + 1) if body is not None else None
        if raw is None and any(_writes(r) for r in redirects):
            # `{ …; } > f`, `for …; done > f`, a bare `> f`: a step with no words keeps the file written
            raw = RawCommand(self.layer, [], [])
            self.script.steps.append(raw)
        after = []  # what follows the heredoc operator on its line runs after the command
        for redirect in redirects:
            if redirect.type != "heredoc_redirect":
                self._redirect(raw, redirect)
                continue
            self._substitutions(redirect, depth + 1)
            for child in redirect.named_children:
                if child.type == "heredoc_body" and raw is not None:
                    raw.heredoc = child
                elif child.type == "heredoc_start" and raw is not None:
                    raw.heredoc_strips_tabs = any(c.type == "<<-" for c in redirect.children)
                    raw.heredoc_expands = not any(q in self.layer.source(child) for q in "'\"\\")
                elif child.type == "pipeline":  # `cat <<EOF | psql`: the pipe continues from the command
                    after.append((child, raw))
                elif child.type in ("file_redirect", "herestring_redirect"):
                    self._redirect(raw, child)
                elif child.type not in ("heredoc_start", "heredoc_end", "heredoc_body"):
                    after.append((child, None))  # `cat <<EOF && next`
        for child, feeding in after:
            self.visit(child, feeding, depth + 1)
        return raw

    def _assignment(self, node: Node, depth: int, exported: bool) -> None:
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if value is not None:
            self._substitutions(value, depth + 1)
        if name is None or name.type != "variable_name":
            return
        assigned: Node | str | None = value
        if any(c.type == "+=" for c in node.children) or (value is not None and value.type == "array"):
            assigned = None  # `X+=more`, `X=(a b)`: not a plain string known here
        elif value is None:
            assigned = ""  # `X=`
        self.script.steps.append(
            Binding(self.layer, self.layer.source(name), assigned, exported, conditional=self.conditional > 0)
        )

    def _declaration(self, node: Node, depth: int) -> None:
        keyword = node.children[0].type if node.children else ""
        if keyword not in _DECLARATIONS:
            return
        options = [self.layer.source(c) for c in node.named_children if c.type == "word"]
        exported = keyword == "export" or any(o.startswith("-") and "x" in o for o in options)
        for child in node.named_children:
            if child.type == "variable_assignment":
                self._assignment(child, depth, exported)
            elif child.type == "variable_name":
                name = self.layer.source(child)
                self.script.steps.append(
                    Binding(self.layer, name, None, exported, assigns=not exported, conditional=self.conditional > 0)
                )
            else:
                self._substitutions(child, depth + 1)
