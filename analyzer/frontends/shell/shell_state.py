"""The state a script's shell builds as it runs, and what a function call read of it and changed in it.

A `Session` holds the shell variables set so far (and which are exported), the functions and aliases
defined so far, and the variables that hold input the script does not show. Every read and change goes
through its methods, so that while a function call is followed, a `Recording` can note each value the
call read (the first time, unless the call had set it itself) and each value it left.

That makes following calls cheap where following them again adds nothing (`unwrapped_commands` keeps
the recordings of calls followed to their end): a later identical call whose every recorded read finds
the same value would run exactly as the recorded one did, so its recorded changes are applied instead of
running its body again. A call whose arguments, or any value it reads, differ is always followed.

The positional parameters (`$1 … $@ $#`) are not recorded: a call binds its own from its arguments, and
puts the caller's back when it returns, so they are part of what identifies the call.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from collections.abc import Iterable

    from blastguard.frontends.shell.syntax_steps import Function
    from blastguard.frontends.shell.word_values import Word

    Key = tuple[str, ...]  # ("v", name) a variable, ("o", name) its other values, ("f", name) a function, …

# `1`, `10`, `@`, `*`, `#`: the positional parameters and what they make
_positional = re.compile(r"[0-9]+|[@*#]").fullmatch
_UNSET = ("unset",)  # what reading a variable or alias never set finds (None: a value only known at run time)
# Keys read as a whole: the exported names (a command's environment) and the alias names (`unalias -a`).
# A change to one of their members is recorded under the member's key.
_EXPORTED, _ALIASES = ("X",), ("A",)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_AFTER_DOLLAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


class SavedArguments:
    """The positional parameters a call or a function's definition replaced, with their other values."""

    __slots__ = ("alternatives", "values")

    def __init__(self, values: dict[str, str | None], alternatives: dict[str, tuple[str | None, ...]]) -> None:
        self.values = values
        self.alternatives = alternatives


class Recording:
    """What one followed call read of the shell (the value each key had before the call changed it) and
    what it left there."""

    __slots__ = ("environment", "reads", "writes")

    def __init__(self) -> None:
        self.reads: dict[Key, object] = {}
        self.writes: dict[Key, object] = {}
        self.environment = -1  # the `Session` environment version whose environment it has read

    def read(self, key: Key, value: object) -> None:
        if key not in self.reads and key not in self.writes:
            self.reads[key] = value

    def read_all(self, values: dict[Key, object]) -> None:
        for key in values.keys() - self.reads.keys() - self.writes.keys():
            self.reads[key] = values[key]


