"""The normalised command view: what each command of a script runs, once its disguises are removed.

Wrappers are unwrapped (`sudo`, `env`, `nohup`, `timeout`, `nice`, `time`, `command`, `exec`, `xargs`,
`watch`), strings run by another shell are parsed in turn (`bash -c`, `sh -c`, `su -c`, `eval`, `ssh
host '…'`, `kubectl exec … --`, `docker exec`, a heredoc or `echo` piped into `sh`), leading `VAR=value`
assignments and earlier `export`s become the command's environment, and variables set to a literal
earlier in the script are expanded. What cannot be known before the script runs (`$CMD …`,
`curl … | sh`) is kept as an unresolved command that says why.
"""

from __future__ import annotations

import os
import re

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: the parser is loaded by shell_syntax, without the packages' __init__
    from tree_sitter import Node, Parser

from blastguard.context import Production
from blastguard.frontends.shell_argv import GLOBAL_OPTIONS, Argv, Syntax, options, parse
from blastguard.frontends.shell_syntax import Binding, Layer, RawCommand, Script
from blastguard.frontends.shell_syntax import parse as parse_script
from blastguard.frontends.shell_words import Word, decode, decode_fields, decode_heredoc, join
from blastguard.records import Record

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh"})
# Strings inside strings inside strings: deeper than this is not checked.
_MAX_LAYERS = 8


class Feed(Record):
    """What a command reads on its standard input, as far as the script shows it."""

    __slots__ = ("text", "file")
    _identity = True

    def __init__(self, text: Word | None = None, file: Word | None = None) -> None:
        self.text = text  # a heredoc, a here-string, what `echo` pipes in
        self.file = file  # `< dump.sql`, `cat dump.sql |`


class Command(Record):
    __slots__ = ("words", "env", "index", "wrappers", "via", "stdin", "upstream", "output", "arguments_from_stdin",
                 "unresolved", "program", "globals", "args")  # fmt: skip
    _identity = True

    def __init__(self, words: list[Word], env: dict[str, str], *, index: int = 0, wrappers: tuple[str, ...] = (),
                 via: tuple[str, ...] = (), stdin: Feed | None = None, upstream: Command | None = None,
                 output: Feed | None = None, arguments_from_stdin: bool = False, unresolved: str | None = None) -> None:
        self.words = words  # argv after unwrapping: words[0] names the program
        self.env = env  # environment variables the program sees, where their values are known
        self.index = index  # position in the document's list: the commands before it ran before it
        self.wrappers = wrappers  # what was unwrapped, outermost first: ("sudo", "bash -c")
        self.via = via  # production evidence from the wrappers: `ssh prod-db …`
        self.stdin = stdin
        self.upstream = upstream  # the command piped into this one
        self.output = output  # what it writes, when that is literal (`echo`, `printf`, `cat`)
        self.arguments_from_stdin = arguments_from_stdin  # under `xargs`: more arguments arrive on standard input
        self.unresolved = unresolved  # why what runs cannot be known before it runs
        head = self.words[0]
        # `rm` for `/bin/rm`; empty when the name is only known at run time
        self.program = os.path.basename(head.value) if head.literal or _known_program(head.value) else ""
        syntax = GLOBAL_OPTIONS.get(self.program)
        # globals: options before the subcommand (`-chdir=x`, `--context p`); args: the subcommand and after
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


class Session:
    """Shell variables set so far, and which of them are exported to the commands the script runs."""

    def __init__(self, variables: dict[str, str | None], exported: set[str]) -> None:
        self.variables = variables
        self.exported = exported

    def lookup(self, name: str) -> str | None:
        return self.variables.get(name)

    def environment(self) -> dict[str, str]:
        return {n: v for n in self.exported if (v := self.variables.get(n)) is not None}

    def child(self, env: dict[str, str]) -> Session:
        """A new shell process (`bash -c`) sees only what is exported to it."""
        return Session(dict(env), set(env))


class _Frame(Record):
    """What applies to every command found inside a wrapper."""

    __slots__ = ("wrappers", "via", "arguments_from_stdin", "depth")

    def __init__(self, wrappers: tuple[str, ...] = (), via: tuple[str, ...] = (), arguments_from_stdin: bool = False,
                 depth: int = 0) -> None:
        self.wrappers = wrappers
        self.via = via
        self.arguments_from_stdin = arguments_from_stdin
        self.depth = depth


