"""The normalised command view: what each command of a script runs, once its disguises are removed.

Wrappers are unwrapped: `sudo`, `doas`, `env` (and `env -S`), `nohup`, `setsid`, `busybox`, `builtin`,
`exec`, `time`, `nice`, `ionice`, `stdbuf`, `timeout`, `command`, `xargs`, `watch`, `chroot`,
`dbus-launch`, `flock FILE cmd`, `kubectl exec … --`, `docker exec`/`run`, `docker compose exec`/`run`, the package
runners (`npx`, `pnpm`/`yarn exec`/`dlx`, `bundle exec`, `poetry`/`pipenv`/`pdm`/`uv run`), `heroku run`,
and the commands `find -exec`/`-execdir`/`-ok` runs. Strings run by a shell are parsed in turn: `bash -c` (and
sh, dash, zsh, ksh, ash, mksh; their arguments bound to `$0 $1 …`), `su -c`, `runuser -c`, `script -c`,
`flock FILE -c`, `eval`, `trap '…' SIGNAL`, `ssh host '…'`, `watch '…'`, a heredoc, here-string or
`echo` piped into a shell, and `bash <(…)`, `source <(…)`, `sh < <(…)` when what `…` writes is literal.

The shell's own expansions are followed: aliases and functions defined earlier are expanded where they
are called (a function's body with its arguments bound; it is also checked where it is defined, with
them unknown), `for`/`select` bodies run once per literal value, `while read` bodies once per line of
a literal heredoc, here-string or piped `echo`, brace expansion (`{rm,-rf,/}`), `IFS` splitting, and
`$(echo …)`/`$(printf …)` whose output is literal. Leading `VAR=value` assignments and earlier
`export`s become the command's environment, and variables set to a literal earlier in the script are
expanded. A loop or `read` variable whose values come from input the script does not show is noted
on the commands that use it (`Command.inputs`).

What cannot be known before the script runs (`$CMD …`, `curl … | sh`) is kept as an unresolved command
that says why and what kind of unknown it is (for SH900 to weigh), and so is every part that could not
be checked completely: a parse error, strings or blocks nested past a limit, a brace expansion or a
number of loop runs and calls past a budget. Every limit is reported, never passed over in silence, and
every limit keeps the work bounded. A call met again with the same arguments, where every value its
body read when it was followed is the same, is not followed again (`shell_state`): the budget counts
the calls that can find something new. An unknown program followed by a literal command name
(`$SUDO rm -rf /d`, `$CHROOTEXEC apt-get …`) is also checked as the command it runs.
"""

from __future__ import annotations

import itertools
import os
import re

from blastguard.context import Production
from blastguard.frontends.shell.program_options import GLOBAL_OPTIONS, PLAIN, Argv, Syntax, options, parse
from blastguard.frontends.shell.shell_state import Session
from blastguard.frontends.shell.syntax_steps import Binding, Function, Layer, Loop, RawCommand, Script
from blastguard.frontends.shell.syntax_steps import parse as parse_script
from blastguard.frontends.shell.word_values import (
    MAX_BRACE_WORDS,
    TooManyWords,
    Word,
    decode,
    decode_fields,
    decode_heredoc,
    join,
)
from blastguard.records import Record, factory, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: the parser is loaded by `syntax_steps`, without the packages' __init__
    from collections.abc import Sequence

    from tree_sitter import Parser

    from blastguard.frontends.shell.shell_state import Key

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh"})
# Strings inside strings inside strings: deeper than this is not checked (and says so).
_MAX_LAYERS = 8
# Function calls inside function calls: deeper than this is not followed (and says so).
_MAX_CALLS = 16
# Values a branch may have left in variables: at most this many other values a variable is checked with
# (past it, one of them is "unknown"), and this many combinations a command is checked with (past it, the
# variables are unknown for it, which asks where the value matters).
_MAX_ALTERNATIVES = 4
_MAX_VARIANTS = 16
_BRANCH_VALUE = "a value a branch of the script may have left in it"
_READS = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#])")
# Loop runs, function calls and alias expansions followed in one document, so nesting stays linear.
_MAX_EXPANSIONS = 2000
# Steps taken (loop and function bodies counted each time they run) past which bodies are not run again.
_MAX_WORK = 15000
# Values compared to find that a call was followed before with the same ones: as much work as one step.
_READS_PER_STEP = 64
# Steps of function bodies whose runs are repeated (`_replay`) past which they are not any more.
_MAX_REPLAYED = 10 * _MAX_WORK
# Lines of a loop's input read one by one; the rest are judged together as unknown.
_MAX_LINES = 256
# Scripts, loop bodies, function bodies and aliases run inside one another.
_MAX_RUNS_OPEN = 120
_POSITIONAL_EXPANSION = re.compile(r"\$(?:[0-9@*]|\{(?:[0-9]+|[@*])\})")


@record(frozen=True, identity=True)
class Feed(Record):
    """What a command reads on its standard input, as far as the script shows it."""

    text: Word | None = None  # a heredoc, a here-string, what `echo` pipes in
    file: Word | None = None  # `< dump.sql`, `cat dump.sql |`


@record(identity=True)
class Command(Record):
    words: list[Word]  # argv after unwrapping: words[0] names the program
    env: dict[str, str]  # environment variables the program sees, where their values are known
    index: int = 0  # position in the document's list: the commands before it ran before it
    wrappers: tuple[str, ...] = ()  # what was unwrapped, outermost first: ("sudo", "bash -c")
    via: tuple[str, ...] = ()  # production evidence from the wrappers: `ssh prod-db …`
    stdin: Feed | None = None
    upstream: Command | None = None  # the command piped into this one
    output: Feed | None = None  # what it writes, when that is literal (`echo`, `printf`, `cat`)
    writes: tuple[Word, ...] = ()  # the files its own redirections open for writing (`> /dev/sdb`, `: > f`)
    arguments_from_stdin: bool = False  # under `xargs`: more arguments arrive on standard input
    unresolved: str | None = None  # why what runs cannot be known before it runs
    # What is unknown, for SH900 to weigh: "program" (the command name is a run-time value), "script" (the
    # script `source` or a shell runs), "unparsed" (text the parser could not read); "" for the rest.
    unknown: str = ""
    # The unknown program is followed by a literal command (`$SUDO rm -rf /d`), checked as what it runs.
    runs_command: bool = False
    defining: bool = False  # in a function's body where it is defined, its arguments not yet known
    # Inside a string run by `eval`, `sh -c`, `trap`, `ssh` … that holds a value only known at run time
    # (`eval "$cmd"`): its text, not just a value in it, is chosen when the script runs.
    in_run_time_text: bool = False
    # variables whose values come from input the script does not show (`for d in $(ls)`, `read d`):
    # name -> where they come from
    inputs: dict[str, str] = factory(dict)
    # Read from `words` by __post_init__ (what is given for them is replaced):
    program: str = ""  # `rm` for `/bin/rm`; empty when the name is only known at run time
    globals: Argv | None = None  # options before the subcommand (`-chdir=x`, `--context p`)
    args: list[Word] = factory(list)  # the subcommand and after

    def __post_init__(self) -> None:
        head = self.words[0]
        self.program = os.path.basename(head.value) if head.literal or _known_program(head.value) else ""
        syntax = GLOBAL_OPTIONS.get(self.program)
        if syntax is None:
            self.globals, self.args = Argv(), self.words[1:]
        else:
            self.globals, self.args = parse(self.words[1:], syntax, stop_at_positional=True)

    @property
    def start(self) -> int:
        return self.words[0].start

    @property
    def end(self) -> int:
        return self.words[-1].end

    @property
    def subcommand(self) -> str:
        return self.args[0].value if self.args else ""

    def text(self, limit: int = 60) -> str:
        """The command as a short string for messages."""
        shown = " ".join(w.value for w in self.words)
        return shown if len(shown) <= limit else shown[: limit - 1] + "…"


