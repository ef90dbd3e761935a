"""Makefiles: each rule's recipe is shell that `make` runs.

The Makefile is read as make reads it: variable assignments (`=`, `:=`, `::=`, `?=`, `+=`, `!=`, with
`override`, `export` or `private`, and `define … endef`), target-specific variables, and the conditionals
the file's own text decides. Each rule's recipe lines then become one embedded shell source, after what
make itself does to them when the rule runs, with the final values: the `@`, `-` and `+` prefixes go, `$$`
becomes `$`, and every `$(…)` is expanded (make_expansion.py), so `$(TF) destroy -auto-approve` after
`TF := terraform` is seen for what it is. What only the run decides (the environment, `$(shell …)`,
`$@`) becomes one plain word in an argument, and a shell variable reference where the shell looks for the
program (make_unknowns.py), so `$(TF) destroy -auto-approve` with TF from the environment is the unknown
program it is. The commands make itself runs while reading the file, `$(shell …)` and `VAR != command`,
are shell sources of their own. Every character maps back to the Makefile.
"""

from __future__ import annotations

import re

from blastguard.frontends.base import Comment, Document, Frontend
from blastguard.frontends.make_expansion import BUILTINS, STEPS_PER_FILE, UNKNOWN, Expander, Variable, references
from blastguard.frontends.make_unknowns import ShellPosition, UnknownWords, render_without_clashes
from blastguard.records import factory, record
from blastguard.sources import Embedded, Source
from blastguard.textindex import LineIndex

_SHELL_CALL = re.compile(r"shell[ \t]+")  # the body of a `$(shell …)` reference, up to its command
_MAX_NESTING = 40  # references looked into for `$(shell …)`, so a file nested to explode reads in linear time
_PREFIXES = re.compile(r"^(?:(?:override|export|private)[ \t]+)*")
_DEFINE = re.compile(r"^(?:(?:override|export|private)[ \t]+)*define[ \t]+([^\s=:?+!]+)[ \t]*(\S*=)?[ \t]*$")
_CONDITIONAL = re.compile(r"^(?:else[ \t]+)?(ifeq|ifneq|ifdef|ifndef)(?:[ \t]+(.*)|(?=\())")
_DIRECTIVE = re.compile(r"^(else|endif)\b")
_OTHER_DIRECTIVE = re.compile(r"[ \t]*(?:-?include|sinclude|vpath|export|unexport)[ \t]")
_OPERATORS = (":::=", "::=", ":=", "?=", "+=", "!=", "=")


@record(kw_only=True, identity=True)
class MakefileDocument(Document):
    recipes: list[Embedded] = factory(list)
    commands: list[Embedded] = factory(list)  # what `$(shell …)` and `VAR != …` run while make reads the file

    def children(self) -> list[Embedded]:
        return self.recipes + self.commands


class _Rule:
    __slots__ = ("lines", "targets")

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self.lines: list[tuple[str, int]] = []  # (command after the recipe tab, its offset)


class MakefileFrontend(Frontend):
    language = "makefile"
    embeds = ("shell",)

    def parse(self, source: Source, wanted=None) -> MakefileDocument:
        text = source.text
        document = MakefileDocument(source=source, index=LineIndex(text))
        reader = _Reader()
        for content, start in _logical_lines(text):
            if content.lstrip().startswith("#") and not reader.in_define() and not reader.in_recipe(content):
                offset = start + content.index("#")
                document.comments.append(Comment(offset, start + len(content), content.strip()[1:]))
            reader.line(content, start)
        for rule in reader.rules:
            if rule.lines:
                variables = _rule_variables(rule, reader)
                document.recipes.extend(_recipes(rule, variables, reader.budget, source))
                for content, start in rule.lines:
                    reader.commands.extend((*call, variables) for call in _shell_calls(content, start))
        for command, start, seen in reader.commands:
            expander = Expander(reader.variables if seen is None else seen, budget=reader.budget)
            document.commands.append(_shell_command(command, start, expander, source))
        return document