class _Unwrapped(Record):
    """What a wrapper runs: more words, or a script string."""

    __slots__ = ("label", "words", "env", "clears_env", "script", "script_from_stdin", "split", "targets",
                 "arguments_from_stdin")  # fmt: skip

    def __init__(self, label: str, words: list[Word] | None = None, env: dict[str, str] | None = None, *,
                 clears_env: bool = False, script: Word | None = None, script_from_stdin: bool = False,
                 split: Word | None = None, targets: tuple[tuple[str, str], ...] = (),
                 arguments_from_stdin: bool = False) -> None:
        self.label = label
        self.words = [] if words is None else words
        self.env = {} if env is None else env
        self.clears_env = clears_env
        self.script = script  # a string another shell parses: `bash -c '…'`, `eval …`
        self.script_from_stdin = script_from_stdin  # a shell that reads its script from standard input
        self.split = split  # `env -S 'cmd args'`: a string split into words
        self.targets = targets  # (evidence, name): where the command runs
        self.arguments_from_stdin = arguments_from_stdin


class Normaliser:
    """Builds the document's command list from parsed scripts, recursing into strings run as scripts."""

    def __init__(self, parser: Parser, names: Production) -> None:
        self.parser = parser
        self.names = names
        self.commands: list[Command] = []
        self.problems: list[tuple[int, int, str]] = []
        self._by_raw: dict[RawCommand, Command] = {}
        self._seen: set[tuple] = set()  # a `$(…)` inside `bash -c "…"` is met twice: once from each layer
        # Files that redirections write (`> f`), each with the number of commands that ran before it.
        self.writes: list[tuple[int, Word]] = []

    def run(self, script: Script, session: Session, frame: _Frame = _Frame()) -> None:
        for step in script.steps:
            if isinstance(step, Binding):
                self._bind(step, session)
            else:
                self._command(step, session, frame)

    # --- variables ------------------------------------------------------------------------------

    def _bind(self, binding: Binding, session: Session) -> None:
        if binding.assigns and isinstance(binding.value, str):
            session.variables[binding.name] = binding.value
        elif binding.assigns:
            value = decode(binding.value, binding.layer, session.lookup) if binding.value is not None else None
            session.variables[binding.name] = value.value if value is not None and value.literal else None
        if binding.exported:
            session.exported.add(binding.name)

    # --- commands -------------------------------------------------------------------------------

    def _command(self, raw: RawCommand, session: Session, frame: _Frame) -> None:
        lookup = session.lookup
        leading: dict[str, str] = {}
        for assignment in raw.assignments:
            name, value = assignment.child_by_field_name("name"), assignment.child_by_field_name("value")
            word = decode(value, raw.layer, lookup) if value is not None else None
            if name is not None and word is not None and word.literal:
                leading[raw.layer.source(name)] = word.value
        self.writes += [(len(self.commands), decode(node, raw.layer, lookup)) for node in raw.output_files]
        words = [word for node in raw.words for word in decode_fields(node, raw.layer, lookup)]
        if not words:
            return
        upstream = self._by_raw.get(raw.upstream) if raw.upstream is not None else None
        stdin = self._stdin(raw, upstream, session)
        command = self._unwrap(words, {**session.environment(), **leading}, stdin, upstream, session, frame)
        if command is not None:
            self._by_raw[raw] = command
            if command.program == "read":
                for word in parse(command.args)[0].positionals:
                    session.variables[word.value] = None

    def _stdin(self, raw: RawCommand, upstream: Command | None, session: Session) -> Feed | None:
        if raw.heredoc is not None:
            return Feed(text=decode_heredoc(raw.heredoc, raw.layer, session.lookup, raw.heredoc_expands,
                                            raw.heredoc_strips_tabs))  # fmt: skip
        if raw.herestring is not None:
            return Feed(text=decode(raw.herestring, raw.layer, session.lookup))
        if raw.input_file is not None:
            return Feed(file=decode(raw.input_file, raw.layer, session.lookup))
        return upstream.output if upstream is not None else None

    def _unwrap(self, words: list[Word], env: dict[str, str], stdin: Feed | None, upstream: Command | None,
                session: Session, frame: _Frame) -> Command | None:  # fmt: skip
        while words and words[0].literal:
            name = os.path.basename(words[0].value)
            handler = _WRAPPERS.get(name)
            unwrapped = handler(words[1:]) if handler else None
            if unwrapped is None:
                break
            env = {**({} if unwrapped.clears_env else env), **unwrapped.env}
            via = tuple(evidence for evidence, target in unwrapped.targets if self.names.matches(target))
            from_stdin = frame.arguments_from_stdin or unwrapped.arguments_from_stdin
            inner = frame.replace(wrappers=frame.wrappers + (unwrapped.label,), via=frame.via + via,
                            arguments_from_stdin=from_stdin)
            if unwrapped.script is not None:
                self._script(unwrapped.script, session.child(env) if name != "eval" else session, inner)
                return None
            if unwrapped.script_from_stdin:
                return self._stdin_script(words, env, stdin, upstream, session, frame, inner)
            words, frame = unwrapped.words, inner
            if unwrapped.split is not None:
                words = self._split(unwrapped.split, session) + words
        if not words:
            return None
        unresolved = None
        if not words[0].literal and not _known_program(words[0].value):
            unresolved = f"the command name `{words[0].value}` is only known when the script runs"
        elif os.path.basename(words[0].value) in ("source", ".") and len(words) > 1 and not words[1].literal:
            unresolved = f"`{words[0].value}` runs a script that is only known when the script runs ({words[1].value})"
        return self._add(Command(words, env, wrappers=frame.wrappers, via=frame.via, stdin=stdin, upstream=upstream,
                                 arguments_from_stdin=frame.arguments_from_stdin, unresolved=unresolved))  # fmt: skip

    def _add(self, command: Command) -> Command | None:
        key = (command.start, command.end, tuple(w.value for w in command.words))
        if key in self._seen:
            return None
        self._seen.add(key)
        command.index = len(self.commands)
        command.output = _output(command)
        self.commands.append(command)
        return command

    def _script(self, word: Word, session: Session, frame: _Frame) -> None:
        """Parse a string that a shell runs, with its offsets mapped to the document."""
        if frame.depth >= _MAX_LAYERS or not word.value.strip():
            return
        layer = Layer(word.value, list(word.offsets), depth=frame.depth + 1)
        script = parse_script(self.parser, layer)
        self.problems += script.problems
        self.run(script, session, frame.replace(depth=frame.depth + 1))

    def _stdin_script(self, words: list[Word], env: dict[str, str], stdin: Feed | None, upstream: Command | None,
                      session: Session, frame: _Frame, inner: _Frame) -> Command | None:  # fmt: skip
        """A shell reading its script from standard input: a literal one is checked, any other is unknown."""
        if stdin is not None and stdin.text is not None:
            self._script(stdin.text, session.child(env), inner)
            return None
        if stdin is None and upstream is None:
            return None  # an interactive shell
        unresolved = None
        if stdin is None:  # a script file (`bash < x.sh`, `cat x.sh | bash`) is like `bash x.sh`: not read here
            unresolved = f"`{words[0].value}` runs a script it reads from `{upstream.text(40)}`"
        return self._add(Command(words, env, wrappers=frame.wrappers, via=frame.via, stdin=stdin, upstream=upstream,
                                 unresolved=unresolved))  # fmt: skip

    def _split(self, word: Word, session: Session) -> list[Word]:
        """`env -S 'terraform destroy'`: the string's words, read as the shell would read them."""
        script = parse_script(self.parser, Layer(word.value, list(word.offsets), depth=1))
        first = next((s for s in script.steps if isinstance(s, RawCommand)), None)
        return [decode(node, first.layer, session.lookup) for node in first.words] if first else []


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
        if args[0].value in ("%s", "%s\\n") and len(args) > 1:
            return Feed(text=join(args[1:]))
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