@record(frozen=True)
class _Frame(Record):
    """What applies to every command found inside a wrapper."""

    wrappers: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    arguments_from_stdin: bool = False
    depth: int = 0
    from_values: bool = False  # inside a string a shell runs that holds values only known at run time


_TOP = _Frame()  # a script's own commands: inside no wrapper


@record(frozen=True)
class _Followed(Record):
    """A call followed to its end: what it read of the shell and what it changed there (see `shell_state`),
    the files its body writes (`> f`), and the variables its last `read` set (when it ran one)."""

    reads: tuple[tuple[Key, object], ...]
    writes: tuple[tuple[Key, object], ...]
    files: tuple[Word, ...]
    read: tuple[list[str] | None] | None  # (the variables), or None when the call left `_read` as it was


@record
class _Unwrapped(Record):
    """What a wrapper runs: more words, or a script string."""

    label: str
    words: list[Word] = factory(list)
    env: dict[str, str] = factory(dict)
    clears_env: bool = False
    script: Word | None = None  # a string another shell parses: `bash -c '…'`, `eval …`
    script_from_stdin: bool = False  # a shell that reads its script from standard input
    split: Word | None = None  # `env -S 'cmd args'`: a string split into words
    targets: tuple[tuple[str, str], ...] = ()  # (evidence, name): where the command runs
    arguments_from_stdin: bool = False
    script_arguments: list[Word] | None = None  # `bash -c '…' $0 $1 …`: the script's positional parameters
    same_shell: bool = False  # `eval`, `trap`: the script runs in this shell, with its variables


def _others(value: str | None, candidates: list[str | None]) -> list[str | None]:
    """The distinct `candidates` other than `value`, at most _MAX_ALTERNATIVES (the rest: one unknown)."""
    others = list(dict.fromkeys(c for c in candidates if c != value))
    if len(others) > _MAX_ALTERNATIVES:
        others = [*others[: _MAX_ALTERNATIVES - 1], None]
    return others