class _Reader:
    """The Makefile line by line, as make reads it before running anything."""

    def __init__(self) -> None:
        self.variables: dict[str, Variable] = {}
        self.target_variables: dict[str, list[tuple[str, str, str]]] = {}  # target: (name, operator, value)
        self.rules: list[_Rule] = []
        # The commands make runs while reading: (text, offset, the variables they see, None for the final ones).
        self.commands: list[tuple[str, int, dict[str, Variable] | None]] = []
        self.budget = [STEPS_PER_FILE]  # expansion steps left for the whole file
        self._rule: _Rule | None = None  # the rule whose recipe lines may follow
        self._define: tuple[str, str, list[str], int] | None = None  # name, operator, body, nesting
        self._conditions: list[tuple[bool, bool]] = []  # per open conditional: (reading, a branch was taken)

    def in_define(self) -> bool:
        return self._define is not None

    def in_recipe(self, content: str) -> bool:
        return content.startswith("\t") and self._rule is not None

    def _reading(self) -> bool:
        """Whether the lines here count: no enclosing conditional branch is known not to be taken."""
        return all(reading for reading, _ in self._conditions)

    def line(self, content: str, start: int) -> None:
        if self._define is not None:
            if self._reading():
                self._note(_shell_calls(content, start), immediate=False)
            self._define_line(self._define, content)
            return
        reading = self._reading()
        rule = self._rule
        if rule is not None and self.in_recipe(content):  # before directives: a recipe line is shell, even `\tifeq`
            if reading:
                rule.lines.append((content[1:], start + 1))
            return
        if self._conditional(content, start) or not reading:
            return
        stripped = content.strip()
        if not stripped or stripped.startswith("#"):
            return  # blank and comment lines do not end a recipe
        self._rule = None
        logical = _join_continuations(_strip_comment(content))
        if define := _DEFINE.match(logical.strip()):
            self._define = (define.group(1), define.group(2) or "=", [], 0)
        elif stripped.startswith("undefine "):
            self.variables.pop(_PREFIXES.sub("", stripped[len("undefine ") :]).strip(), None)
        else:
            self._note_commands(_strip_comment(content), start)
            self._statement(content, logical, start)

    def _note_commands(self, text: str, start: int) -> None:
        """The shell commands a statement line holds: its `$(shell …)` calls, or the command of `VAR != …`.
        What make expands as it reads the line (`:=` and `!=` values, a rule's targets and prerequisites,
        directives) sees the variables as they are; a recursive value runs when it is used, with the final
        ones."""
        colon = _rule_colon(text)
        assignment = _assignment(text)
        if assignment and (colon is None or assignment[3] < colon):
            calls = _shell_calls(text, start)
            if assignment[1] == "!=":
                value_start = assignment[3] + 2
                value = text[value_start:]
                calls.insert(0, (value.strip(), start + value_start + len(value) - len(value.lstrip())))
            self._note(calls, immediate=assignment[1] in (":=", "::=", ":::=", "!="))
        elif colon is not None:
            semicolon = _outside_references(text, ";", colon)  # the recipe after it is read with the rule's
            head = text if semicolon is None else text[:semicolon]
            target_assignment = _assignment(text[colon + 1 :].lstrip(":"))
            self._note(_shell_calls(head, start), immediate=not target_assignment)
        else:  # `include $(shell …)`, a bare `$(info $(shell …))`: expanded as it is read
            self._note(_shell_calls(text, start), immediate=True)

    def _note(self, calls: list[tuple[str, int]], immediate: bool) -> None:
        """Keep the commands `calls` with the variables they see: those of now if make runs them now."""
        if calls:
            variables = dict(self.variables) if immediate else None
            self.commands.extend((command, start, variables) for command, start in calls)

    def _statement(self, content: str, logical: str, start: int) -> None:
        colon = _rule_colon(logical)
        assignment = _assignment(logical)
        if assignment and (colon is None or assignment[3] < colon):
            _assign(self.variables, *assignment[:3], self.budget)
            return
        if colon is None or _OTHER_DIRECTIVE.match(logical):
            return  # `include`, `export VAR`, `vpath` and the like
        targets = Expander(self.variables, budget=self.budget).expand(logical[:colon]).split()
        rest = logical[colon + 1 :].lstrip(":")
        if target_assignment := _assignment(rest):
            for target in targets:
                self.target_variables.setdefault(target, []).append(target_assignment[:3])
            return
        self._rule = rule = _Rule(targets)
        self.rules.append(rule)
        semicolon = _outside_references(content, ";", _rule_colon(content) or 0)
        if semicolon is not None:  # `target: prerequisites ; command`
            rule.lines.append((content[semicolon + 1 :], start + semicolon + 1))

    def _define_line(self, define: tuple[str, str, list[str], int], content: str) -> None:
        name, operator, body, nesting = define
        directive = content.strip()
        if _DEFINE.match(directive):
            nesting += 1
        elif directive.startswith("endef") and directive[5:6] in ("", " ", "\t", "#"):
            if nesting == 0:
                self._define = None
                _assign(self.variables, name, operator, "\n".join(body), self.budget)
                return
            nesting -= 1
        body.append(content)
        self._define = (name, operator, body, nesting)

    def _conditional(self, content: str, start: int) -> bool:
        """Handles `ifeq`/`ifneq`/`ifdef`/`ifndef`/`else`/`endif`; True when the line was one."""
        directive = content.strip()
        opening = _CONDITIONAL.match(directive)
        if opening and not directive.startswith("else"):
            outer = self._reading()
            if outer:  # make runs the condition's commands as it reads it
                self._note(_shell_calls(_strip_comment(content), start), immediate=True)
            decided = self._decide(opening.group(1), opening.group(2) or directive[len(opening.group(1)) :])
            self._conditions.append((outer and decided is not False, decided is True))
            return True
        if not self._conditions:
            return False
        word = _DIRECTIVE.match(directive)
        if opening or (word and word.group(1) == "else"):
            _, taken = self._conditions.pop()
            outer = self._reading()
            decided = self._decide(opening.group(1), opening.group(2) or "") if opening else True
            if taken:  # an earlier branch was certainly taken: this one is not read
                self._conditions.append((False, True))
            else:
                if opening and outer:
                    self._note(_shell_calls(_strip_comment(content), start), immediate=True)
                self._conditions.append((outer and decided is not False, decided is True))
            return True
        if word and word.group(1) == "endif":
            self._conditions.pop()
            return True
        return False

    def _decide(self, kind: str, argument: str) -> bool | None:
        """Whether the file's own text decides the condition (True/False), or only the run does (None)."""
        expander = Expander(self.variables, budget=self.budget)
        if kind in ("ifdef", "ifndef"):
            name = expander.expand(_strip_comment(argument).strip())
            variable = self.variables.get(name)
            if variable is None or UNKNOWN in name:
                return None  # the environment may define it
            defined = bool(variable.value.strip())
            return defined if kind == "ifdef" else not defined
        operands = _comparison(_strip_comment(argument).strip())
        if operands is None:
            return None
        left, right = (expander.expand(operand) for operand in operands)
        if UNKNOWN in left or UNKNOWN in right or expander.undecided:
            return None
        return (left == right) == (kind == "ifeq")


