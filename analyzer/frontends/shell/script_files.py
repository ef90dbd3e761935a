"""Scripts a command runs by name, read from disk and checked whole as embedded sources.

`bash x.txt`, `sh -e ./cleanup`, `source ./env.sh`, `. ./x`, `./deploy`, `zsh x`, `env bash ./x` and
`python3 tool.py`: what runs is the file's content, so the file is read through the check's reader
(relative to the directory the command runs in: an agent's working directory, the directory an earlier
`cd` moved to, or else the checked script's folder) and checked as shell or Python. Every finding in it points at the script's
name in the command; the engine adds the script's line.

What cannot be read is reported, never passed: a file too large, a FIFO or device (never opened), a
script written by the same command line, scripts nested deeper than `MAX_DEPTH` or more than the
budget allows. Where an agent is about to run the command (hook, MCP server), a script named by a
run-time value asks and a missing one is a note; a repository check stays quiet about both, since a
CI script's `"$DIR/build.sh"` or a build output it runs are ordinary there.
"""

from __future__ import annotations

import os
import posixpath
import re

from blastguard.frontends.shell.program_options import Syntax, options, parse
from blastguard.frontends.shell.unwrapped_commands import SHELLS
from blastguard.records import Record, factory, record
from blastguard.sources import (
    DEFAULT_MAX_FILE_SIZE,
    PYTHON_INTERPRETER,
    Embedded,
    SkipFile,
    Source,
    language_for_content,
    language_for_name,
    reader_of,
)

MAX_DEPTH = 3  # a script that runs a script that runs a script; one more is reported, not read
MAX_FILES = 32  # scripts read for one checked file, at every depth together
MAX_BYTES = 4 * DEFAULT_MAX_FILE_SIZE
MAX_PROGRAM_CHARS = 256 * 1024  # a Perl, Ruby, JavaScript, … file is read token by token, in Python: a bundle is not
# Programs whose script files `inline_programs` reads; that module is loaded only when one appears.
PROGRAM_INTERPRETERS = frozenset(
    {"perl", "ruby", "node", "nodejs", "bun", "deno", "php", "lua", "luajit", "awk", "gawk", "mawk", "nawk"}
)

# (command index, start, end, level, message): something a command runs that could not be checked.
Unverified = tuple[int, int, int, str, str]


class _Budget:
    """What is left to read for one checked file; shared by every script read under it."""

    def __init__(self) -> None:
        self.files = MAX_FILES
        self.bytes = MAX_BYTES


@record(frozen=True, identity=True)
class Trail(Record):
    """The script files read to reach a document (real paths, outermost first), and the shared budget."""

    paths: tuple[str, ...] = ()
    budget: _Budget = factory(_Budget)

    def then(self, path: str) -> Trail:
        return Trail(self.paths + (path,), self.budget)


_SHELL_OPTIONS = Syntax(options("-o", "-O", "+O", "+o", "--rcfile", "--init-file"))
_PYTHON_OPTIONS = Syntax(options("-W", "-X", "--check-hash-based-pycs"))
# Programs that write a file named among their arguments: a script they write is not what is on disk now.
_COPIERS = frozenset({"cp", "mv", "install", "ln", "rsync", "scp"})  # the last operand is written
_EXTRACTORS = frozenset({"unzip", "tar", "patch"})  # may write any file they mention
_GIT_WRITES = frozenset(
    {"checkout", "restore", "apply", "am", "pull", "merge", "reset", "stash", "switch", "cherry-pick", "revert", "mv"}
)
_WRITERS = _COPIERS | _EXTRACTORS | {"tee", "curl", "wget", "dd", "sed", "git"}
# A folder only known at run time that holds installed tools, not scripts of the project (`"$VENV/bin/pip"`).
_TOOL_FOLDER = re.compile(r".*/bin")
_REMOTE = frozenset({"ssh", "docker exec", "kubectl exec"})  # wrappers that run the command elsewhere
_KNOWN_VARIABLE = re.compile(r"\$(?:\{(HOME|PWD)\}|(HOME|PWD)\b)")