_SUDO = Syntax(options("-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-T", "-U", "-R", "--user", "--group", "--host",
                       "--prompt", "--close-from", "--chdir", "--role", "--type", "--command-timeout", "--other-user",
                       "--chroot"))  # fmt: skip
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def _sudo(args: list[Word]) -> _Unwrapped | None:
    argv, rest = parse(args, _SUDO, stop_at_positional=True)
    if argv.has("-e", "--edit"):
        return None
    env = {}
    while rest and rest[0].literal and _ASSIGNMENT.match(rest[0].value):
        name, _, value = rest[0].value.partition("=")
        env[name], rest = value, rest[1:]
    return _Unwrapped("sudo", rest, env) if rest else None


def _env(args: list[Word]) -> _Unwrapped | None:
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
        elif _ASSIGNMENT.match(text):
            name, _, value = text.partition("=")
            unwrapped.env[name] = value
        else:
            break
        index += 1
    unwrapped.words = args[index:]
    return unwrapped if unwrapped.words or unwrapped.split else None


def _plain(label: str, syntax: Syntax = Syntax(), skip_positionals: int = 0):
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


_XARGS = Syntax(options("-I", "-L", "-n", "-P", "-s", "-d", "-E", "-a", "--arg-file", "--delimiter", "--max-args",
                        "--max-procs", "--replace", "--max-lines", "--max-chars", "--eof",
                        "--process-slot-var"))  # fmt: skip