def _assign(variables: dict[str, Variable], name: str, operator: str, value: str, budget: list[int]) -> None:
    """Apply one assignment as make does when it reads it."""
    if operator == "?=" and name in variables:
        return
    if operator == "!=":  # the output of a shell command
        variables[name] = Variable(UNKNOWN, recursive=False)
    elif operator in (":=", "::=", ":::="):  # expanded once, now
        variables[name] = Variable(Expander(variables, budget=budget).expand(value), recursive=False)
    elif operator == "+=":
        current = variables.get(name)
        if current is None and name in BUILTINS:
            current = Variable(BUILTINS[name], recursive=True)
        if current is None:
            variables[name] = Variable(value, recursive=True)
        else:
            added = value if current.recursive else Expander(variables, budget=budget).expand(value)
            variables[name] = Variable(f"{current.value} {added}" if current.value else added, current.recursive)
    else:
        variables[name] = Variable(value, recursive=True)


def _rule_variables(rule: _Rule, reader: _Reader) -> dict[str, Variable]:
    """The variables in effect for the rule's targets: the file's, then their target-specific ones."""
    variables = dict(reader.variables)
    for target in rule.targets:
        for assignment in reader.target_variables.get(target, ()):
            _assign(variables, *assignment, reader.budget)
    return variables