def script_runs(document) -> tuple[list[Embedded], list[Unverified]]:
    """The scripts the document's commands run by name, and what could not be read."""
    children: list[Embedded] = []
    unverified: list[Unverified] = []
    context = document.source.context
    trail = context.scripts if isinstance(context.scripts, Trail) else Trail()
    for command in document.commands:
        start, end = command.start, command.end
        try:
            named = _named_script(command)
            if named is None:
                continue
            word, language = named
            start, end = word.start, word.end
            problem = _read(document, command, word, language, trail, children)
        except Exception as exc:  # a name no file can have (`$'\0'`), a file system error: asked, never passed
            problem = (
                "warning",
                (
                    f"`{command.text(50)}` runs a script blastguard could not look up "
                    f"({type(exc).__name__}: {exc}), so what it runs was not checked."
                ),
            )
        if problem is not None:
            level, message = problem
            unverified.append((command.index, start, end, level, message))
    return children, unverified


def _named_script(command):
    """(the word naming the script, its language or None to tell by content), or None."""
    program, words = command.program, command.words
    if command.unresolved is not None:
        return None
    if program in SHELLS:
        argv, rest = parse(words[1:], _SHELL_OPTIONS, stop_at_positional=True)
        if argv.has("-n"):
            return None  # `bash -n x.sh` only reads the script for syntax errors
        rest = [w for w in rest if not w.value.startswith("+")]
        if rest and rest[0].value not in ("-", "/dev/stdin") and not argv.has("-s"):  # `-s`: arguments follow
            return rest[0], "shell"
        return _script_on_stdin(command, "shell")
    if program in ("source", ".") and len(words) > 1:
        return words[1], "shell"
    if PYTHON_INTERPRETER.fullmatch(program):
        argv, rest = parse(words[1:], _PYTHON_OPTIONS, stop_at_positional=True)
        if argv.has("-m", "-c") or any(o.word.value.startswith(("-m", "-c")) for o in argv.options):
            return None  # a module, or inline code (embedded_python)
        if rest and rest[0].value != "-":
            return rest[0], "python"
        return _script_on_stdin(command, "python")
    if program in PROGRAM_INTERPRETERS:
        from blastguard.frontends.shell.inline_programs import script_file  # only for such a command

        return script_file(command)
    if "/" in words[0].value:
        return words[0], None
    return None


def _script_on_stdin(command, language: str):
    """`bash < x.sh`, `cat x.sh | sh`, `python3 - < tool.py`: a script file read on standard input."""
    feed = command.stdin
    return (feed.file, language) if feed is not None and feed.text is None and feed.file is not None else None


