"""Where a Terraform setting's value is written when it is not written at the setting: a variable's
default, a `.tfvars` value, a literal local, a `for_each` map entry, or a module call's argument.

`deletion_protection = var.protect` is as off as a written `false` when `protect` defaults to false.
A user fixes that at the default, so the resolved setting is given to the file that holds the value:
each file of a module reports the settings of the whole module whose values it writes, with a note
naming the setting and where it is. A value is followed only while it stays literal; anything
computed (a conditional, a function call, a variable without a default) stays unknown, as before.
"""

from __future__ import annotations

import json
import os
import re

from lark import Tree

from blastguard.frontends.terraform import hcl  # its `_parse` is looked up when called: one parser, one count
from blastguard.frontends.terraform.hcl import Attribute, Block, Expr, _block, _body_items, _value
from blastguard.records import Record, record
from blastguard.sources import SkipFile

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from blastguard.sources import FileReader

MODULE_SUFFIXES = (".tf", ".tofu")
VARIABLES_SUFFIXES = (".tfvars", ".tfvars.json")
_MAX_DEPTH = 4  # local -> local -> variable: deeper chains are not written by hand
# A module call's arguments that are Terraform's own, not inputs of the module.
_META_ARGUMENTS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})

_PATH_STEP = r'(?:\.[A-Za-z_][\w-]*|\[\s*"[^"]*"\s*\])'
_REFERENCE = re.compile(rf"(var|local)\.([A-Za-z_][\w-]*)(\[\s*count\.index\s*\])?({_PATH_STEP}*)")
_EACH = re.compile(rf"each\.value({_PATH_STEP}*)")
_STEP = re.compile(r'\.([A-Za-z_][\w-]*)|\[\s*"([^"]*)"\s*\]')


@record(frozen=True)
class Written(Record):
    """A value as written, with its span: the whole `key = value` where it has a key. `value` is a
    literal, a dict of Written (an object), a list of Written (a tuple) or an Expr."""

    value: object
    start: int
    end: int


@record(frozen=True)
class ModuleFile(Record):
    path: str  # absolute on disk; the shown name for a text that is not a file
    text: str
    blocks: list

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    def line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


@record(frozen=True)
class Origin(Record):
    """What a reference resolves to, where that is written and how to say so."""

    written: Written
    file: ModuleFile
    how: str  # "the default of variable `protect`"


@record(frozen=True)
class Resolved(Record):
    """A setting (`deletion_protection` of a resource) and where its literal value is written."""

    name: str
    block: Block  # the block holding the setting, in `setting_file`
    setting: Attribute
    setting_file: ModuleFile
    origin: Origin


# --- values with positions ------------------------------------------------------------------------


def written(node: Tree, text: str, start: int | None = None, end: int | None = None) -> Written:
    """The Written of an HCL expression node; `start`/`end` give the span of its `key = value`."""
    span = (node.meta.start_pos, node.meta.end_pos) if start is None or end is None else (start, end)
    inner = node.children[0] if node.data == "expr_term" and len(node.children) == 1 else node
    if isinstance(inner, Tree) and inner.data == "object":
        items = {}
        for element in inner.children:
            if not (isinstance(element, Tree) and element.data == "object_elem"):
                continue
            parts = [c for c in element.children if isinstance(c, Tree)]
            key = text[parts[0].meta.start_pos : parts[0].meta.end_pos].strip()
            key = key[1:-1] if key.startswith('"') and key.endswith('"') else key
            items[key] = written(parts[-1], text, element.meta.start_pos, element.meta.end_pos)
        return Written(items, *span)
    if isinstance(inner, Tree) and inner.data == "tuple":
        return Written([written(c, text) for c in inner.children if isinstance(c, Tree)], *span)
    return Written(_value(node, text), *span)