def _recipes(rule: _Rule, variables: dict[str, Variable], budget: list[int], source: Source) -> list[Embedded]:
    """The rule's recipe as shell, with the variables in effect for its targets. Where an `$(if …)` that
    only the run decides picks the command, the lines it changes are read a second time with its other
    branch, so both are checked (and the lines it leaves alone are not reported twice)."""

    def render(words: UnknownWords) -> list[Embedded]:
        first = Expander(variables, budget=budget)
        lines = [_recipe_line(content, start, first, words) for content, start in rule.lines]
        recipes = [_embedded(lines, source)]
        if first.undecided:
            second = Expander(variables, choice=1, budget=budget)
            others = [_recipe_line(content, start, second, words) for content, start in rule.lines]
            recipes.append(_embedded([other for line, other in zip(lines, others) if other != line], source))
        return recipes

    return render_without_clashes(render)


def _shell_calls(text: str, start: int) -> list[tuple[str, int]]:
    """(command, offset) of each `$(shell …)` in `text`, those nested in other references too."""
    calls: list[tuple[str, int]] = []
    pending = [(text, start, 0)] if "shell" in text else []
    while pending:
        part, at, depth = pending.pop()
        for ref_start, ref_end, body in references(part):
            if ref_end - ref_start == 2:
                continue  # `$$`, `$@`: no body to look into
            body_start = at + ref_start + 2
            call = _SHELL_CALL.match(body)
            if call:
                calls.append((body[call.end() :], body_start + call.end()))
            if depth < _MAX_NESTING:
                pending.append((body, body_start, depth + 1))
    return sorted(calls, key=lambda call: call[1])


def _shell_command(command: str, start: int, expander: Expander, source: Source) -> Embedded:
    """A command make runs while reading the file, as the shell gets it: its references expanded first."""

    def render(words: UnknownWords) -> list[Embedded]:
        chars: list[str] = []
        offsets: list[int] = []
        _expand_line(command, start, expander, words, chars, offsets, recipe=False)
        return [_embedded([(chars + ["\n"], offsets + [start + len(command)])], source)]

    return render_without_clashes(render)[0]


def _embedded(lines: list[tuple[list[str], list[int]]], source: Source) -> Embedded:
    chars: list[str] = []
    offsets: list[int] = []
    for line_chars, line_offsets in lines:
        chars.extend(line_chars)
        offsets.extend(line_offsets)
    offsets.append(offsets[-1] + 1 if offsets else 0)
    return Embedded(Source(source.path, "".join(chars), "shell", source.context), offsets)


def _recipe_line(content: str, start: int, expander: Expander, words: UnknownWords) -> tuple[list[str], list[int]]:
    """One recipe line as the shell gets it, newline included, with the Makefile offset of each character."""
    chars: list[str] = []
    offsets: list[int] = []
    _expand_line(content, start, expander, words, chars, offsets)
    # make drops the `@`, `-` and `+` prefixes, also when a variable wrote them (`$(Q)echo`).
    skipped = 0
    while skipped < len(chars) and chars[skipped] in "@-+ \t":
        skipped += 1
    return chars[skipped:] + ["\n"], offsets[skipped:] + [start + len(content)]