def _read(document, command, word, language, trail: Trail, children: list[Embedded]):
    """Read the script `word` names into `children`; (level, message) when that cannot be done."""
    context = document.source.context
    agent = context.agent
    value, literal = word.value, word.literal
    remote = next((w for w in command.wrappers if w in _REMOTE), None)
    if remote is not None:  # `ssh host bash x.sh`: the file is on the other machine, not here
        return (
            (
                "note",
                f"`{value}` runs inside `{remote}`, on another machine or container, so blastguard could not read it.",
            )
            if agent
            else None
        )
    if not literal and agent:
        value = _KNOWN_VARIABLE.sub(lambda m: _known(m.group(1) or m.group(2), context), value)
        literal = "$" not in value and "`" not in value
    if not literal:
        direct = language is None
        if not agent or (direct and _TOOL_FOLDER.fullmatch(posixpath.dirname(value))):
            return None
        return "warning", (
            f"`{command.text(50)}` runs a script named by a value only known when it runs "
            f"({word.value}), so what it runs cannot be checked."
        )
    if not agent and value.startswith(("~", "/")):
        return None  # a repository check reads the repository's scripts, not this machine's
    path = _locate(document, command, os.path.expanduser(value), trail)
    if path is None:
        return (
            (
                "warning",
                f"`{command.text(50)}` runs `{value}` from a directory only known when it runs, so "
                "what it runs cannot be checked.",
            )
            if agent
            else None
        )
    real = os.path.realpath(path)
    if real in trail.paths:
        return None  # a script that runs itself: it is being checked already
    reader = reader_of(context)
    if not reader.exists(path, dangling=True) or reader.is_folder(path):
        return _missing(document, command, value, path) if agent else None
    written = _written_before(document, command, value)
    if written is not None:
        return "warning", (
            f"`{value}` is written by `{written}` in the same command line before it runs, so what it "
            "will hold cannot be checked. Write the script first, then run it."
        )
    if len(trail.paths) >= MAX_DEPTH:
        return "warning", (
            f"`{value}` is a script run by a script run by a script; blastguard reads scripts "
            f"{MAX_DEPTH} deep, so what it runs was not checked."
        )
    budget = trail.budget
    if budget.files <= 0 or budget.bytes <= 0:
        return "warning", (
            f"`{value}` was not read: this command runs more scripts than blastguard reads for one "
            "check, so what it runs was not checked."
        )
    try:
        text = reader.read(path, max_size=budget.bytes)
        budget.files -= 1
        budget.bytes -= len(text)
    except SkipFile as exc:
        if language is None and str(exc) == "binary file":
            return None  # a compiled program, not a script
        return "warning", f"`{value}` cannot be read ({exc}), so what it runs was not checked."
    language = (
        language
        or language_for_name(value)
        or language_for_content(text)
        or _interpreted(text)
        or (_plain_script(text))
    )
    if language is None:
        return None  # a program in a language blastguard does not read
    child_context = context.with_production(*document.evidence(command)).replace(
        env=dict(command.env), scripts=trail.then(real)
    )
    # Named as the command wrote it, after the scripts that run it: `./a.sh → ./b.sh`.
    shown = f"{document.source.path} → {value}" if trail.paths else value
    anchor = (word.start, word.end)
    if isinstance(language, str):
        children.append(Embedded(Source(shown, text, language, child_context), [], anchor=anchor))
        return None
    return _program_file(text, language, shown, child_context, anchor, children, agent)


def _interpreted(text: str):
    """Perl, Ruby, JavaScript, PHP, Lua or awk by the `#!` line: read by `inline_programs`."""
    if not text.startswith("#!"):
        return None
    from blastguard.frontends.shell.inline_programs import language_of_script

    return language_of_script(text)


def _program_file(text: str, language, shown: str, context, anchor, children: list[Embedded], agent: bool):
    """A script of another interpreter: the shell lines and deletes it makes with literals are checked, each
    at its line; what it computes at run time is only noted (build scripts routinely do), never asked."""
    from blastguard.frontends.shell.inline_programs import read_script
    from blastguard.frontends.shell.program_tokens import Unreadable

    if len(text) > MAX_PROGRAM_CHARS:
        return (
            (
                "note",
                f"`{shown}` is larger than blastguard reads in a script of this language, so what it runs "
                "was not checked.",
            )
            if agent
            else None
        )
    try:
        found, problems = read_script(text, language, shown, context)
    except (Unreadable, RecursionError):
        return ("note", f"`{shown}` could not be read far enough to tell what it runs.") if agent else None
    for child in found:
        line = text.count("\n", 0, child.offsets[0]) if child.offsets else 0
        source = child.source.replace(path=shown, text="\n" * line + child.source.text, context=context)
        children.append(Embedded(source, [], anchor=anchor))
    if problems and agent:
        offset, message = problems[0]
        return "note", f"{message} (in {shown}, line {text.count(chr(10), 0, offset) + 1})"
    return None


def _known(name: str, context) -> str:
    """`$HOME` and `$PWD` where an agent runs the command: the hook's own environment tells them."""
    if name == "PWD" and context.directory:
        return context.directory
    if name == "HOME":
        return os.path.expanduser("~")
    return "$" + name


def _plain_script(text: str) -> str | None:
    """A file without `#!` that is run directly is run by the shell."""
    return "shell" if not text.startswith("#!") else None