def json_values(text: str) -> dict[str, Written]:
    """The members of a JSON object with their spans (`"name": value`); ValueError when it is not one."""
    decoder = json.JSONDecoder()
    whitespace = re.compile(r"[ \t\n\r]*")

    def skip(i: int) -> int:
        match = whitespace.match(text, i)
        return match.end() if match else i

    def expect(i: int, char: str) -> int:
        if not text.startswith(char, i):
            raise ValueError(f"expected {char!r} at offset {i}")
        return skip(i + 1)

    def value_at(i: int, start: int) -> tuple[Written, int]:
        if text.startswith("{", i):
            items: dict[str, Written] = {}
            j = skip(i + 1)
            while not text.startswith("}", j):
                key, k = decoder.raw_decode(text, j)
                item, k = value_at(skip(expect(skip(k), ":")), j)
                items[str(key)] = item
                j = skip(k)
                if text.startswith(",", j):
                    j = skip(j + 1)
                elif not text.startswith("}", j):
                    raise ValueError(f"expected ',' or '}}' at offset {j}")
            return Written(items, start, j + 1), j + 1
        if text.startswith("[", i):
            elements: list[Written] = []
            j = skip(i + 1)
            while not text.startswith("]", j):
                item, k = value_at(j, j)
                elements.append(item)
                j = skip(k)
                if text.startswith(",", j):
                    j = skip(j + 1)
                elif not text.startswith("]", j):
                    raise ValueError(f"expected ',' or ']' at offset {j}")
            return Written(elements, start, j + 1), j + 1
        value, end = decoder.raw_decode(text, i)
        return Written(value, start, end), end

    begin = skip(0)
    top, end = value_at(begin, begin)
    if not isinstance(top.value, dict) or skip(end) != len(text):
        raise ValueError("not a single JSON object")
    return top.value


def hcl_values(tree: Tree, text: str) -> dict[str, Written]:
    """The top-level `name = value` assignments of a `.tfvars` file."""
    values = {}
    for node in _body_items(tree, "attribute"):
        name = "".join(str(t) for t in node.children[0].scan_values(lambda v: not isinstance(v, Tree)))
        values[name] = written(node.children[-1], text, node.meta.start_pos, node.meta.end_pos)
    return values


# --- reading a module -------------------------------------------------------------------------------


def module_files(reader: FileReader, folder: str, skip: str | None = None) -> list[ModuleFile]:
    """The parsed `.tf` files of `folder` (but `skip`), as the check's reader sees them."""
    files = []
    for path in reader.names(folder):
        if path == skip or not path.endswith(MODULE_SUFFIXES):
            continue
        try:
            text = reader.read(path)
        except SkipFile:
            continue  # the Terraform frontend reports a sibling it cannot read
        file = read_module_file(reader, path, text)
        if file is not None:
            files.append(file)
    return files


def read_module_file(reader: FileReader, path: str, text: str) -> ModuleFile | None:
    """The file's blocks, built once per scan: every file of the module, and every caller of a local
    module, reads them. None when it does not parse."""
    return reader.parsed("terraform-module-file", path, text, lambda t: _module_file(path, t, reader))


def _module_file(path: str, text: str, reader: FileReader) -> ModuleFile | None:
    tree, _ = reader.parsed("hcl", path, text, hcl._parse)
    if tree is None:
        return None
    return ModuleFile(path, text, [_block(n, text, None) for n in _body_items(tree, "block")])


def variables_files(reader: FileReader, folder: str) -> dict[str, dict[str, Written]]:
    """What each `.tfvars` / `.tfvars.json` file of `folder` sets, by path."""
    found = {}
    for path in reader.names(folder):
        if not path.endswith(VARIABLES_SUFFIXES):
            continue
        try:
            found[path] = read_variables(reader.read(path), path, reader)
        except (SkipFile, ValueError):
            continue  # checked on its own, where its problem is reported
    return found


def read_variables(text: str, path: str, reader: FileReader | None = None) -> dict[str, Written]:
    if path.endswith(".json"):
        return json_values(text)
    tree, problem = reader.parsed("hcl", path, text, hcl._parse) if reader else hcl._parse(text)
    if tree is None:
        raise ValueError(problem[1] if problem else "syntax error")
    return hcl_values(tree, text)