class Normaliser:
    """Builds the document's command list from parsed scripts, recursing into strings run as scripts."""

    def __init__(self, parser: Parser, names: Production, agent: bool = True) -> None:
        self.parser = parser
        self.names = names
        # `sudo VAR=$X prog` runs `prog`: read so in a repository check. Where an agent runs the command it
        # stays unknown, since an unquoted `$X` the agent chose could split into a program of its own.
        self.assignments_with_values = not agent
        # `x=/; if false; then x=build; fi; rm -rf "$x"`: where an agent runs the command, a command is also
        # checked with each value an assignment that may not have run left in place. A repository's scripts
        # are read with the last value assigned, as a reviewer reads them.
        self.branch_values = agent
        self.commands: list[Command] = []
        self.problems: list[tuple[int, int, str]] = []
        self._by_raw: dict[RawCommand, Command] = {}
        # A `$(…)` inside `bash -c "…"` is met twice, once from each layer: listed once, kept by its key.
        self._seen: dict[tuple, Command] = {}
        # Files that redirections write (`> f`), each with the number of commands that ran before it.
        self.writes: list[tuple[int, Word]] = []  # (how many commands came before, the file written)
        self._written: set[tuple[str, int, int]] = set()
        self._produced: dict[tuple[Layer, int], RawCommand] = {}  # `$(…)`/`<(…)` -> the command writing it
        self._process_feeds: dict[tuple[int, int], Command | None] = {}  # `<(…)` by its span -> its writer
        self._conditional = False  # whether the command whose builtin effect is being applied may not run
        self._trailing: dict[RawCommand, list[Word]] = {}  # an alias's command -> the words after the alias
        self._calls: list[tuple[str, tuple[str | None, ...]]] = []  # the function calls being followed
        # Calls followed to their end, by function, arguments and context (`_call`): one met again whose
        # recorded reads find the same values is not followed again, only its effects are repeated (`_replay`).
        self._followed: dict[tuple, list[_Followed]] = {}
        self._cuts = 0  # calls, runs and strings not followed (past a limit): a call cut short is not kept
        self._expanding: set[str] = set()  # the aliases being expanded
        self._expansions = 0
        self._work = 0  # steps taken, bodies run again included
        self._replayed = 0  # steps of the bodies of calls whose runs were repeated without taking them again
        self._read: list[str] | None = None  # the variables the last `read` set
        self._runs_open = 0  # scripts being run inside one another
        self._too_deep = False
        self._defining = 0  # inside a function's body where it is defined: its arguments are judged at each call

    def run(self, script: Script, session: Session, frame: _Frame | None = None) -> None:
        frame = frame or _TOP
        self._produced.update(script.produced)
        for start, end, message in script.problems:
            reason = message.replace("; the rest was still checked", "").replace(" The rest was still checked.", "")
            unparsed = message.startswith(("This part of the script could not be parsed", "The script is incomplete"))
            self._unverifiable(start, end, reason.rstrip("."), frame, unknown="unparsed" if unparsed else "")
        if self._runs_open >= _MAX_RUNS_OPEN:  # loops in functions in aliases …: stop before Python's own limit
            self._cuts += 1
            if script.steps and not self._too_deep:
                self._too_deep = True  # once: every deeper run would say the same
                step = script.steps[0]
                start, end = (
                    step.layer.span(step.words[0])
                    if isinstance(step, RawCommand) and step.words
                    else (step.layer.doc(0), step.layer.doc(0) + 1)
                )
                self._unverifiable(
                    start, end, "loops, functions and aliases nest deeper here than blastguard follows", frame
                )
            return
        self._runs_open += 1
        try:
            self._steps(script, session, frame)
        finally:
            self._runs_open -= 1

    def _steps(self, script: Script, session: Session, frame: _Frame) -> None:
        self._work += len(script.steps)
        for step in script.steps:
            if isinstance(step, Binding):
                self._bind(step, session)
            elif isinstance(step, Loop):
                self._loop(step, session, frame)
            elif isinstance(step, Function):
                self._define(step, session, frame)
            else:
                self._command(step, session, frame)

    def _unverifiable(self, start: int, end: int, reason: str, frame: _Frame, unknown: str = "") -> None:
        """A stand-in command for a part that could not be checked completely: SH900 reports it."""
        reason = reason[0].lower() + reason[1:] if reason[:2] != reason[:2].upper() else reason
        word = Word("", (start,), start, max(end, start + 1), literal=False)
        self._add(Command([word], {}, wrappers=frame.wrappers, via=frame.via, unresolved=reason, unknown=unknown))

    def _budget(self, start: int, end: int, frame: _Frame) -> bool:
        """Count one more loop run, call or alias expansion; False (and reported once) past the budget."""
        self._expansions += 1
        if (self._work > _MAX_WORK or self._replayed > _MAX_REPLAYED) and self._expansions <= _MAX_EXPANSIONS:
            self._expansions = _MAX_EXPANSIONS + 1  # as many steps as a long script: stop re-running bodies
        if self._expansions == _MAX_EXPANSIONS + 1:
            self._unverifiable(
                start,
                end,
                f"the script runs loop bodies, function calls and aliases more than "
                f"{_MAX_EXPANSIONS} times or {_MAX_WORK} steps, more than blastguard follows, so from "
                "here on they are not checked with their values",
                frame,
            )
        if self._expansions > _MAX_EXPANSIONS:
            self._cuts += 1
            return False
        return True

    # --- functions and loops -------------------------------------------------------------------

    def _define(self, function: Function, session: Session, frame: _Frame) -> None:
        """A function's body is checked where it is defined, with its arguments unknown, and again at each call."""
        saved = session.arguments([])
        for name in ("@", "*", "#"):
            session.variables[name] = None
        self._defining += 1
        try:
            self.run(function.body, session, frame)
        finally:
            self._defining -= 1
            session.restore_arguments(saved)
        session.define(function.name, function)

    def _call(self, function: Function, words: list[Word], session: Session, frame: _Frame) -> bool:
        """Run `function`'s body with its arguments bound; False when it was not followed."""
        arguments = tuple(w.value if w.literal else None for w in words[1:])
        if (function.name, arguments) in self._calls:
            self._cuts += 1
            return True  # the same call is already being followed: recursion adds nothing new
        start, end = words[0].start, words[-1].end
        # What the run depends on besides the shell's state. The wrappers are left out: they only name the
        # runners in the messages, and a command met again at the same place with the same words is
        # reported once whatever runs it (`_add`).
        key = (function, arguments, frame.replace(wrappers=()), self._defining > 0, frozenset(self._expanding))
        if self._replay(key, function, session, start, end, frame):
            return True
        if len(self._calls) >= _MAX_CALLS:
            self._cuts += 1
            self._unverifiable(
                start,
                end,
                f"function calls nest more than {_MAX_CALLS} deep here (`{function.name}`), "
                "deeper than blastguard follows",
                frame,
            )
            return True
        if not self._budget(start, end, frame):
            return False
        self._calls.append((function.name, arguments))
        saved = session.arguments(words[1:])
        recording = session.record()
        cuts, files, read = self._cuts, len(self.writes), self._read
        try:
            self.run(function.body, session, frame.replace(wrappers=frame.wrappers + (f"function {function.name}",)))
        finally:
            session.stop(recording)
            session.restore_arguments(saved)
            self._calls.pop()
        if self._cuts == cuts:  # followed to its end: an identical call finds nothing new
            self._followed.setdefault(key, []).append(
                _Followed(
                    tuple(recording.reads.items()),
                    tuple(recording.writes.items()),
                    tuple(w for _, w in self.writes[files:]),
                    None if self._read is read else (self._read,),
                )
            )
        return True

    def _replay(self, key: tuple, function: Function, session: Session, start: int, end: int, frame: _Frame) -> bool:
        """A call identical to one followed to its end before (the same `key`, and every value that one read
        the same now) runs the same way: do what it did to the shell instead of running its body again.
        Comparing counts towards the work budget; the body's own steps (not those of the calls in it) count
        towards `_MAX_REPLAYED`, so that calling a long function very many times still reaches the budget."""
        if self._expansions > _MAX_EXPANSIONS or self._work > _MAX_WORK or self._replayed > _MAX_REPLAYED:
            return False  # past the budget: the call is not followed (`_budget` says so)
        for followed in self._followed.get(key, ()):
            self._work += 1 + len(followed.reads) // _READS_PER_STEP
            if session.matches(followed.reads):
                break
        else:
            return False
        session.replay(followed.reads, followed.writes)
        self._wrote(followed.files)
        if followed.read is not None:
            self._read = followed.read[0]
        self._replayed += len(function.body.steps)
        if self._replayed > _MAX_REPLAYED:
            self._budget(start, end, frame)  # reported once, where it is reached
        return True

    def _wrote(self, files: list[Word] | tuple[Word, ...]) -> None:
        """Note the files written here; one written before is known to be written already (calls of a
        logging function would otherwise note its log file again at each call)."""
        for word in files:
            key = (word.value, word.start, word.end)
            if key not in self._written:
                self._written.add(key)
                self.writes.append((len(self.commands), word))

    def _loop(self, loop: Loop, session: Session, frame: _Frame) -> None:
        # `done > f`: the loop writes f
        self._wrote([decode(node, loop.layer, session.lookup, self._substitute) for node in loop.feed.output_files])
        if loop.variable is None:
            self._while(loop, session, frame)
            return
        values, unknown = self._loop_values(loop, session)
        self._runs(loop, [[v] for v in values], [loop.variable], unknown, session, frame)

    def _loop_values(self, loop: Loop, session: Session) -> tuple[list[str], str | None]:
        """The literal values of a `for`/`select` list, and where the others come from (None: all known)."""
        if loop.values is None:  # `for d; do`: the positional parameters
            known = session.variables.get("@")
            if known is not None:
                return known.split(), None
            return [], None if self._defining else "the script's arguments (`$@`)"
        values, unknown = [], []
        for node in loop.values:
            if node.type == "command_substitution" and _under_working_directory(self._writer(node, loop.layer)):
                continue  # `for f in $(find . -name '*.pyc')`: paths below the current directory
            try:
                words = decode_fields(node, loop.layer, session.lookup, self._substitute)
            except TooManyWords as error:
                unknown.append(f"a brace expansion too large to list ({str(error)[:40]})")
                continue
            for word in words:
                if word.literal:
                    values.append(word.value)
                elif self._defining and _POSITIONAL_EXPANSION.fullmatch(word.value):
                    continue  # a function's own arguments: judged where it is called
                else:
                    unknown.append(f"`{word.value}`" if len(word.value) <= 40 else f"`{word.value[:39]}…`")
        return values, ("the loop over " + ", ".join(unknown)) if unknown else None

    def _while(self, loop: Loop, session: Session, frame: _Frame) -> None:
        """`while read d; do …; done <<< "…"`: the body runs once per line the loop reads."""
        self._read = None
        self.run(loop.condition, session, frame)
        names, self._read = self._read, None
        if not names:
            self.run(loop.body, session, frame)
            return
        upstream = self._by_raw.get(loop.feed.upstream) if loop.feed.upstream is not None else None
        feed = self._stdin(loop.feed, upstream, session)
        text = feed.text if feed is not None else None
        if text is not None and text.literal:
            lines = [_read_fields(line, len(names)) for line in text.value.split("\n") if line.strip()]
            unknown = None
            if len(lines) > _MAX_LINES:
                lines, unknown = lines[:_MAX_LINES], f"the lines the loop reads after the first {_MAX_LINES}"
            self._runs(loop, lines, names, unknown, session, frame)
            return
        if text is not None:
            source = f"`{text.value[:40]}`"
        elif feed is not None and feed.file is not None:
            source = f"the file `{feed.file.value[:40]}`"
        elif upstream is not None:
            source = f"`{upstream.text(40)}`"
        else:
            source = "standard input"
        self._runs(loop, [], names, f"the lines `read` takes from {source}", session, frame)

    def _runs(
        self, loop: Loop, rows: list[list[str]], names: list[str], unknown: str | None, session: Session, frame: _Frame
    ) -> None:
        """The loop body once per row of values (bound to `names`), then once more with the unknown ones."""
        start, end = loop.span
        done = set()
        for row in rows:
            if tuple(row) in done:
                continue
            done.add(tuple(row))
            if not self._budget(start, end, frame):
                unknown = unknown or "a loop run more often than blastguard follows"
                break
            for name, value in zip(names, row):
                session.set(name, value)
            self.run(loop.body, session, frame)
        if unknown is not None or not rows:
            for name in names:
                session.set(name, None, unknown)
            self.run(loop.body, session, frame)
        for name in names:
            session.set(name, None)

    def _writer(self, node, layer: Layer) -> Command | None:
        """The command whose output a `$(…)` or `<(…)` is."""
        raw = self._produced.get((layer, node.start_byte))
        return self._by_raw.get(raw) if raw is not None else None

    def _substitute(self, node, layer: Layer) -> Word | None:
        """What `$(…)` writes when its last command's output is literal; `<(…)` is remembered by its span."""
        writer = self._writer(node, layer)
        if node.type == "process_substitution":
            self._process_feeds[layer.span(node)] = writer
            return None
        output = writer.output if writer is not None else None
        return output.text if output is not None and output.text is not None and output.text.literal else None

    # --- variables ------------------------------------------------------------------------------

    def _bind(self, binding: Binding, session: Session) -> None:
        name = binding.name
        if binding.assigns:
            before = self._kept(session, name, binding.conditional)
            node = binding.value if not isinstance(binding.value, str) else None
            others = []
            for variant in self._variants([binding.layer.source(node)] if node is not None else [], session)[0]:
                saved = session.try_values(variant, _BRANCH_VALUE)
                try:
                    others.append(self._assigned(binding, session))
                finally:
                    session.restore_values(saved)
            value = self._assigned(binding, session)
            session.set(name, value)
            session.set_alternatives(name, _others(value, others + before))
        if binding.exported:
            session.export(name)

    def _assigned(self, binding: Binding, session: Session) -> str | None:
        """The value `binding` gives its variable, None when it is only known at run time."""
        if isinstance(binding.value, str) or binding.value is None:
            return binding.value
        value = decode(binding.value, binding.layer, session.lookup, self._substitute)
        return value.value if value.literal else None

    def _kept(self, session: Session, name: str, conditional: bool) -> list[str | None]:
        """What `name` may still hold after an assignment to it that may not run (none where it surely runs,
        or in a repository check): its value and its other values now (read, so a call replays it rightly)."""
        if not (conditional and self.branch_values):
            return []
        return [session.lookup(name), *session.other_values({name}).get(name, ())]

    def _variants(self, texts: list[str], session: Session) -> tuple[list[dict[str, str | None]], bool]:
        """The other values the variables `texts` name may hold, one dict per combination, and whether that is
        all of them: past _MAX_VARIANTS, one dict with them all unknown, and False."""
        if not self.branch_values or (not session.alternatives and not session.recording):
            return [], True
        # Only what its own words name: what a function, an alias, `eval` or a sourced script runs is checked
        # command by command, each with the other values of what it reads.
        others = session.other_values({n for text in texts for n in _READS.findall(text)})
        names = sorted(others)
        if not names:
            return [], True
        # (their values read first, so that a call records what it found, not a value tried here)
        choices = [(session.lookup(n), *others[n]) for n in names]
        combinations = itertools.islice(itertools.product(*choices), 1, _MAX_VARIANTS + 2)  # (the first: as now)
        variants = [dict(zip(names, values)) for values in combinations]
        if len(variants) > _MAX_VARIANTS:
            return [dict.fromkeys(names)], False
        return variants, True

    # --- commands -------------------------------------------------------------------------------

    def _command(self, raw: RawCommand, session: Session, frame: _Frame) -> None:
        """The command with the values its variables have, after each combination of the other values a
        branch may have left in them (`x=/; if …; then x=build; fi; rm -rf "$x"` may delete /)."""
        nodes = [*raw.assignments, *raw.words, *raw.output_files, raw.heredoc, raw.herestring, raw.input_file]
        texts = [raw.layer.source(node) for node in nodes if node is not None]
        variants, complete = self._variants(texts, session)
        if not complete:
            start, end = raw.layer.span(raw.words[0]) if raw.words else (0, 0)
            self._unverifiable(
                start,
                end,
                f"the command reads variables ({', '.join(sorted(variants[0]))}) that assignments which may not "
                f"have run leave with more than {_MAX_VARIANTS} combinations of values, more than blastguard checks",
                frame,
            )
        for variant in variants:
            saved = session.try_values(variant, _BRANCH_VALUE)
            try:
                self._command_with_values(raw, session, frame)
            finally:
                session.restore_values(saved)
        self._command_with_values(raw, session, frame)
        self._trailing.pop(raw, None)

    def _command_with_values(self, raw: RawCommand, session: Session, frame: _Frame) -> None:
        lookup = session.lookup
        leading: dict[str, str] = {}
        for assignment in raw.assignments:
            name, value = assignment.child_by_field_name("name"), assignment.child_by_field_name("value")
            word = decode(value, raw.layer, lookup, self._substitute) if value is not None else None
            if name is not None and word is not None and word.literal:
                leading[raw.layer.source(name)] = word.value
        written = [decode(node, raw.layer, lookup, self._substitute) for node in raw.output_files]
        self._wrote(written)
        words = []
        for node in raw.words:
            try:
                words += decode_fields(node, raw.layer, lookup, self._substitute)
                if len(words) > MAX_BRACE_WORDS:
                    raise TooManyWords(raw.layer.source(node))
            except TooManyWords as error:
                start, end = raw.layer.span(node)
                self._unverifiable(
                    start, end, f"the brace expansion `{str(error)[:40]}` makes more words than blastguard reads", frame
                )
                return
        words += self._trailing.get(raw, [])
        if not words:
            return
        if words[0].literal and self._expand(words, session, frame):
            return
        upstream = self._by_raw.get(raw.upstream) if raw.upstream is not None else None
        stdin = self._stdin(raw, upstream, session)
        command = self._unwrap(words, {**session.environment(), **leading}, stdin, upstream, session, frame)
        if command is not None:
            if written:
                command.writes = tuple(written)
            self._by_raw[raw] = command
            self._conditional = raw.conditional
            self._builtin(command, session, frame)

    def _expand(self, words: list[Word], session: Session, frame: _Frame) -> bool:
        """An alias or a function called by `words`: followed here; True when nothing else runs."""
        name = words[0].value
        is_alias, value = session.alias(name) if name not in self._expanding else (False, None)
        if is_alias:
            if value is None:
                self._add(
                    Command(
                        words,
                        {},
                        wrappers=frame.wrappers,
                        via=frame.via,
                        unresolved=f"the alias `{name}` is only known when the script runs",
                    )
                )
                return True
            if not self._budget(words[0].start, words[0].end, frame) or not value.value.strip():
                return False
            layer = Layer(value.value, list(value.offsets), depth=frame.depth + 1)
            script = parse_script(self.parser, layer)
            last = next((s for s in reversed(script.steps) if isinstance(s, RawCommand)), None)
            if last is not None and len(words) > 1:
                self._trailing[last] = words[1:]
            self._expanding.add(name)
            try:
                self.run(script, session, frame.replace(wrappers=frame.wrappers + (f"alias {name}",)))
            finally:
                self._expanding.discard(name)
            return True
        function = session.function(name)
        return function is not None and self._call(function, words, session, frame)

    def _set_by_builtin(self, session: Session, name: str, value: str | None) -> None:
        """`read` or `printf -v` sets `name`; where it may not run, the variable may keep what it held."""
        before = self._kept(session, name, self._conditional)
        session.set(name, value)
        session.set_alternatives(name, _others(value, before))

    def _builtin(self, command: Command, session: Session, frame: _Frame) -> None:
        """What `read`, `printf -v`, `set --`, `alias`, `unalias` and `find -exec` do to the shell or run."""
        program = command.program
        if program == "read":
            argv = parse(command.args, _READ)[0]
            names = [w.value for w in argv.positionals] or ["REPLY"]
            text = command.stdin.text if command.stdin is not None else None
            line = text.value.split("\n", 1)[0] if text is not None and text.literal and not argv.has("-a") else None
            values: Sequence[str | None] = _read_fields(line, len(names)) if line is not None else [None] * len(names)
            for name, value in zip(names, values):  # `read -r cmd <<< 'literal'` sets a known value
                self._set_by_builtin(session, name, value)
            self._read = names
        elif program == "printf" and len(command.args) > 2 and command.args[0].value == "-v":
            written = _output(Command([command.words[0], *command.args[2:]], {}))
            text = written.text if written is not None else None
            self._set_by_builtin(
                session, command.args[1].value, text.value if text is not None and text.literal else None
            )
        elif program == "set":
            given = [w.value for w in command.args]
            conditional = self._conditional and self.branch_values
            if "--" in given:
                session.arguments(command.args[given.index("--") + 1 :], conditional)
            elif given and not given[0].startswith(("-", "+")):
                session.arguments(command.args, conditional)
        elif program == "alias":
            for word in command.args:
                name, equals, _ = word.value.partition("=")
                if equals and name:
                    session.set_alias(name, word.slice(len(name) + 1) if word.literal else None)
        elif program == "unalias":
            names = [w.value for w in command.args]
            if "-a" in names:
                session.unalias_all()
            for name in names:
                if name != "-a":
                    session.unalias(name)
        elif program == "find":
            self._find_exec(command, session, frame)

    def _find_exec(self, command: Command, session: Session, frame: _Frame) -> None:
        """`find … -exec sh -c '…' \\;`: the command `-exec` runs, with `{}` for each path found."""
        args = command.args
        for index, word in enumerate(args):
            if word.value in ("-exec", "-execdir", "-ok", "-okdir"):
                end = next((i for i in range(index + 1, len(args)) if args[i].value in (";", "+")), len(args))
                if end > index + 1:  # `{}` stands for each path: SH301 judges those through find's roots
                    inner = frame.replace(wrappers=frame.wrappers + (f"find {word.value}",))
                    self._unwrap(args[index + 1 : end], command.env, None, None, session, inner)

    def _stdin(self, raw: RawCommand, upstream: Command | None, session: Session) -> Feed | None:
        if raw.heredoc is not None:
            return Feed(
                text=decode_heredoc(
                    raw.heredoc, raw.layer, session.lookup, raw.heredoc_expands, raw.heredoc_strips_tabs
                )
            )
        if raw.herestring is not None:
            return Feed(text=decode(raw.herestring, raw.layer, session.lookup))
        if raw.input_file is not None:
            file = decode(raw.input_file, raw.layer, session.lookup, self._substitute)
            writer = self._process_feeds.get((file.start, file.end))
            if writer is not None and writer.output is not None and writer.output.text is not None:
                return writer.output  # `sh < <(echo …)`
            return Feed(file=file)
        return upstream.output if upstream is not None else None

    def _unwrap(
        self,
        words: list[Word],
        env: dict[str, str],
        stdin: Feed | None,
        upstream: Command | None,
        session: Session,
        frame: _Frame,
    ) -> Command | None:
        while words and words[0].literal:
            name = os.path.basename(words[0].value)
            handler = _WRAPPERS.get(name)
            if name in _ASSIGNING:
                unwrapped = _ASSIGNING[name](words[1:], self.assignments_with_values)
            else:
                unwrapped = handler(words[1:]) if handler else None
            if unwrapped is None:
                break
            env = {**({} if unwrapped.clears_env else env), **unwrapped.env}
            via = tuple(evidence for evidence, target in unwrapped.targets if self.names.matches(target))
            from_stdin = frame.arguments_from_stdin or unwrapped.arguments_from_stdin
            inner = frame.replace(
                wrappers=frame.wrappers + (unwrapped.label,), via=frame.via + via, arguments_from_stdin=from_stdin
            )
            if unwrapped.script is not None:
                self._script(
                    unwrapped.script,
                    session if unwrapped.same_shell else session.child(env),
                    inner,
                    unwrapped.script_arguments,
                )
                return None
            if unwrapped.script_from_stdin:
                return self._stdin_script(words, env, stdin, upstream, session, frame, inner)
            words, frame = unwrapped.words, inner
            if unwrapped.split is not None:
                words = self._split(unwrapped.split, session) + words
        if not words:
            return None
        unresolved, unknown = None, ""
        name = os.path.basename(words[0].value) if words[0].literal else ""
        script_file = _script_operand(name, words[1:])
        if name in ("source", ".") and script_file is not None and script_file.value in _STDIN_FILES:
            inner = frame.replace(wrappers=frame.wrappers + (name,))
            return self._stdin_script(words, env, stdin, upstream, session, frame, inner, same_shell=True)
        if script_file is not None and (script_file.start, script_file.end) in self._process_feeds:
            writer = self._process_feeds[(script_file.start, script_file.end)]
            output = writer.output.text if writer is not None and writer.output is not None else None
            if output is not None and output.literal:  # `bash <(echo …)`, `source <(printf …)`
                label = f"{name} <(…)"
                session = session if name in ("source", ".") else session.child(env)
                self._script(output, session, frame.replace(wrappers=frame.wrappers + (label,)))
                return None
            shown = f"`{writer.text(40)}`" if writer is not None else f"`{script_file.value[:40]}`"
            unresolved = f"`{name}` runs the script that {shown} writes"
        elif not words[0].literal and not _known_program(words[0].value):
            unresolved, unknown = f"the command name `{words[0].value}` is only known when the script runs", "program"
        elif name in ("source", ".") and len(words) > 1 and not words[1].literal:
            unresolved = f"`{words[0].value}` runs a script that is only known when the script runs ({words[1].value})"
            unknown = "script"
        inputs = session.inputs_used(words)
        runs_command = unknown == "program" and len(words) > 1 and _command_name(words[1])
        command = self._add(
            Command(
                words,
                env,
                wrappers=frame.wrappers,
                via=frame.via,
                stdin=stdin,
                upstream=upstream,
                arguments_from_stdin=frame.arguments_from_stdin,
                unresolved=unresolved,
                unknown=unknown,
                runs_command=runs_command,
                defining=self._defining > 0,
                in_run_time_text=frame.from_values,
                inputs=inputs,
            )
        )
        if runs_command:  # `$SUDO rm -rf /d`, `$CHROOTEXEC apt-get clean`: the rest is checked as what it runs
            inner = frame.replace(wrappers=frame.wrappers + (words[0].value,))
            self._unwrap(words[1:], env, stdin, upstream, session, inner)
        return command

    def _add(self, command: Command) -> Command:
        # A function's body is met where it is defined and at each call: an unknown argument there is the
        # same text, but what a call leaves unknown is judged on its own (SH900 keeps the graver of the two).
        stdin = command.stdin
        key = (
            command.start,
            command.end,
            tuple(w.value for w in command.words),
            command.unresolved and command.defining,
            # what it reads changes what it does: `read -r c <<< "$1"` sets c to each call's value
            (stdin.text.value if stdin.text is not None else None, stdin.file.value if stdin.file else None)
            if stdin is not None
            else None,
        )
        if key in self._seen:  # reported once; what it writes and sets still counts where it is met again
            return self._seen[key]
        self._seen[key] = command
        command.index = len(self.commands)
        command.output = _output(command)
        self.commands.append(command)
        return command

    def _script(self, word: Word, session: Session, frame: _Frame, arguments: list[Word] | None = None) -> None:
        """Parse a string that a shell runs, with its offsets mapped to the document."""
        if not word.value.strip():
            return
        if frame.depth >= _MAX_LAYERS:
            self._cuts += 1
            self._unverifiable(
                word.start,
                word.end,
                f"strings run by a shell (`eval`, `bash -c`, …) nest more than "
                f"{_MAX_LAYERS} deep here, deeper than blastguard reads",
                frame,
            )
            return
        layer = Layer(word.value, list(word.offsets), depth=frame.depth + 1)
        script = parse_script(self.parser, layer)
        self.problems += script.problems
        if arguments is not None:  # `bash -c '…' name arg…`: `$0` is the name, `$1…` the arguments
            session.arguments(arguments[1:])
            if arguments:
                session.variables["0"] = arguments[0].value if arguments[0].literal else None
        self.run(
            script, session, frame.replace(depth=frame.depth + 1, from_values=frame.from_values or not word.literal)
        )

    def _stdin_script(
        self,
        words: list[Word],
        env: dict[str, str],
        stdin: Feed | None,
        upstream: Command | None,
        session: Session,
        frame: _Frame,
        inner: _Frame,
        same_shell: bool = False,
    ) -> Command | None:
        """A shell reading its script from standard input (or `source /dev/stdin`): a literal one is checked,
        any other is unknown."""
        if stdin is not None and stdin.text is not None:
            self._script(stdin.text, session if same_shell else session.child(env), inner)
            return None
        if stdin is None and upstream is None:
            return None  # an interactive shell
        unresolved = None
        if stdin is None:  # a script file (`bash < x.sh`, `cat x.sh | bash`) is like `bash x.sh`: not read here
            assert upstream is not None  # (without either, it returned above)
            unresolved = f"`{words[0].value}` runs a script it reads from `{upstream.text(40)}`"
        elif stdin.file is not None and (stdin.file.start, stdin.file.end) in self._process_feeds:
            unresolved = f"`{words[0].value}` runs the script that `{stdin.file.value[:40]}` writes"
        return self._add(
            Command(
                words,
                env,
                wrappers=frame.wrappers,
                via=frame.via,
                stdin=stdin,
                upstream=upstream,
                unresolved=unresolved,
            )
        )

    def _split(self, word: Word, session: Session) -> list[Word]:
        """`env -S 'terraform destroy'`: the string's words, read as the shell would read them."""
        script = parse_script(self.parser, Layer(word.value, list(word.offsets), depth=1))
        first = next((s for s in script.steps if isinstance(s, RawCommand)), None)
        return [decode(node, first.layer, session.lookup) for node in first.words] if first else []


