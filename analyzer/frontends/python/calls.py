"""What the Python rules read: every call with its resolved name and scope, and the bindings that
constant folding follows.

One walk per parsed chunk collects imports (so `sp.run` reads as `subprocess.run`), the names each
scope binds (a name bound once, by a plain assignment, is a constant to fold; a parameter, a loop
variable or a second assignment is not), and the calls. Positions are not computed while walking:
`ParsedChunk.locate` finds the few nodes that are reported, by generating code for the chunk only
until they are passed.
"""

from __future__ import annotations

import dataclasses  # only to read libcst's node classes, which are dataclasses
import sys
from functools import cache

import libcst as cst
from libcst._nodes.internal import CodegenState

from blastguard.frontends.python.string_values import code_of
from blastguard.records import Record, factory, record

# Fields that hold only whitespace, punctuation or comments: never walked.
_SKIPPED_FIELDS = (
    "whitespace",
    "lpar",
    "rpar",
    "comma",
    "semicolon",
    "colon",
    "equal",
    "leading_lines",
    "trailing_whitespace",
    "header",
    "footer",
    "lines_after_decorators",
    "operator",
    "dot",
    "star",
    "newline",
    "lbracket",
    "rbracket",
    "lbrace",
    "rbrace",
    "asynchronous",
    "arrow",
)
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
# libcst generates code recursively, a few frames per nesting level (each string of an implicit
# concatenation is one level); this is enough for a few thousand, within the main thread's stack.
_CODEGEN_RECURSION_LIMIT = 30_000


@cache
def _child_fields(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind) if not f.name.startswith(_SKIPPED_FIELDS))