def _xargs(args: list[Word]) -> _Unwrapped | None:
    rest = _after_options(args, _XARGS)
    return _Unwrapped("xargs", rest, arguments_from_stdin=True) if rest else None


_SHELL = Syntax(options("-o", "-O", "+O", "+o", "--rcfile", "--init-file"))


def _shell(label: str):
    def unwrap(args: list[Word]) -> _Unwrapped | None:
        argv, rest = parse(args, _SHELL, stop_at_positional=True)
        if argv.has("-c"):
            return _Unwrapped(f"{label} -c", script=rest[0]) if rest else None
        if not rest or argv.has("-s") or rest[0].value in ("-", "/dev/stdin"):
            return _Unwrapped(label, script_from_stdin=True)
        return None  # a script file: the command stays `bash file.sh`

    return unwrap


_SU = Syntax(options("-c", "--command", "-s", "--shell", "-g", "--group", "-G", "--supp-group", "-w",
                     "--whitelist-environment", "-u", "--user"))  # fmt: skip


def _su(label: str):
    def unwrap(args: list[Word]) -> _Unwrapped | None:
        argv, _ = parse(args, _SU)
        script = argv.value("-c", "--command")
        return _Unwrapped(f"{label} -c", script=script) if script is not None else None

    return unwrap


def _eval(args: list[Word]) -> _Unwrapped | None:
    return _Unwrapped("eval", script=join(args)) if args else None


_SSH = Syntax(options("-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-Q",
                      "-R", "-S", "-W", "-w", "-B", "-P"))  # fmt: skip


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
    targets = tuple((f"kubectl {o.name} {o.value.value}", o.value.value) for o in argv.options
                    if o.value is not None and o.name in ("--context", "-n", "--namespace", "--cluster"))  # fmt: skip
    pods = argv.positionals[1:2]
    targets += tuple((f"kubectl exec {pod.value}", pod.value) for pod in pods)
    return _Unwrapped("kubectl exec", args[values.index("--") + 1 :], targets=targets)


_DOCKER_EXEC = Syntax(options("-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys",
                              "--index"))  # fmt: skip
_COMPOSE = Syntax(options("-f", "--file", "-p", "--project-name", "--project-directory", "--env-file", "--profile",
                          "--ansi", "--parallel", "--progress"))  # fmt: skip


def _docker(args: list[Word]) -> _Unwrapped | None:
    """`docker exec CONTAINER cmd` and `docker compose exec SERVICE cmd`."""
    rest = _after_options(args, GLOBAL_OPTIONS["docker"])
    if rest and rest[0].value == "compose":
        rest = _after_options(rest[1:], _COMPOSE)
    return _exec_in_container(rest[1:]) if rest and rest[0].value == "exec" else None


def _exec_in_container(args: list[Word]) -> _Unwrapped | None:
    """The arguments of `exec`: options, the container or service, then the command it runs."""
    rest = _after_options(args, _DOCKER_EXEC)
    if len(rest) < 2:
        return None
    return _Unwrapped("docker exec", rest[1:], targets=((f"docker exec {rest[0].value}", rest[0].value),))


def _compose(args: list[Word]) -> _Unwrapped | None:
    rest = _after_options(args, _COMPOSE)
    return _exec_in_container(rest[1:]) if rest and rest[0].value == "exec" else None


_WATCH = Syntax(options("-n", "--interval", "-q", "--equexit"))


def _watch(args: list[Word]) -> _Unwrapped | None:
    argv, rest = parse(args, _WATCH, stop_at_positional=True)
    if not rest:
        return None
    return _Unwrapped("watch", rest) if argv.has("-x", "--exec") else _Unwrapped("watch", script=join(rest))


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
    "docker-compose": _compose,
    "su": _su("su"),
    "runuser": _su("runuser"),
    **{shell: _shell(shell) for shell in SHELLS},
}


_PROGRAM_NAME = re.compile(r"[A-Za-z0-9._+-]+")


def _known_program(value: str) -> bool:
    """`"$VENV/bin/pip"`: the folder is only known at run time, the program is not."""
    folder, slash, name = value.rpartition("/")
    return bool(slash) and "$(" not in folder and "`" not in folder and bool(_PROGRAM_NAME.fullmatch(name))