# --- following references ---------------------------------------------------------------------------


class Module:
    """The variables and locals of one module (the `.tf` files of a folder), and the settings of its
    resources and module calls whose values are references to them."""

    def __init__(self, files: list[ModuleFile]) -> None:
        self.files = files
        self.variables: dict[str, tuple[ModuleFile, Block]] = {}
        self.locals: dict[str, tuple[ModuleFile, Attribute]] = {}
        for file in files:
            for block in file.blocks:
                if block.type == "variable" and block.labels:
                    self.variables.setdefault(block.labels[0], (file, block))
                elif block.type == "locals":
                    for name, attribute in block.attributes.items():
                        self.locals.setdefault(name, (file, attribute))

    def references(self):
        """(file, block, attribute) for each setting of a resource, data source or module call whose value
        is an expression. `lifecycle` is left out: Terraform accepts only literals there."""
        for file in self.files:
            for top in file.blocks:
                if top.type not in ("resource", "data", "module"):
                    continue
                for block in top.walk():
                    if block.type == "lifecycle":
                        continue
                    for attribute in block.attributes.values():
                        if isinstance(attribute.value, Expr) and attribute.name not in ("for_each", "count"):
                            yield file, block, attribute


class Resolver:
    """Resolves references in a module. `inputs` are the variables' values when they are given (a
    `.tfvars` file, a module call's arguments); without one a variable has its default, unless
    `overridden` says every run sets it."""

    def __init__(
        self,
        module: Module,
        inputs: dict[str, list[Origin]] | None = None,
        overridden: frozenset[str] = frozenset(),
    ) -> None:
        self.module = module
        self.inputs = inputs
        self.overridden = overridden

    def leaves(self, text: str, block: Block, depth: int = 0) -> list[Origin]:
        """The literal values `text` (an expression) can have, where each is written."""
        return [o for o in self.values(text, block, depth) if _is_literal(o.written.value)]

    def values(self, text: str, block: Block, depth: int = 0) -> list[Origin]:
        text = text.strip()
        if depth > _MAX_DEPTH:
            return []
        match = _REFERENCE.fullmatch(text)
        if match:
            kind, name, by_count, path = match.groups()
            bases = self._variable(name) if kind == "var" else self._local(name, block, depth)
            if by_count:  # `local.dbs[count.index]`: every element of a literal list
                bases = [
                    Origin(item, base.file, f"{base.how}, element {i}")
                    for base in bases
                    if isinstance(base.written.value, list)
                    for i, item in enumerate(base.written.value)
                ]
            return self._follow(bases, path, block, depth)
        match = _EACH.fullmatch(text)
        if match:
            owner = block.owner
            for_each = owner.attributes.get("for_each")
            file = self._file_of(owner)
            if for_each is None or file is None:
                return []
            entries = []
            for base in self._attribute(for_each, file, "the `for_each` map", owner, depth):
                if isinstance(base.written.value, dict):
                    entries += [
                        Origin(item, base.file, f'{base.how}, entry "{key}"')
                        for key, item in base.written.value.items()
                    ]
            return self._follow(entries, match.group(1), block, depth)
        return []

    def _variable(self, name: str) -> list[Origin]:
        if self.inputs is not None and name in self.inputs:
            return self.inputs[name]
        declared = self.module.variables.get(name)
        if declared is None or name in self.overridden:
            return []
        file, variable = declared
        default = variable.attributes.get("default")
        if default is None or default.node is None:
            return []  # no default: the value is given at run time, unknown here
        return [
            Origin(
                written(default.node, file.text, default.start, default.end), file, f"the default of variable `{name}`"
            )
        ]

    def _local(self, name: str, block: Block, depth: int) -> list[Origin]:
        declared = self.module.locals.get(name)
        if declared is None:
            return []
        file, attribute = declared
        return self._attribute(attribute, file, f"local `{name}`", block, depth)

    def _attribute(self, attribute: Attribute, file: ModuleFile, how: str, block: Block, depth: int) -> list[Origin]:
        if attribute.node is None:
            return []
        value = written(attribute.node, file.text, attribute.start, attribute.end)
        if isinstance(value.value, Expr):
            return self.values(value.value.text, block, depth + 1)
        return [Origin(value, file, how)]

    def _follow(self, bases: list[Origin], path: str, block: Block, depth: int) -> list[Origin]:
        found = []
        for base in bases:
            current: Origin | None = base
            for step in _STEP.finditer(path or ""):
                key = step.group(1) or step.group(2)
                value = current.written.value if current else None
                if isinstance(value, Expr):
                    break
                item = value.get(key) if isinstance(value, dict) else None
                current = Origin(item, current.file, f"{current.how}, key `{key}`") if current and item else None
            if current is None:
                continue
            if isinstance(current.written.value, Expr):
                if self.inputs is None or any(f.path == current.file.path for f in self.module.files):
                    found += self.values(current.written.value.text, block, depth + 1)
                continue  # an expression handed in from outside means something only there
            found.append(current)
        return found

    def _file_of(self, block: Block) -> ModuleFile | None:
        return next((f for f in self.module.files if any(b is block for b in f.blocks)), None)