class Session:
    """Shell variables set so far, and which of them are exported to the commands the script runs; the
    functions and aliases defined so far; the variables that hold input the script does not show."""

    def __init__(self, variables: dict[str, str | None], exported: set[str], defaults: bool = False) -> None:
        self.variables = variables
        self.exported = exported
        # Whether `${X:-word}` of a variable the script never set is `word`: in a repository's script the
        # environment is the usual one; where an agent runs the command it may have set X in an earlier call.
        self.defaults = defaults
        self.functions: dict[str, Function] = {}
        self.aliases: dict[str, Word | None] = {}  # None: defined to a value only known at run time
        self.inputs: dict[str, str] = {}  # variable -> where its unknown values come from
        # variable -> the other values it may hold: what it held before an assignment that may not have run
        # (in an `if` branch, after `&&`, in a loop body or a subshell). Commands that read it are also
        # checked with each of them.
        self.alternatives: dict[str, tuple[str | None, ...]] = {}
        self._recordings: list[Recording] = []  # the calls being followed, outermost first
        # Changed with the exported names or an exported variable: a recording that has read the environment
        # of this version has nothing more to note when it is read again (reads past the first change nothing).
        self._environment_version = 0
        # (version, the environment, what reading it reads)
        self._environment: tuple[int, dict[str, str], dict[Key, object]] = (-1, {}, {})
        self._exports_positional = False  # (then the environment changes with each call's arguments)

    # --- reads ------------------------------------------------------------------------------------

    def _read(self, key: Key, value: object) -> None:
        for recording in self._recordings:
            recording.read(key, value)

    def lookup(self, name: str, default: str | None = None) -> str | None:
        """The variable's known value; else, where defaults are read and the script never set it, `default`."""
        value = self.variables.get(name, _UNSET)
        if self._recordings and not _positional(name):
            self._read(("v", name), value)
        if value is _UNSET:
            return default if self.defaults else None
        return value  # type: ignore[return-value]

    def environment(self) -> dict[str, str]:
        """The exported variables with known values (not to be changed: it is kept until they change)."""
        if self._environment[0] != self._environment_version or self._exports_positional:
            environment = {n: v for n in self.exported if (v := self.variables.get(n)) is not None}
            reads: dict[Key, object] = {
                ("v", n): self.variables.get(n, _UNSET) for n in self.exported if not _positional(n)
            }
            reads[_EXPORTED] = frozenset(self.exported)  # (positional ones are bound by the call's arguments)
            self._environment = (self._environment_version, environment, reads)
        for recording in self._recordings:
            if recording.environment != self._environment_version:
                recording.environment = self._environment_version
                recording.read_all(self._environment[2])
        return self._environment[1]

    def function(self, name: str) -> Function | None:
        function = self.functions.get(name)
        self._read(("f", name), function)
        return function

    def alias(self, name: str) -> tuple[bool, Word | None]:
        """Whether `name` is an alias, and its value (None: only known at run time)."""
        value = self.aliases.get(name, _UNSET)
        self._read(("a", name), value)
        return (False, None) if value is _UNSET else (True, self.aliases[name])

    def inputs_used(self, words: list[Word]) -> dict[str, str]:
        """The input variables `words` were written with: name -> where its values come from."""
        if all(w.literal for w in words):
            return {}
        if self._recordings:  # each name `_uses` could find, there or not (input names are identifiers)
            for word in words:
                for match in _AFTER_DOLLAR.finditer(word.value if not word.literal else ""):
                    for end in range(1, len(match[1]) + 1):
                        self._read(("i", match[1][:end]), self.inputs.get(match[1][:end]))
        return {n: s for n, s in self.inputs.items() if any(_uses(w, n) for w in words)}

    def current(self, key: Key) -> object:
        """What reading `key` finds now (compared with what a recorded call found)."""
        if key == _EXPORTED:
            return frozenset(self.exported)
        if key == _ALIASES:
            return frozenset(self.aliases)
        kind, name = key
        if kind == "v":
            return self.variables.get(name, _UNSET)  # a variable never set reads its default
        if kind == "i":
            return self.inputs.get(name)
        if kind == "o":
            return self.alternatives.get(name, ())
        return self.functions.get(name) if kind == "f" else self.aliases.get(name, _UNSET)

    # --- changes ----------------------------------------------------------------------------------

    def _write(self, key: Key, value: object) -> None:
        for recording in self._recordings:
            recording.writes[key] = value

    def set(self, name: str, value: str | None, source: str | None = None) -> None:
        """Bind `name`; `source` says where a value that is not known comes from."""
        self.variables[name] = value
        if source is None or not _IDENTIFIER.fullmatch(name):  # the shell refuses to `read 'a b'`
            source = None
            self.inputs.pop(name, None)
        else:
            self.inputs[name] = source
        if self._recordings and not _positional(name):
            self._write(("v", name), value)
            self._write(("i", name), source)
        if name in self.exported:
            self._environment_version += 1

    def export(self, name: str) -> None:
        self.exported.add(name)
        self._exports_positional |= _positional(name) is not None
        self._environment_version += 1
        self._write(("x", name), True)

    def define(self, name: str, function: Function) -> None:
        self.functions[name] = function
        self._write(("f", name), function)

    def set_alias(self, name: str, value: Word | None) -> None:
        """Define the alias `name` (None: to a value only known at run time)."""
        self.aliases[name] = value
        self._write(("a", name), value)

    def unalias(self, name: str) -> None:
        self.aliases.pop(name, None)
        self._write(("a", name), _UNSET)

    def unalias_all(self) -> None:
        self._read(_ALIASES, frozenset(self.aliases))
        for name in list(self.aliases):
            self.unalias(name)

    def child(self, env: dict[str, str]) -> Session:
        """A new shell process (`bash -c`) sees only what is exported to it."""
        child = Session(dict(env), set(env), self.defaults)
        child.alternatives = {n: values for n, values in self.alternatives.items() if n in env}
        return child

    # --- values a branch may have left ---------------------------------------------------------------

    def set_alternatives(self, name: str, values: list[str | None]) -> None:
        """The other values `name` may hold besides its value (none: only that one)."""
        if values:
            self.alternatives[name] = tuple(values)
        else:
            self.alternatives.pop(name, None)
        if not _positional(name):  # (bound by each call's arguments, like their values)
            self._write(("o", name), tuple(values))

    @property
    def recording(self) -> bool:
        """Whether a followed call is noting what it reads."""
        return bool(self._recordings)

    def other_values(self, names: Iterable[str]) -> dict[str, tuple[str | None, ...]]:
        """The other values each of `names` may hold, for those that may hold some (a read, recorded)."""
        for name in names:
            if not _positional(name):
                self._read(("o", name), self.alternatives.get(name, ()))
        return {n: self.alternatives[n] for n in names if n in self.alternatives}

    def try_values(self, values: dict[str, str | None], source: str) -> tuple[dict[str, object], dict[str, object]]:
        """Give the variables `values` for a moment (`source` says where an unknown one comes from); what
        they were, for `restore_values`."""
        before: dict[str, object] = {n: self.variables.get(n, _UNSET) for n in values}
        sources: dict[str, object] = {n: self.inputs.get(n, _UNSET) for n in values}
        for name, value in values.items():
            self.variables[name] = value
            if value is None:
                self.inputs[name] = source
            else:
                self.inputs.pop(name, None)
        self._environment_version += 1
        return before, sources

    def restore_values(self, saved: tuple[dict[str, object], dict[str, object]]) -> None:
        values, sources = saved
        for name, value in values.items():
            if value is _UNSET:
                self.variables.pop(name, None)
            else:
                self.variables[name] = value  # type: ignore[assignment]
        for name, source in sources.items():
            if source is _UNSET:
                self.inputs.pop(name, None)
            else:
                self.inputs[name] = source  # type: ignore[assignment]
        self._environment_version += 1

    # --- positional parameters --------------------------------------------------------------------

    def arguments(self, words: list[Word], conditional: bool = False) -> SavedArguments:
        """Bind the positional parameters `$1 $2 … $@ $#` to `words`; return what they were. `conditional`:
        the binding may not run (`set --` in a branch), so each may still hold what it held."""
        saved = {n: v for n, v in self.variables.items() if _positional(n)}
        others = {n: self.alternatives.pop(n) for n in list(self.alternatives) if _positional(n)}
        for name in saved:
            del self.variables[name]
        for number, word in enumerate(words, 1):
            self.variables[str(number)] = word.value if word.literal else None
        known = all(w.literal for w in words)
        self.variables["@"] = self.variables["*"] = " ".join(w.value for w in words) if known else None
        self.variables["#"] = str(len(words))
        if conditional:
            for name in saved.keys() | self.variables.keys():
                if _positional(name):
                    before = [saved.get(name), *others.get(name, ())]
                    values = [v for v in dict.fromkeys(before) if v != self.variables.get(name)]
                    if values:
                        self.alternatives[name] = tuple(values)
        return SavedArguments(saved, others)

    def restore_arguments(self, saved: SavedArguments) -> None:
        for name in [n for n in self.variables if _positional(n)]:
            del self.variables[name]
        for name in [n for n in self.alternatives if _positional(n)]:
            del self.alternatives[name]
        self.variables.update(saved.values)
        self.alternatives.update(saved.alternatives)

    # --- recordings -------------------------------------------------------------------------------

    def record(self) -> Recording:
        """Start noting what is read and changed, until `stop`."""
        recording = Recording()
        self._recordings.append(recording)
        return recording

    def stop(self, recording: Recording) -> None:
        self._recordings.remove(recording)

    def matches(self, reads: tuple[tuple[Key, object], ...]) -> bool:
        """Whether every recorded read finds the same value now."""
        return all(self.current(key) == value for key, value in reads)

    def replay(self, reads: tuple[tuple[Key, object], ...], writes: tuple[tuple[Key, object], ...]) -> None:
        """Do what a recorded call did to the shell: its reads are the outer calls' reads too."""
        for key, value in reads:
            self._read(key, value)
        for (kind, name), value in writes:
            if kind == "v":
                self.variables[name] = value  # type: ignore[assignment]
                self._environment_version += name in self.exported
                self._write(("v", name), value)
            elif kind == "i":
                if value is None:
                    self.inputs.pop(name, None)
                else:
                    self.inputs[name] = value  # type: ignore[assignment]
                self._write(("i", name), value)
            elif kind == "o":
                self.set_alternatives(name, list(value))  # type: ignore[call-overload]
            elif kind == "x":
                self.export(name)
            elif kind == "f":
                self.define(name, value)  # type: ignore[arg-type]
            elif value is _UNSET:
                self.unalias(name)
            else:
                self.set_alias(name, value)  # type: ignore[arg-type]


def _uses(word: Word, name: str) -> bool:
    """Whether `word` was written with `$name` or `${name…}` (its value is then still that text)."""
    return not word.literal and ("$" + name in word.value or "${" + name in word.value)