def _locate(document, command, value: str, trail: Trail) -> str | None:
    """Where the script is on disk; None when the directory it is relative to is only known at run time."""
    if os.path.isabs(value):
        return value
    context = document.source.context
    moved, known = _working_directory(document.earlier(command, "cd", "pushd"), context.directory)
    reader = reader_of(context)
    if not known:
        return None if context.agent else _first_existing(value, _fallbacks(document, trail), reader)
    relative = os.path.join(moved, value) if moved is not None else value
    return relative if os.path.isabs(relative) else _first_existing(relative, _fallbacks(document, trail), reader)


def _fallbacks(document, trail: Trail) -> list[str]:
    """Directories a relative name is tried in when no `cd` says: the agent's, else the script's own (where
    it really is, not the name it is shown under) and ours."""
    context = document.source.context
    if context.directory:
        return [context.directory]
    folder = os.path.dirname(trail.paths[-1]) if trail.paths else reader_of(context).folder
    return [folder, "."] if folder else ["."]


def _first_existing(value: str, folders: list[str], reader) -> str:
    candidates = [os.path.join(folder, value) for folder in folders]
    return next((c for c in candidates if reader.exists(c, dangling=True)), candidates[0])


def _working_directory(changes, start: str | None) -> tuple[str | None, bool]:
    """(directory after the `cd`s and `pushd`s in `changes`, or None if they did not move; whether it is known)."""
    cwd = None
    for command in changes:
        targets = [w for w in command.args if not w.value.startswith("-")]
        if not targets:
            cwd = os.path.expanduser("~")
        elif not targets[0].literal:
            return None, False
        else:
            target = os.path.expanduser(targets[0].value)
            base = cwd or start
            if os.path.isabs(target):
                cwd = target
            elif base is None:
                cwd = target  # relative to wherever the check runs from
            else:
                cwd = os.path.join(base, target)
    return cwd, True


def _missing(document, command, value: str, path: str) -> tuple[str, str]:
    written = _written_before(document, command, value)
    if written is not None:
        return "warning", (
            f"`{value}` does not exist yet: `{written}` writes it in the same command line, so what "
            "it will run cannot be checked. Write the script first, then run it."
        )
    folder = os.path.dirname(os.path.normpath(path))
    return "note", f"`{value}` does not exist in {folder}, so what it would run was not checked."


def _written_before(document, command, value: str) -> str | None:
    """The earlier part of the command line that writes the script (`> x.sh`, `tee x.sh`, `curl -o x.sh`), if any."""
    name = os.path.basename(value.rstrip("/"))
    if not name:
        return None
    before = document.text[: command.start]
    redirect = re.search(r">\|?\s*[\"']?(?:[^\s;&|<>\"']*/)?" + re.escape(name) + r"(?![\w.-])", before)
    if redirect is not None:
        return redirect.group(0)
    for earlier in document.earlier(command, *_WRITERS):
        if name in {os.path.basename(path.rstrip("/")) for path in _written_by(earlier)}:
            return earlier.text(40)
    return None


def _written_by(command) -> list[str]:
    """The files `command` writes, as far as its words tell (`cp a b` writes b; `cp a .` writes a)."""
    program = command.program
    values = [w.value for w in command.args]
    operands = [v for v in values if not v.startswith("-")]
    if program == "tee":
        return operands
    if program in _COPIERS:
        if operands and (operands[-1] in (".", "..") or operands[-1].endswith("/")):
            return operands[:-1]  # into a folder: the sources' names
        return operands[-1:]
    if program in _EXTRACTORS:
        return operands
    if program == "curl":
        named = [values[i + 1] for i, v in enumerate(values[:-1]) if v in ("-o", "--output")]
        return named + ([o.rpartition("/")[2] for o in operands] if "-O" in values or "--remote-name" in values else [])
    if program == "wget":
        named = [values[i + 1] for i, v in enumerate(values[:-1]) if v in ("-O", "--output-document")]
        return named or [o.rpartition("/")[2] for o in operands]
    if program == "dd":
        return [v[3:] for v in values if v.startswith("of=")]
    if program == "sed":
        return operands[1:] if any(v.startswith(("-i", "--in-place")) for v in values) else []
    if program == "git" and command.subcommand in _GIT_WRITES:
        return operands[1:]
    return []