def _is_literal(value: object) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def resolved_settings(module: Module, resolver: Resolver) -> list[Resolved]:
    """Every setting in the module whose value resolves to a literal, once per place it is written."""
    found = []
    for file, block, attribute in module.references():
        assert isinstance(attribute.value, Expr)
        for origin in resolver.leaves(attribute.value.text, block):
            found.append(Resolved(attribute.name, block, attribute, file, origin))
    return found


# --- what one file writes -----------------------------------------------------------------------------


def note(resolved: Resolved, here: str | None) -> str:
    """What the finding's message adds: where the value is and which setting reads it."""
    relative = resolved.setting_file.name
    if here is not None and os.path.isabs(resolved.setting_file.path):
        relative = os.path.relpath(resolved.setting_file.path, here)
    line = resolved.setting_file.line(resolved.setting.start)
    return (
        f"The value is {resolved.origin.how}, which `{resolved.name}` of {resolved.block.address} reads "
        f"({relative} line {line})."
    )


def as_attribute(resolved: Resolved, here: str | None) -> Attribute:
    """The resolved setting as an attribute at the written value, for the rules to judge."""
    w = resolved.origin.written
    return Attribute(resolved.name, w.start, w.end, w.value, w.start, w.end, None, note(resolved, here))


def in_module_file(
    path: str, text: str, blocks: list[Block], reader: FileReader | None, on_disk: bool
) -> tuple[list[tuple[Block, Attribute]], dict[int, list[tuple[object, str]]]]:
    """The settings of the module that the `.tf` file at `path` writes the values of (defaults, unless
    every run sets the variable, and
    locals it declares, `for_each` maps it holds, arguments it passes to a local module), and the
    literal values its own settings read, by the setting's offset: (value, where it is written)."""
    if reader is None or not on_disk:  # a text alone: its own variables and locals
        this = ModuleFile(path, text, blocks)
        module = Module([this])
        found = resolved_settings(module, Resolver(module))
        return _written_in(this, found, None), _reads(this, found)
    folder = os.path.dirname(path)
    this = read_module_file(reader, path, text) or ModuleFile(path, text, blocks)
    module = Module(sorted([this, *module_files(reader, folder, skip=path)], key=lambda f: f.path))
    overridden = _always_set(variables_files(reader, folder))
    # Every file of the module needs the same resolution: it is made once per scan and module content.
    signature = "\n".join(f"{f.path}:{len(f.text)}:{hash(f.text)}" for f in module.files)
    signature += "\n" + ",".join(sorted(overridden))
    found = reader.parsed(
        "terraform-module-values",
        folder,
        signature,
        lambda _: _resolved_with_calls(module, Resolver(module, None, overridden), reader, folder),
    )
    return _written_in(this, found, folder), _reads(this, found)