_STDIN_FILES = frozenset({"/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
_READ = Syntax(options("-a", "-d", "-i", "-n", "-N", "-p", "-t", "-u"))


def _read_fields(line: str, count: int) -> list[str]:
    """The values `read a b c` gives its variables for `line`: one field each, the last takes the rest."""
    fields = line.split(None, count - 1) if count > 0 else []
    return fields + [""] * (count - len(fields))


def _under_working_directory(writer: Command | None) -> bool:
    """A `find` whose roots are all relative names below the current directory lists only paths there."""
    if writer is None or writer.program != "find":
        return False
    roots = []
    for word in writer.args:
        if word.value.startswith(("-", "(", "!")):
            break
        roots.append(word)
    return bool(roots) and all(w.literal and not w.value.startswith(("/", "~", "..")) for w in roots)


def _script_operand(name: str, args: list[Word]) -> Word | None:
    """The script file a shell or `source` runs: its first operand after the options."""
    if name in ("source", "."):
        return args[0] if args else None
    if name not in SHELLS:
        return None
    argv, rest = parse(args, _SHELL, stop_at_positional=True)
    return rest[0] if rest and not argv.has("-c") else None


# --- what a command writes ----------------------------------------------------------------------


def _output(command: Command) -> Feed | None:
    """The text `echo`, `printf` and `cat` write, when the script shows it, for the command they pipe into."""
    program, args = command.program, command.args
    if program == "echo":
        while args and re.fullmatch(r"-[neE]+", args[0].value):
            args = args[1:]
        return Feed(text=join(args)) if args else None
    if program == "printf":
        if not args or args[0].value.startswith("-"):
            return None
        if args[0].value in ("%s", "%s\\n") and len(args) > 1:  # the format applies to each argument in turn
            return Feed(text=join(args[1:], "\n" if args[0].value == "%s\\n" else ""))
        return Feed(text=_printf_escapes(args[0])) if "%" not in args[0].value.replace("%%", "") else None
    if program == "cat":
        files = [w for w in args if not (w.value.startswith("-") and w.value != "-")]
        if not files or [w.value for w in files] == ["-"]:
            return command.stdin
        return Feed(file=files[0]) if len(files) == 1 else None
    return None


_PRINTF_ESCAPES = {"\\n": "\n", "\\t": "\t", "\\\\": "\\", "\\r": "\r", "%%": "%"}


def _printf_escapes(word: Word) -> Word:
    """A printf format without directives, as printf writes it: `\\n` a line break, `%%` a percent sign."""
    value, offsets, index = [], [], 0
    while index < len(word.value):
        pair = word.value[index : index + 2]
        value.append(_PRINTF_ESCAPES.get(pair, pair[:1]))
        offsets.append(word.offsets[index])
        index += 2 if pair in _PRINTF_ESCAPES else 1
    offsets.append(offsets[-1] + 1 if offsets else word.start)
    return Word("".join(value), tuple(offsets), word.start, word.end, word.literal)


# --- wrappers -------------------------------------------------------------------------------------


def _after_options(args: list[Word], syntax: Syntax) -> list[Word]:
    return parse(args, syntax, stop_at_positional=True)[1]


_SUDO = Syntax(
    options(
        "-u",
        "-g",
        "-h",
        "-p",
        "-C",
        "-D",
        "-r",
        "-t",
        "-T",
        "-U",
        "-R",
        "--user",
        "--group",
        "--host",
        "--prompt",
        "--close-from",
        "--chdir",
        "--role",
        "--type",
        "--command-timeout",
        "--other-user",
        "--chroot",
    )
)
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def _sudo(args: list[Word], with_values: bool = False) -> _Unwrapped | None:
    """`sudo [options] [VAR=value …] cmd`; `with_values`: an assignment whose value is only known at run
    time (`VAR=$X`) is skipped too."""
    argv, rest = parse(args, _SUDO, stop_at_positional=True)
    if argv.has("-e", "--edit"):
        return None
    env = {}
    while rest and (rest[0].literal or with_values) and _ASSIGNMENT.match(rest[0].value):
        name, _, value = rest[0].value.partition("=")
        if rest[0].literal:
            env[name] = value
        rest = rest[1:]
    return _Unwrapped("sudo", rest, env) if rest else None


def _env(args: list[Word], with_values: bool = False) -> _Unwrapped | None:
    """`env [options] [VAR=value …] cmd`; `with_values` as for `_sudo`."""
    unwrapped = _Unwrapped("env")
    index = 0
    while index < len(args):
        word = args[index]
        text = word.value
        if text in ("-", "-i", "--ignore-environment"):
            unwrapped.clears_env = True
        elif text in ("-u", "--unset", "-C", "--chdir", "-P"):
            index += 1
        elif text in ("-S", "--split-string") and index + 1 < len(args):
            unwrapped.split = args[index + 1]
            index += 1
        elif text.startswith(("--split-string=", "-S")):
            unwrapped.split = word.slice(len("--split-string=") if text.startswith("--") else 2)
        elif text == "--":
            index += 1
            break
        elif text.startswith("-"):
            unwrapped.clears_env |= not text.startswith("--") and "i" in text
        elif _ASSIGNMENT.match(text) and (word.literal or with_values):
            name, _, value = text.partition("=")
            if word.literal:
                unwrapped.env[name] = value
        else:
            break
        index += 1
    unwrapped.words = args[index:]
    return unwrapped if unwrapped.words or unwrapped.split else None


def _plain(label: str, syntax: Syntax = PLAIN, skip_positionals: int = 0):
    """A wrapper that runs the rest of its words after its options (and `skip_positionals` operands)."""

    def unwrap(args: list[Word]) -> _Unwrapped | None:
        rest = _after_options(args, syntax)[skip_positionals:]
        return _Unwrapped(label, rest) if rest else None

    return unwrap


def _command(args: list[Word]) -> _Unwrapped | None:
    argv, rest = parse(args, Syntax(), stop_at_positional=True)
    if argv.has("-v", "-V"):
        return None  # `command -v rm` looks a program up without running it
    return _Unwrapped("command", rest) if rest else None


_XARGS = Syntax(
    options(
        "-I",
        "-L",
        "-n",
        "-P",
        "-s",
        "-d",
        "-E",
        "-a",
        "--arg-file",
        "--delimiter",
        "--max-args",
        "--max-procs",
        "--replace",
        "--max-lines",
        "--max-chars",
        "--eof",
        "--process-slot-var",
    )
)


def _xargs(args: list[Word]) -> _Unwrapped | None:
    rest = _after_options(args, _XARGS)
    return _Unwrapped("xargs", rest, arguments_from_stdin=True) if rest else None


_SHELL = Syntax(options("-o", "-O", "+O", "+o", "--rcfile", "--init-file"))


def _shell(label: str):
    def unwrap(args: list[Word]) -> _Unwrapped | None:
        argv, rest = parse(args, _SHELL, stop_at_positional=True)
        if argv.has("-c"):
            return _Unwrapped(f"{label} -c", script=rest[0], script_arguments=rest[1:]) if rest else None
        if not rest or argv.has("-s") or rest[0].value in ("-", "/dev/stdin"):
            return _Unwrapped(label, script_from_stdin=True)
        return None  # a script file: the command stays `bash file.sh`

    return unwrap


_SU = Syntax(
    options(
        "-c",
        "--command",
        "-s",
        "--shell",
        "-g",
        "--group",
        "-G",
        "--supp-group",
        "-w",
        "--whitelist-environment",
        "-u",
        "--user",
    )
)


def _su(label: str):
    def unwrap(args: list[Word]) -> _Unwrapped | None:
        argv, _ = parse(args, _SU)
        script = argv.value("-c", "--command")
        return _Unwrapped(f"{label} -c", script=script) if script is not None else None

    return unwrap


def _eval(args: list[Word]) -> _Unwrapped | None:
    return _Unwrapped("eval", script=join(args), same_shell=True) if args else None


def _trap(args: list[Word]) -> _Unwrapped | None:
    """`trap 'cmd' EXIT`: the string runs later, in this shell."""
    if args and args[0].value == "--":
        args = args[1:]
    if len(args) < 2 or args[0].value in ("-", "-p", "-l", "-P"):
        return None
    return _Unwrapped("trap", script=args[0], same_shell=True)


_SCRIPT = Syntax(
    options(
        "-c",
        "--command",
        "-E",
        "--echo",
        "-I",
        "--log-in",
        "-O",
        "--log-out",
        "-B",
        "--log-io",
        "-T",
        "--log-timing",
        "-m",
        "--logging-format",
        "-o",
        "--output-limit",
    )
)


def _script_command(args: list[Word]) -> _Unwrapped | None:
    """util-linux `script -c 'cmd' [file]`: records a shell running the command."""
    script = parse(args, _SCRIPT)[0].value("-c", "--command")
    return _Unwrapped("script -c", script=script) if script is not None else None


_FLOCK = Syntax(options("-w", "--wait", "--timeout", "-E", "--conflict-exit-code"))


def _flock(args: list[Word]) -> _Unwrapped | None:
    """`flock FILE cmd args` and `flock FILE -c 'cmd'`: the command runs holding the lock."""
    argv, rest = parse(args, _FLOCK, stop_at_positional=True)
    if len(rest) < 2:
        return None
    if rest[1].value in ("-c", "--command"):
        return _Unwrapped("flock -c", script=rest[2]) if len(rest) > 2 else None
    return _Unwrapped("flock", rest[1:])


_SSH = Syntax(
    options(
        "-b",
        "-c",
        "-D",
        "-E",
        "-e",
        "-F",
        "-I",
        "-i",
        "-J",
        "-L",
        "-l",
        "-m",
        "-O",
        "-o",
        "-p",
        "-Q",
        "-R",
        "-S",
        "-W",
        "-w",
        "-B",
        "-P",
    )
)


def _ssh(args: list[Word]) -> _Unwrapped | None:
    argv, _ = parse(args, _SSH)
    if not argv.positionals:
        return None
    host, remote = argv.positionals[0], argv.positionals[1:]
    targets = ((f"ssh {host.value}", host.value.rpartition("@")[2]),)
    if remote:
        return _Unwrapped("ssh", script=join(remote), targets=targets)
    return _Unwrapped("ssh", script_from_stdin=True, targets=targets)


def _kubectl(args: list[Word]) -> _Unwrapped | None:
    """`kubectl exec POD -- cmd`: the command runs in the pod."""
    syntax = GLOBAL_OPTIONS["kubectl"]
    values = [w.value for w in args]
    if "exec" not in values or "--" not in values:
        return None
    argv, _ = parse(args[: values.index("--")], syntax)
    if [w.value for w in argv.positionals[:1]] != ["exec"]:
        return None
    targets = tuple(
        (f"kubectl {o.name} {o.value.value}", o.value.value)
        for o in argv.options
        if o.value is not None and o.name in ("--context", "-n", "--namespace", "--cluster")
    )
    pods = argv.positionals[1:2]
    targets += tuple((f"kubectl exec {pod.value}", pod.value) for pod in pods)
    return _Unwrapped("kubectl exec", args[values.index("--") + 1 :], targets=targets)


_DOCKER_EXEC = Syntax(
    options("-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys", "--index")
)
_COMPOSE = Syntax(
    options(
        "-f",
        "--file",
        "-p",
        "--project-name",
        "--project-directory",
        "--env-file",
        "--profile",
        "--ansi",
        "--parallel",
        "--progress",
    )
)


def _docker(args: list[Word]) -> _Unwrapped | None:
    """`docker exec CONTAINER cmd`, `docker run IMAGE cmd` (also as `docker container …`), and `docker
    compose exec|run SERVICE cmd`; podman's are the same."""
    rest = _after_options(args, GLOBAL_OPTIONS["docker"])
    if rest and rest[0].value == "compose":
        return _compose(rest[1:])
    if rest and rest[0].value == "container":
        rest = rest[1:]
    if rest and rest[0].value == "run":
        return _run_container(rest[1:])
    return _exec_in_container(rest[1:]) if rest and rest[0].value == "exec" else None


# `docker run` options that take a value: an unknown one is read as a flag, and the value after it
# would be taken for the image, so the command checked would be the wrong one; the common ones are here.
_DOCKER_RUN = Syntax(
    options(
        "-a",
        "--attach",
        "--add-host",
        "--cap-add",
        "--cap-drop",
        "--cgroup-parent",
        "--cidfile",
        "-c",
        "--cpu-shares",
        "--cpus",
        "--cpuset-cpus",
        "--device",
        "--dns",
        "--dns-search",
        "--dns-option",
        "-e",
        "--env",
        "--env-file",
        "--entrypoint",
        "--expose",
        "--gpus",
        "--group-add",
        "-h",
        "--hostname",
        "--health-cmd",
        "--health-interval",
        "--ip",
        "--ipc",
        "-l",
        "--label",
        "--label-file",
        "--link",
        "--log-driver",
        "--log-opt",
        "-m",
        "--memory",
        "--memory-swap",
        "--mount",
        "--name",
        "--network",
        "--net",
        "--network-alias",
        "--pid",
        "--platform",
        "-p",
        "--publish",
        "--pull",
        "--restart",
        "--runtime",
        "--security-opt",
        "--shm-size",
        "--stop-signal",
        "--stop-timeout",
        "--sysctl",
        "--tmpfs",
        "-u",
        "--user",
        "--ulimit",
        "--userns",
        "-v",
        "--volume",
        "--volumes-from",
        "-w",
        "--workdir",
    )  # fmt: skip
)


def _run_container(args: list[Word]) -> _Unwrapped | None:
    """`docker run [options] IMAGE cmd`: the command runs in a new container, on the volumes it mounts
    (`-v pgdata:/var/lib/postgresql/data`). `--entrypoint sh` makes `sh` the program and the rest its
    arguments."""
    argv, rest = parse(args, _DOCKER_RUN, stop_at_positional=True)
    entrypoint = argv.values("--entrypoint")
    command = [*entrypoint[-1:], *rest[1:]]
    if not rest or not command:
        return None
    return _Unwrapped("docker run", command, targets=((f"docker run {rest[0].value}", rest[0].value),))


def _exec_in_container(args: list[Word]) -> _Unwrapped | None:
    """The arguments of `exec`: options, the container or service, then the command it runs."""
    rest = _after_options(args, _DOCKER_EXEC)
    if len(rest) < 2:
        return None
    return _Unwrapped("docker exec", rest[1:], targets=((f"docker exec {rest[0].value}", rest[0].value),))


def _compose(args: list[Word]) -> _Unwrapped | None:
    argv, rest = parse(args, _COMPOSE, stop_at_positional=True)
    if rest and rest[0].value == "run":
        unwrapped = _run_in_service(rest[1:])
    else:
        unwrapped = _exec_in_container(rest[1:]) if rest and rest[0].value == "exec" else None
    if unwrapped is None:
        return None
    # `-f docker-compose.prod.yml`, `-p shop-production`: the stack the service belongs to
    stack = [
        (o.name, o.value.value) for o in argv.options if o.value and o.name in ("-f", "--file", "-p", "--project-name")
    ]
    targets = tuple((f"docker compose {name} {value}", value) for name, value in stack)
    return unwrapped.replace(targets=targets + unwrapped.targets)


_COMPOSE_RUN = Syntax(
    options(
        "-e",
        "--env",
        "--env-from-file",
        "-u",
        "--user",
        "-w",
        "--workdir",
        "--name",
        "--entrypoint",
        "-p",
        "--publish",
        "-v",
        "--volume",
        "-l",
        "--label",
        "--cap-add",
        "--cap-drop",
        "--pull",
    )
)


def _run_in_service(args: list[Word]) -> _Unwrapped | None:
    """`docker compose run [options] SERVICE cmd`: the command runs in a new container of the service."""
    rest = _after_options(args, _COMPOSE_RUN)
    if len(rest) < 2:
        return None
    return _Unwrapped("docker compose run", rest[1:], targets=((f"docker compose run {rest[0].value}", rest[0].value),))


_WATCH = Syntax(options("-n", "--interval", "-q", "--equexit"))


def _watch(args: list[Word]) -> _Unwrapped | None:
    argv, rest = parse(args, _WATCH, stop_at_positional=True)
    if not rest:
        return None
    return _Unwrapped("watch", rest) if argv.has("-x", "--exec") else _Unwrapped("watch", script=join(rest))


# Package runners: they run a project's or a package's own tool (`npx prisma …`, `bundle exec rails …`,
# `poetry run python manage.py …`). Unwrapped only when the tool is named literally: `npx $TOOL` stays
# the runner itself, as before, rather than an unknown program.
_NPX = Syntax(options("-p", "--package", "-c", "--call", "--cache", "--userconfig", "-w", "--workspace"))
_NODE_RUNNER = Syntax(options("-C", "--dir", "--filter", "-F", "--prefix", "--workspace", "-w", "-p", "--package"))
_UV_RUN = Syntax(
    options(
        "--with",
        "--with-requirements",
        "--with-editable",
        "-p",
        "--python",
        "--project",
        "--directory",
        "--env-file",
        "--extra",
        "--group",
        "--package",
        "--index",
        "--index-url",
        "--extra-index-url",
    )
)
_HEROKU_RUN = Syntax(options("-a", "--app", "-r", "--remote", "-s", "--size", "-e", "--env", "-t", "--type"))


def _runner(label: str, syntax: Syntax = PLAIN, subcommands: tuple[str, ...] = ()):
    """`npx [options] tool …`; with `subcommands`, only `pnpm exec tool …`, `yarn dlx tool …` and the like."""

    def unwrap(args: list[Word]) -> _Unwrapped | None:
        argv, rest = parse(args, syntax, stop_at_positional=True)
        if subcommands:
            if not rest or rest[0].value not in subcommands:
                return None
            shown = f"{label.partition(' ')[0]} {rest[0].value}"
            argv, rest = parse(rest[1:], syntax, stop_at_positional=True)
        else:
            shown = label
        script = argv.value("-c", "--call") if syntax is _NPX else None
        if script is not None:
            return _Unwrapped(f"{shown} -c", script=script)
        return _Unwrapped(shown, rest) if rest and _runs_tool(rest[0]) else None

    return unwrap


def _runs_tool(word: Word) -> bool:
    """`prisma`, `bin/rails`: a tool named literally, not an option or a run-time value."""
    return word.literal and not word.value.startswith("-")


def _heroku(args: list[Word]) -> _Unwrapped | None:
    """`heroku run [-a app] cmd …`: the command runs in a dyno of that app. Heroku reads its own options
    after the command too (`heroku run rails db:migrate -a app`), up to a `--`."""
    if not args or args[0].value not in ("run", "run:detached", "run:inside"):
        return None
    argv, rest = parse(args[1:], _HEROKU_RUN, stop_at_positional=True)
    apps = argv.values("-a", "--app", "-r", "--remote")
    command: list[Word] = []
    index = 0
    while index < len(rest):
        word = rest[index]
        if word.value == "--":
            command += rest[index + 1 :]
            break
        name = word.value.partition("=")[0]
        if name in ("-a", "--app", "-r", "--remote"):
            if "=" in word.value:
                apps.append(word.slice(len(name) + 1))
            elif index + 1 < len(rest):
                apps.append(rest[index + 1])
                index += 1
            index += 1
            continue
        command.append(word)
        index += 1
    if not command or not _runs_tool(command[0]):
        return None
    targets = tuple((f"heroku run --app {app.value}", app.value) for app in apps)
    return _Unwrapped("heroku run", command, targets=targets)


_ASSIGNING = {"sudo": _sudo, "env": _env}  # wrappers that take `VAR=value` words before the command
_WRAPPERS = {
    "sudo": _sudo,
    "doas": _plain("doas", Syntax(options("-u", "-C"))),
    "env": _env,
    "nohup": _plain("nohup"),
    "setsid": _plain("setsid"),
    "busybox": _plain("busybox"),
    "builtin": _plain("builtin"),
    "exec": _plain("exec", Syntax(options("-a"))),
    "time": _plain("time", Syntax(options("-f", "--format", "-o", "--output"))),
    "nice": _plain("nice", Syntax(options("-n", "--adjustment"))),
    "ionice": _plain("ionice", Syntax(options("-c", "--class", "-n", "--classdata", "-p", "-P", "-u"))),
    "stdbuf": _plain("stdbuf", Syntax(options("-i", "-o", "-e", "--input", "--output", "--error"))),
    "timeout": _plain("timeout", Syntax(options("-s", "--signal", "-k", "--kill-after")), skip_positionals=1),
    "command": _command,
    "xargs": _xargs,
    "watch": _watch,
    "eval": _eval,
    "ssh": _ssh,
    "kubectl": _kubectl,
    "docker": _docker,
    "podman": _docker,
    "docker-compose": _compose,
    "su": _su("su"),
    "runuser": _su("runuser"),
    "trap": _trap,
    "script": _script_command,
    "flock": _flock,
    "chroot": _plain("chroot", Syntax(options("--userspec", "--groups")), skip_positionals=1),
    "dbus-launch": _plain("dbus-launch", Syntax(options("--config-file", "--autolaunch"))),
    "npx": _runner("npx", _NPX),
    "pnpx": _runner("pnpx", _NPX),
    "bunx": _runner("bunx", _NPX),
    "npm": _runner("npm exec", _NPX, ("exec", "x")),
    "pnpm": _runner("pnpm exec", _NODE_RUNNER, ("exec", "dlx")),
    "yarn": _runner("yarn exec", _NODE_RUNNER, ("exec", "dlx")),
    "bun": _runner("bun x", _NODE_RUNNER, ("x",)),
    "bundle": _runner("bundle exec", PLAIN, ("exec",)),
    "poetry": _runner("poetry run", PLAIN, ("run",)),
    "pipenv": _runner("pipenv run", PLAIN, ("run",)),
    "pdm": _runner("pdm run", PLAIN, ("run",)),
    "uv": _runner("uv run", _UV_RUN, ("run",)),
    "heroku": _heroku,
    **{shell: _shell(shell) for shell in SHELLS},
}


_PROGRAM_NAME = re.compile(r"[A-Za-z0-9._+-]+")
_COMMAND_NAME = re.compile(r"(?:/[A-Za-z0-9._+-]+)+|[A-Za-z_][A-Za-z0-9._+-]*")


def _command_name(word: Word) -> bool:
    """`apt-get`, `/sbin/ldconfig`: a word written as a program's name, not an option or an operand's value."""
    return word.literal and _COMMAND_NAME.fullmatch(word.value) is not None


def _known_program(value: str) -> bool:
    """`"$VENV/bin/pip"`: the folder is only known at run time, the program is not."""
    folder, slash, name = value.rpartition("/")
    return bool(slash) and "$(" not in folder and "`" not in folder and bool(_PROGRAM_NAME.fullmatch(name))