class _Locator(CodegenState):
    """Generates code only to count characters, recording where every node starts and ends."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.length = 0
        self.found: dict[int, tuple[int, int]] = {}
        self.open: list[int] = []

    def add_token(self, value: str) -> None:
        self.length += len(value)

    def add_indent_tokens(self) -> None:
        self.length += sum(map(len, self.indent_tokens))

    def before_codegen(self, node) -> None:
        self.open.append(self.length)

    def after_codegen(self, node) -> None:
        self.found[id(node)] = (self.open.pop(), self.length)


@record(frozen=True, identity=True)
class ParsedChunk(Record):
    """One top-level statement (or the whole file) parsed, with its offset in the file."""

    start: int
    module: cst.Module
    # node id -> file offsets, every node's, found in one pass the first time one is asked for (a function
    # of thousands of calls would otherwise be generated again for each)
    _spans: dict[int, tuple[int, int]] = factory(dict)

    def locate(self, *nodes: cst.CSTNode) -> list[tuple[int, int]]:
        """File offsets of `nodes` (their parentheses included)."""
        if not self._spans:
            self._spans.update(self._locate_all())
        return [self._spans.get(id(n), (self.start, self.start)) for n in nodes]

    def _locate_all(self) -> dict[int, tuple[int, int]]:
        locator = _Locator(self.module)
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, _CODEGEN_RECURSION_LIMIT))  # codegen recurses once per nesting level
        try:
            self.module._codegen(locator)
        except RecursionError:
            pass  # nested too deeply: what was not reached points at the chunk
        finally:
            sys.setrecursionlimit(limit)
        return {key: (self.start + start, self.start + end) for key, (start, end) in locator.found.items()}

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        return self.locate(node)[0]


@record(frozen=True, identity=True)
class Scope(Record):
    kind: str  # "module" | "function" | "class"
    parent: Scope | None
    name: str = ""  # the function's or class's name
    # name -> the expressions assigned to it; None stands for a binding that is not a plain `=`.
    bindings: dict[str, list[tuple[cst.BaseExpression | None, ParsedChunk | None]]] = factory(dict)
    # name -> each `for name in …` (or comprehension) binding it: (the loop, what it iterates over, its chunk)
    loops: dict[str, list[tuple[cst.CSTNode, cst.BaseExpression, ParsedChunk]]] = factory(dict)

    def within(self, *names: str) -> bool:
        """Inside a function or class called one of `names` (at any depth)."""
        scope: Scope | None = self
        while scope is not None:
            if scope.name in names:
                return True
            scope = scope.parent
        return False

    def bind(self, name: str, value: cst.BaseExpression | None, chunk: ParsedChunk | None) -> None:
        self.bindings.setdefault(name, []).append((value, chunk))

    def outermost_function(self) -> Scope | None:
        """The outermost function this scope is in (a migration's `upgrade()`, what a `RunPython` step
        names); None at module or class level."""
        function = None
        scope: Scope | None = self
        while scope is not None:
            function = scope if scope.kind == "function" else function
            scope = scope.parent
        return function


@record(frozen=True, identity=True)
class Call(Record):
    node: cst.Call
    name: str  # dotted, imports resolved: "subprocess.run", "cursor.execute", "Cart.objects.all.delete"
    scope: Scope
    chunk: ParsedChunk

    @property
    def method(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def receiver(self) -> cst.BaseExpression | None:
        return self.node.func.value if isinstance(self.node.func, cst.Attribute) else None

    def argument(self, position: int | None, *keywords: str) -> cst.BaseExpression | None:
        """The argument at `position` (counting positional ones only) or given by one of `keywords`."""
        positional = [a for a in self.node.args if a.keyword is None and not a.star]
        if position is not None and position < len(positional):
            return positional[position].value
        for arg in self.node.args:
            if arg.keyword is not None and arg.keyword.value in keywords:
                return arg.value
        return None

    def keyword(self, name: str) -> cst.BaseExpression | None:
        return self.argument(None, name)

    def span(self, node: cst.CSTNode | None = None) -> tuple[int, int]:
        return self.chunk.span(node if node is not None else self.node)

    def code(self, limit: int = 80) -> str:
        """The call as written, on one line and shortened, for messages."""
        code = " ".join(code_of(self.node).split())
        return code if len(code) <= limit else code[: limit - 3] + "..."


class Model:
    """Imports, scopes and calls of the parsed chunks of one file."""

    def __init__(self) -> None:
        self.imports: dict[str, str] = {}  # local name -> what it imports ("sp" -> "subprocess")
        self.module_scope = Scope("module", None)
        self.calls: list[Call] = []
        # `os.environ[key] = value`: (key, value, scope, chunk), for production evidence
        self.environ_assignments: list[tuple] = []

    def add(self, chunk: ParsedChunk) -> None:
        for statement in chunk.module.body:
            self._walk(statement, self.module_scope, chunk)

    # --- names ----------------------------------------------------------------------------------

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        """`sp.run` -> "subprocess.run" after `import subprocess as sp`; calls in a chain read as their
        function's name (`Cart.objects.all().delete` -> "Cart.objects.all.delete")."""
        parts = []
        while True:
            if isinstance(node, cst.Attribute):
                parts.append(node.attr.value)
                node = node.value
            elif isinstance(node, cst.Call):
                node = node.func
            elif isinstance(node, cst.Name):
                parts.append(self.imports.get(node.value, node.value))
                return ".".join(reversed(parts))
            else:
                parts.append("?")
                return ".".join(reversed(parts))

    def binding(self, node: cst.Name | cst.Attribute, scope: Scope | None):
        """(expression, scope, chunk) of the one plain assignment `node` refers to, else None."""
        if isinstance(node, cst.Attribute):  # self.table / cls.table: a class attribute
            owner = scope
            while owner is not None and owner.kind != "class":
                owner = owner.parent
            return self._single(owner, node.attr.value) if owner is not None else None
        name = node.value
        while scope is not None:
            if scope.kind != "class" and name in scope.bindings:  # a method does not see its class's names
                return self._single(scope, name)
            scope = scope.parent
        return None

    def loop_iterable(self, node: cst.Name, call: Call):
        """(iterable, chunk) of the `for` loop whose variable `node` (used in `call`) is: the one loop that
        binds it, or the one of several around `call`; None when anything else binds the name too."""
        found = self.loop_of(node, call)
        return (found[1], found[2]) if found is not None else None

    def loop_of(self, node: cst.Name, call: Call):
        """(loop, iterable, chunk) as `loop_iterable` finds it; the loop is a `cst.For` or `cst.CompFor`."""
        name, scope = node.value, call.scope  # type: str, Scope | None
        while scope is not None:
            if scope.kind != "class" and name in scope.bindings:
                loops = scope.loops.get(name, [])
                if not loops or len(loops) != len(scope.bindings[name]):
                    return None
                if len(loops) > 1:  # several loops use the name: the one whose body holds the call
                    start, end = call.span()
                    loops = [
                        loop
                        for loop in loops
                        if loop[2] is call.chunk
                        and isinstance(loop[0], cst.For)
                        and loop[2].span(loop[0].body)[0] <= start
                        and end <= loop[2].span(loop[0].body)[1]
                    ]
                return loops[0] if len(loops) == 1 else None
            scope = scope.parent
        return None

    @staticmethod
    def every_turn(loop: cst.CSTNode, chunk: ParsedChunk, call: Call) -> bool:
        """`call` runs on every turn of `loop`: it is in a plain statement of the loop's own body, not under
        an `if` (nor a comprehension's `if`), a `try` or an inner loop."""
        if isinstance(loop, cst.CompFor):
            return not loop.ifs and loop.inner_for_in is None
        if not isinstance(loop, cst.For) or chunk is not call.chunk or not isinstance(loop.body, cst.IndentedBlock):
            return False
        start, end = call.span()
        for statement in loop.body.body:
            low, high = chunk.span(statement)
            if low <= start and end <= high:
                return isinstance(statement, (cst.SimpleStatementLine, cst.With))
        return False

    @staticmethod
    def _single(scope: Scope, name: str):
        found = scope.bindings.get(name, [])
        if len(found) != 1 or found[0][0] is None:
            return None
        value, chunk = found[0]
        return value, scope, chunk

    # --- walking --------------------------------------------------------------------------------

    def _walk(self, root: cst.CSTNode, scope: Scope, chunk: ParsedChunk) -> None:
        """Visit every node under `root` in source order, with an explicit stack: a long implicit string
        concatenation or a deeply nested expression must not exhaust Python's recursion limit."""
        stack = [(root, scope)]
        while stack:
            node, scope = stack.pop()
            if isinstance(node, _SCOPES):
                stack.extend(reversed(self._enter(node, scope, chunk)))
                continue
            if not self._visit(node, scope, chunk):
                continue
            children = []
            for name in _child_fields(type(node)):
                value = getattr(node, name)
                if isinstance(value, cst.CSTNode):
                    children.append((value, scope))
                elif isinstance(value, (list, tuple)):
                    children.extend((item, scope) for item in value if isinstance(item, cst.CSTNode))
            stack.extend(reversed(children))

    def _visit(self, node: cst.CSTNode, scope: Scope, chunk: ParsedChunk) -> bool:
        """Record what `node` calls, imports or binds; False when nothing below it matters."""
        if isinstance(node, cst.Call):
            self.calls.append(Call(node, self.qualified_name(node.func) or "", scope, chunk))
        elif isinstance(node, (cst.SimpleString, cst.Import, cst.ImportFrom)):
            if not isinstance(node, cst.SimpleString):
                self._import(node, scope, chunk)
            return False
        elif isinstance(node, cst.Assign):
            first = node.targets[0].target
            if isinstance(first, cst.Subscript) and self.qualified_name(first.value) == "os.environ":
                key = first.slice[0].slice if len(first.slice) == 1 else None
                if isinstance(key, cst.Index):
                    self.environ_assignments.append((key.value, node.value, scope, chunk))
            for target in node.targets:
                self._bind_target(target.target, node.value if len(node.targets) == 1 else None, scope, chunk)
        elif isinstance(node, cst.AnnAssign):
            self._bind_target(node.target, node.value, scope, chunk)
        elif isinstance(node, (cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr)):
            self._bind_target(node.target, None, scope, chunk)
            if isinstance(node, (cst.For, cst.CompFor)) and isinstance(node.target, cst.Name):
                scope.loops.setdefault(node.target.value, []).append((node, node.iter, chunk))
        elif isinstance(node, cst.AsName):
            self._bind_target(node.name, None, scope, chunk)
        return True

    def _enter(self, node, scope: Scope, chunk: ParsedChunk) -> list[tuple[cst.CSTNode, Scope]]:
        """Bind what a def, class or lambda binds; the parts to visit next, each with its scope."""
        visit: list[tuple[cst.CSTNode, Scope]] = []
        if not isinstance(node, cst.Lambda):
            scope.bind(node.name.value, None, chunk)
            visit += [(decorator, scope) for decorator in node.decorators]
        name = node.name.value if not isinstance(node, cst.Lambda) else "<lambda>"
        inner = Scope("class" if isinstance(node, cst.ClassDef) else "function", scope, name)
        if isinstance(node, cst.ClassDef):
            visit += [(arg, scope) for arg in (*node.bases, *node.keywords)]
        else:
            params = node.params
            for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                inner.bind(param.name.value, None, chunk)
                if param.default is not None:
                    visit.append((param.default, scope))
            for star in (params.star_arg, params.star_kwarg):
                if isinstance(star, cst.Param):
                    inner.bind(star.name.value, None, chunk)
        return visit + [(node.body, inner)]

    def _bind_target(self, target, value, scope: Scope, chunk: ParsedChunk) -> None:
        if isinstance(target, cst.Name):
            scope.bind(target.value, value, chunk)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, None, scope, chunk)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, None, scope, chunk)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
            owner: Scope | None = scope
            while owner is not None and owner.kind != "class":
                owner = owner.parent
            if owner is not None:
                owner.bind(target.attr.value, None, chunk)  # set at run time: not a class constant

    def _import(self, node, scope: Scope, chunk: ParsedChunk) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module: str | None = ""
        if isinstance(node, cst.ImportFrom):
            module = self.qualified_name(node.module) if node.module is not None else ""
        for alias in node.names:
            full = self.qualified_name(alias.name) or ""
            full = f"{module}.{full}" if module else full
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            elif module:
                local = full.rsplit(".", 1)[-1]
            else:
                local = full.split(".", 1)[0]
                full = local  # `import os.path` binds `os`
            self.imports[local] = full
            scope.bind(local, None, chunk)

    @property
    def imported_modules(self) -> set[str]:
        return {name.split(".", 1)[0] for name in self.imports.values()}