def _always_set(files: dict[str, dict[str, Written]]) -> frozenset[str]:
    """The variables whose default no run uses: set by a file Terraform always loads
    (`terraform.tfvars`, `*.auto.tfvars`), or by every variables file of the folder (a run picks one)."""
    always = {
        name
        for path, values in files.items()
        if os.path.basename(path) in ("terraform.tfvars", "terraform.tfvars.json")
        or ".auto.tfvars" in os.path.basename(path)
        for name in values
    }
    sets = [set(values) for values in files.values()]
    return frozenset(always | (set.intersection(*sets) if sets else set()))


def _reads(this: ModuleFile, found: list[Resolved]) -> dict[int, list[tuple[object, str]]]:
    reads: dict[int, list[tuple[object, str]]] = {}
    for r in found:
        if r.setting_file.path == this.path:
            where = "here" if r.origin.file.path == this.path else r.origin.file.name
            line = r.origin.file.line(r.origin.written.start)
            reads.setdefault(r.setting.start, []).append(
                (r.origin.written.value, f"{r.origin.how} ({where} line {line})")
            )
    return reads


def in_variables_file(
    path: str, values: dict[str, Written], text: str, reader: FileReader | None, on_disk: bool
) -> list[tuple[Block, Attribute]]:
    """The settings of the module beside a `.tfvars` file whose values it sets."""
    if reader is None or not on_disk:
        return []
    folder = os.path.dirname(path)
    module = Module(module_files(reader, folder))
    this = ModuleFile(path, text, [])
    inputs = {name: [Origin(value, this, f"set in {this.name}")] for name, value in values.items()}
    return _written_in(this, _resolved_with_calls(module, Resolver(module, inputs), reader, folder), folder)


def _resolved_with_calls(
    module: Module, resolver: Resolver, reader: FileReader | None, folder: str | None
) -> list[Resolved]:
    """The module's resolved settings, those of the local modules it calls first."""
    found = resolved_settings(module, resolver)
    if reader is not None and folder:
        found = _through_module_calls(module, resolver, reader, folder) + found
    return found


def _written_in(this: ModuleFile, found: list[Resolved], folder: str | None) -> list[tuple[Block, Attribute]]:
    """The resolved settings whose values `this` writes, each once: a value that reaches a resource
    through a local module is named by that resource rather than by the module's input."""
    unique: dict[tuple, tuple[Block, Attribute]] = {}
    for r in found:
        if r.origin.file.path == this.path:
            key = (r.name, r.origin.written.start, r.origin.written.end)
            unique.setdefault(key, (r.block, as_attribute(r, folder)))
    return list(unique.values())


def _through_module_calls(module: Module, caller: Resolver, reader: FileReader, folder: str) -> list[Resolved]:
    """Settings of local modules (`source = "./modules/db"`) whose values the module's calls pass."""
    found = []
    for file in module.files:
        for call in file.blocks:
            source = call.attributes.get("source") if call.type == "module" else None
            if source is None or not isinstance(source.value, str) or not source.value.startswith(("./", "../")):
                continue
            target = os.path.normpath(os.path.join(folder, source.value))
            if target == os.path.normpath(folder) or not reader.is_folder(target):
                continue
            called = Module(module_files(reader, target))
            inputs: dict[str, list[Origin]] = {}
            for name, argument in call.attributes.items():
                if name in _META_ARGUMENTS or argument.node is None:
                    continue
                how = f"passed to variable `{name}` of {call.address} ({source.value})"
                value = written(argument.node, file.text, argument.start, argument.end)
                if isinstance(value.value, Expr):
                    inputs[name] = [o.replace(how=f"{o.how}, {how}") for o in caller.values(value.value.text, call)]
                else:
                    inputs[name] = [Origin(value, file, how)]
            found += resolved_settings(called, Resolver(called, inputs))
    return found