def _expand_line(
    text: str,
    start: int,
    expander: Expander,
    words: UnknownWords,
    chars: list[str],
    offsets: list[int],
    recipe: bool = True,
) -> None:
    """Append the recipe line (or other shell command) `text` with its references expanded; each character
    maps into the Makefile."""
    i = 0
    started = False  # whether the line has more than make's prefixes yet
    position = ShellPosition()
    for ref_start, ref_end, body in references(text):
        chars.extend(text[i:ref_start])
        position.feed(text[i:ref_start])
        offsets.extend(range(start + i, start + ref_start))
        started = started or bool(text[i:ref_start].strip("@-+ \t"))
        value = expander.reference(body)
        if "\n" in value and recipe:  # a `define`d canned recipe: its lines lose their prefixes as recipe lines do
            value = re.sub(r"(?<!\\)\n[ \t]*[@+-]*", "\n", value)
        value = words.render(value, body, position)
        if not started and recipe:  # the line starts with the value: it maps from the value's first word
            value = value.lstrip("@-+ \t")
            started = bool(value)
        chars.extend(value)
        # Spread the value over the reference, its last character on the reference's last, so a
        # finding that covers the value covers the whole `$(VAR)` in the Makefile.
        at, width = start + ref_start, ref_end - ref_start
        offsets.extend(at + (min(k, width - 1) if k < len(value) - 1 else width - 1) for k in range(len(value)))
        i = ref_end
    chars.extend(text[i:])
    offsets.extend(range(start + i, start + len(text)))


def _logical_lines(text: str):
    """(line, start offset) with backslash-newline continuations kept inside the line."""
    start = 0
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line + "\n" + lines[i]
        yield line, start
        start += len(line) + 1
        i += 1


def _join_continuations(line: str) -> str:
    """Outside recipes make reads a backslash-newline and the blanks around it as one space."""
    return re.sub(r"[ \t]*\\\n[ \t]*", " ", line)


def _strip_comment(line: str) -> str:
    """The line without its `#` comment; a `#` inside a reference or after a backslash is literal."""
    position = _outside_references(line, "#")
    while position is not None and position > 0 and line[position - 1] == "\\":
        position = _outside_references(line, "#", position)
    return line if position is None else line[:position]


def _outside_references(line: str, char: str, after: int = -1) -> int | None:
    """The first `char` past `after` that is not inside a `$(…)` or `${…}` reference."""
    i = after + 1
    for start, end, _ in references(line):
        found = line.find(char, i, start) if start > i else -1
        if found != -1:
            return found
        i = max(i, end)
    found = line.find(char, i)
    return None if found == -1 else found


def _assignment(line: str) -> tuple[str, str, str, int] | None:
    """(name, operator, value, operator position) when the line assigns a variable."""
    body = _PREFIXES.sub("", line)
    skipped = len(line) - len(body)
    equals = _outside_references(body, "=")
    if equals is None:
        return None
    operator = next(op for op in _OPERATORS if body[: equals + 1].endswith(op))
    at = equals + 1 - len(operator)
    name = body[:at].strip()
    if not name or any(char in name for char in " \t:#"):
        return None  # a rule line whose prerequisites hold a `=`, or not an assignment at all
    return name, operator, body[equals + 1 :].strip(), skipped + at


def _rule_colon(line: str) -> int | None:
    """Where a rule's targets end, or None: the first `:` outside references that starts no `:=`."""
    colon = _outside_references(line, ":")
    if colon is None or re.match(r":{1,3}=", line[colon:]):
        return None
    return colon


def _comparison(argument: str) -> tuple[str, str] | None:
    """The two operands of `ifeq (a,b)`, `ifeq "a" "b"` or `ifeq 'a' 'b'`."""
    if argument.startswith("(") and argument.endswith(")"):
        depth = 0
        for i, char in enumerate(argument[1:-1], start=1):
            depth += (char == "(") - (char == ")")
            if char == "," and depth == 0:
                return argument[1:i].strip(), argument[i + 1 : -1].strip()
        return None
    quoted = re.fullmatch(r"""(["'])(.*?)\1[ \t]+(["'])(.*?)\3""", argument)
    return (quoted.group(2), quoted.group(4)) if quoted else None
