"""BG003 guard-tampering: a tool call that would change what switches the guard off.

The agent hook asks about any call that creates, changes, moves or deletes a location listed in
`guarded_paths` (blastguard's configuration and cache, the agents' hook settings, git hooks), whether
a file tool writes it or a shell command does, or that points git at other hooks (`core.hooksPath`).
This is a hook-only check: `blastguard check` does not run it, since install scripts and
repositories legitimately write these files.

Shell commands are read from the parsed command (`unwrapped_commands`): redirections, and the targets of
`tee`, `cp`, `mv`, `install`, `rsync`, `ln`, `rm`, `unlink`, `shred`, `truncate`, `touch`, `chmod`,
`chown`, `dd of=`, `sed -i`, `perl -i`, `curl -o` and `wget -O`. Paths are resolved from the call's
working directory (following `cd`), `~` and `$HOME`, and variables set earlier in the command. A
target only known when the command runs (`> "$F"`) is not enough to ask: the other rules still see
what the command does, and asking about every variable would teach people to click through. Inline
programs of other interpreters (`python3 -c`, `perl -e`, `ruby -e`, `node -e`, or one fed on
standard input) ask when they hold a string naming a protected location and a call that writes.

A file tool's write of a pyproject.toml asks only when it changes the `[tool.blastguard]` table (the
content is there to compare); a shell command that writes one asks, since what it writes is not
visible to the hook.
"""

from __future__ import annotations

import os
import re

from blastguard.frontends.shell.script_files import PROGRAM_INTERPRETERS
from blastguard.interfaces.guarded_paths import PYPROJECT, Guarded, guarded, guarded_within, resolve
from blastguard.patterns import LazyPattern
from blastguard.records import Record, record
from blastguard.sources import PYTHON_INTERPRETER

RULE_ID = "BG003"


@record(frozen=True, identity=True)
class Target(Record):
    """A path a command writes (`write`) or takes away (`remove`), and the word that names it."""

    word: object  # a shell Word
    path: str
    how: str  # "write" | "remove"
    follows: bool = True  # the write goes through a symbolic link to the file it points at


def rule_for(engine):
    """The BG003 rule, or None when the configuration does not select it."""
    from blastguard import registry

    rule = next((r for r in registry.meta_rules() if r.id == RULE_ID), None)  # not find_rule: it loads every pack
    return rule if rule is not None and engine.selection.enabled(rule) else None


# --- file tools ------------------------------------------------------------------------------------


def file_findings(rule, engine, shown: str, path: str, before: str | None, after: str, cache_home: str | None):
    """BG003 for a file tool writing `path` (absolute) with the whole new content `after`."""
    guard = _guard(path, follows=True, cache_home=cache_home)
    if guard is None:
        return []
    if guard.parts == (PYPROJECT,):
        changed = _blastguard_table_changes(before, after)
        if changed is None:
            return []
        how = {"adds": "adds a [tool.blastguard] table to", "removes": "removes the [tool.blastguard] table from"}.get(
            changed, f"{changed} the [tool.blastguard] table of"
        )
        message = f"This edit {how} {shown}: blastguard's configuration."
    else:
        verb = "creates" if before is None else "changes"
        message = f"This edit {verb} {guard.what} ({shown})."
    return [_finding(rule, engine, message + _ASK, shown, after, 0, 0)]


def path_findings(rule, engine, tool: str, field: str, value: str, cwd: str, home: str, cache_home: str | None):
    """BG003 for a tool without a reader here (an MCP file server) that writes `value`, a path in its input."""
    path = resolve(value, cwd, home)
    guard = _guard(path, True, cache_home)
    if guard is None and os.path.isabs(path):
        guard = guarded_within(path)
    if guard is None:
        return []
    message = f"The tool `{tool}` writes, moves or deletes {guard.what} ({value}, given as `{field}`)."
    return [_finding(rule, engine, message + _ASK, tool, value, 0, len(value))]


def _blastguard_table_changes(before: str | None, after: str) -> str | None:
    """How the `[tool.blastguard]` table changes ("adds", "changes", "removes"), or None if it does not."""
    old, old_ok = _table(before)
    new, new_ok = _table(after)
    if not new_ok:  # unreadable TOML: a change to our table cannot be ruled out if it was or is mentioned
        return "may change" if old is not None or "blastguard" in after else None
    if old == new and old_ok:
        return None
    if old is None:
        return "adds" if new is not None else None
    return "removes" if new is None else "changes"


def _table(text: str | None):
    """(the [tool.blastguard] table or None, whether the text is valid TOML)."""
    if text is None:
        return None, True
    from blastguard.config import toml_parser  # only for a pyproject.toml edit

    tomllib = toml_parser()  # the standard library's from Python 3.11, tomli before

    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None, False
    tool = data.get("tool")
    return (tool.get("blastguard") if isinstance(tool, dict) else None), True


# --- shell commands --------------------------------------------------------------------------------


_WORTH_PARSING = re.compile(
    r">|\b(?:tee|cp|mv|install|rsync|ln|rm|unlink|shred|rmdir|truncate|touch|chmod|chown|chgrp|"
    r"dd|sed|perl|ruby|node|nodejs|bun|deno|python[\d.]*|curl|wget|git)\b"
)


def command_findings(rule, engine, command: str, cwd: str, home: str, cache_home: str | None):
    """BG003 for each protected location the shell `command` writes or removes, or for a `core.hooksPath` change."""
    if not _WORTH_PARSING.search(command):
        return []  # no redirection and no program that writes: nothing to resolve
    from blastguard.context import Production
    from blastguard.frontends.shell.syntax_steps import Layer, new_parser
    from blastguard.frontends.shell.syntax_steps import parse as parse_script
    from blastguard.frontends.shell.unwrapped_commands import Normaliser, Session

    parser = new_parser()
    normaliser = Normaliser(parser, Production(()))
    normaliser.run(parse_script(parser, Layer(command)), Session({}, set()))
    findings = []
    redirects = sorted(normaliser.writes, key=lambda item: item[0])
    here = cwd
    next_redirect = 0
    for command_object in [*normaliser.commands, None]:
        position = command_object.index if command_object is not None else len(normaliser.commands)
        while next_redirect < len(redirects) and redirects[next_redirect][0] <= position:
            word = redirects[next_redirect][1]
            findings += _judge(
                rule,
                engine,
                command,
                [Target(word, resolve(word.value, here, home), "write")],
                f"The redirection to `{word.value}`",
                cache_home,
            )
            next_redirect += 1
        if command_object is None:
            break
        if command_object.program in ("cd", "pushd"):
            here = _cd(command_object, here, home)
            continue
        shown = f"`{command_object.text()}`"
        findings += _judge(rule, engine, command, _targets(command_object, here, home), shown, cache_home)
        findings += _hooks_path(rule, engine, command, command_object)
        findings += _inline_program(rule, engine, command, command_object, here, home, cache_home)
    return findings


def _cd(command, here: str, home: str) -> str:
    args = [w for w in command.args if not w.value.startswith("-")]
    if not args:
        return home
    if not args[0].literal and not args[0].value.startswith(("$HOME", "${HOME}")):
        return "$UNKNOWN"  # relative paths after it only match by their literal ends
    return resolve(args[0].value, here, home)


def _judge(rule, engine, text: str, targets, shown: str, cache_home: str | None):
    findings = []
    for target in targets:
        guard = _guard(target.path, target.follows, cache_home)
        if guard is None and target.how == "remove" and os.path.isabs(target.path):
            guard = guarded_within(target.path)
        if guard is None:
            continue
        verb = "removes or moves" if target.how == "remove" else "writes"
        message = f"{shown} {verb} {guard.what} ({target.word.value})."
        if guard.parts == (PYPROJECT,):
            message = (
                f"{shown} writes {target.word.value}, which can hold blastguard's configuration "
                "([tool.blastguard]); what a shell command writes there cannot be checked."
            )
        findings.append(_finding(rule, engine, message + _ASK, "command.sh", text, target.word.start, target.word.end))
    return findings


def _guard(path: str, follows: bool, cache_home: str | None) -> Guarded | None:
    guard = guarded(path, cache_home)
    if guard is None and follows and os.path.isabs(path):
        real = os.path.realpath(path)  # a link that leads to a protected file
        if real != path:
            guard = guarded(real, cache_home)
    return guard


def _finding(rule, engine, message: str, path: str, text: str, start: int, end: int):
    from blastguard.context import Context
    from blastguard.rule import Hit
    from blastguard.textindex import LineIndex

    return engine.finding(rule, Hit(start, end, message), path, text, LineIndex(text), Context())


_ASK = " Changes to what configures or runs the guard need a person's approval."

# --- what each program writes ---------------------------------------------------------------------


def _options(*names: str) -> frozenset[str]:
    return frozenset(names)


_CP = _options("-t", "--target-directory", "-S", "--suffix")
_COPY_OPTIONS = {  # options that take a value, per program
    "cp": _CP,
    "mv": _CP,
    "ln": _CP,
    "install": _CP | _options("-m", "--mode", "-o", "--owner", "-g", "--group"),
    "rsync": _options(
        "-e",
        "--rsh",
        "--exclude",
        "--include",
        "-f",
        "--filter",
        "--files-from",
        "--chmod",
        "--chown",
        "-T",
        "--temp-dir",
        "--backup-dir",
        "--partial-dir",
        "--log-file",
        "--password-file",
        "-M",
        "--rsync-path",
        "--exclude-from",
        "--include-from",
        "--suffix",
    ),
}
_TOUCH_OPTIONS = _options("-d", "--date", "-t", "-r", "--reference", "-s", "--size")
_SED_OPTIONS = _options("-e", "--expression", "-f", "--file", "-l", "--line-length")
_SED_IN_PLACE = LazyPattern(r"-[nErsuzb]*i|--in-place")
_PERL_IN_PLACE = LazyPattern(r"-(?![MmIx])[a-zA-Z0-9]*?i")
_CHMOD_FLAGS = LazyPattern(r"-[RvcfhHLP]+|--[a-z-]+(?:=.*)?")


def _targets(command, here: str, home: str) -> list[Target]:
    program = command.program
    if command.arguments_from_stdin and command.stdin is not None and command.stdin.text is not None:
        # `echo .claude/settings.json | xargs rm`: the arguments xargs adds are the words it reads
        text = command.stdin.text
        extra = [text.slice(m.start(), m.end()) for m in re.finditer(r"\S+", text.value)]
        command = _WithArguments(command, command.args + extra)
    if program in ("tee",):
        return _paths(_positionals(command.args, _options()), here, home, "write")
    if program in ("rm", "unlink", "shred", "rmdir"):
        return _paths(
            _positionals(command.args, _options("-n", "--iterations", "-s", "--size")),
            here,
            home,
            "remove",
            follows=False,
        )
    if program in ("truncate", "touch"):
        return _paths(_positionals(command.args, _TOUCH_OPTIONS), here, home, "write")
    if program in ("chmod", "chown", "chgrp"):  # `chmod -x f`: a mode may start with a dash
        args = [w for w in command.args if not _CHMOD_FLAGS.fullmatch(w.value)]
        if not any(w.value.startswith("--reference") for w in command.args):
            args = args[1:]  # the mode or the owner
        return _paths(args, here, home, "write")
    if program in ("cp", "install", "rsync", "mv", "ln"):
        return _copy(command, here, home)
    if program == "dd":
        return _paths([w.slice(3) for w in command.args if w.value.startswith("of=")], here, home, "write")
    if program == "sed" and any(_SED_IN_PLACE.match(w.value) for w in command.args):
        return _paths(
            _after_script(command.args, _SED_OPTIONS, ("-e", "--expression", "-f", "--file")), here, home, "write"
        )
    if program == "perl" and any(_PERL_IN_PLACE.match(w.value) for w in command.args):
        return _paths(_after_script(command.args, _options(), ("-e", "-E")), here, home, "write")
    if program == "curl":
        return _paths(_values(command.args, ("-o", "--output")), here, home, "write")
    if program == "wget":
        return _paths(_values(command.args, ("-O", "--output-document")), here, home, "write")
    return []


class _WithArguments:
    """A command seen with more arguments than it was written with (those `xargs` appends)."""

    def __init__(self, command, args) -> None:
        self.program, self.args = command.program, args


def _positionals(args, takes_value: frozenset[str]) -> list:
    """Operands after options (`--` ends the options)."""
    found, index = [], 0
    while index < len(args):
        value = args[index].value
        if value == "--":
            found += args[index + 1 :]
            break
        if value.startswith("-") and value != "-":
            index += 2 if value in takes_value else 1
            continue
        found.append(args[index])
        index += 1
    return found


def _values(args, names: tuple[str, ...]) -> list:
    """The values of options `names` (`-o f`, `-of`, `--output=f`)."""
    found = []
    for index, word in enumerate(args):
        value = word.value
        for name in names:
            short = not name.startswith("--") and re.fullmatch(rf"-[A-Za-z]*{name[1]}", value)  # `-sSo f`
            if (value == name or short) and index + 1 < len(args):
                found.append(args[index + 1])
            elif name.startswith("--") and value.startswith(name + "="):
                found.append(word.slice(len(name) + 1))
            elif not name.startswith("--") and value.startswith(name) and len(value) > len(name):
                found.append(word.slice(len(name)))
    return found


def _after_script(args, takes_value: frozenset[str], script_options: tuple[str, ...]) -> list:
    """The files of `sed -i SCRIPT FILE…` / `perl -pi -e CODE FILE…`: the operands after the script."""
    operands = _positionals(args, takes_value | frozenset(script_options))
    has_script_option = any(w.value in script_options or re.fullmatch(r"-[a-zA-Z0-9]*[eE]", w.value) for w in args)
    if has_script_option:
        code = {id(w) for i, w in enumerate(args[1:], 1) if re.fullmatch(r"-[a-zA-Z0-9]*[eE]", args[i - 1].value)}
        return [w for w in operands if id(w) not in code]
    return operands[1:]


def _copy(command, here: str, home: str) -> list[Target]:
    """What `cp`/`install`/`rsync`/`mv`/`ln` write: the destination (a file, or each source's name
    in a destination folder); `mv` also takes its sources away."""
    args = command.args
    directory = _values(args, ("-t", "--target-directory"))
    operands = _positionals(args, _COPY_OPTIONS[command.program])
    if command.program == "install" and any(w.value in ("-d", "--directory") for w in args):
        return _paths(operands, here, home, "write")
    if directory:
        destination, sources = directory[-1], operands
    elif command.program == "ln" and len(operands) == 1:
        destination, sources = None, operands  # `ln -s target`: a link named like the target, here
    elif len(operands) >= 2:
        destination, sources = operands[-1], operands[:-1]
    else:
        return []
    targets = _paths(sources, here, home, "remove", follows=False) if command.program == "mv" else []
    folder = resolve(destination.value, here, home) if destination is not None else here
    into = (
        destination is None
        or bool(directory)
        or destination.value.endswith("/")
        or len(sources) > 1
        or (os.path.isabs(folder) and os.path.isdir(folder))
    )
    follows = command.program not in ("ln", "mv")
    word = destination if destination is not None else sources[0]
    if into:
        for source in sources:
            name = os.path.basename(os.path.normpath(source.value))
            targets.append(Target(word, os.path.join(folder, name), "write", follows))
    if destination is not None:
        targets.append(Target(destination, folder, "write", follows))
    return targets


def _paths(words, here: str, home: str, how: str, follows: bool = True) -> list[Target]:
    return [Target(w, resolve(w.value, here, home), how, follows) for w in words if w.value not in ("", "-")]


# --- git ------------------------------------------------------------------------------------------

_GIT_CONFIG_VALUES = _options("-f", "--file", "--blob", "--type", "--default", "--comment", "--value")
_GIT_CONFIG_READS = frozenset(
    {
        "--get",
        "--get-all",
        "--get-regexp",
        "--get-urlmatch",
        "--list",
        "-l",
        "get",
        "list",
        "--show-origin",
        "--show-scope",
    }
)
_GIT_CONFIG_WRITES = frozenset(
    {
        "set",
        "unset",
        "--unset",
        "--unset-all",
        "--add",
        "--replace-all",
        "edit",
        "-e",
        "--edit",
        "rename-section",
        "remove-section",
    }
)


def _hooks_path(rule, engine, text: str, command):
    """`git config core.hooksPath DIR` (or its unset) and `git -c core.hooksPath=DIR …`: other hooks run."""
    if command.program != "git":
        return []
    message = None
    for value in command.globals.values("-c"):
        if value.value.lower().startswith("core.hookspath"):
            message = f"`{command.text()}` runs git with other hooks (core.hooksPath) than the repository's."
    args = command.args
    if args and args[0].value == "config":
        words = [w.value for w in args[1:]]
        operands = [w.value.lower() for w in _positionals(args[1:], _GIT_CONFIG_VALUES)]
        if operands and operands[0] in ("set", "unset", "get", "list", "edit"):
            operands = operands[1:]
        mentions = "core.hookspath" in operands
        reads = any(w in _GIT_CONFIG_READS for w in words)
        writes = any(w in _GIT_CONFIG_WRITES for w in words) or (mentions and len(operands) >= 2)
        if (mentions and writes and not reads) or any(w in ("-e", "--edit", "edit") for w in words):
            message = f"`{command.text()}` changes git's configuration of where hooks live (core.hooksPath)."
    if message is None:
        return []
    return [_finding(rule, engine, message + _ASK, "command.sh", text, command.start, command.end)]


# --- inline programs of other interpreters ---------------------------------------------------------

_STRING = LazyPattern(r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"")
_PYTHON_WRITES = LazyPattern(
    r"\bopen\s*\([^)]*['\"][rbt]*[wax+][rbt+]*['\"]|\.write_(?:text|bytes)\s*\(|"
    r"\bos\.(?:remove|unlink|rename|replace|rmdir|removedirs|symlink|link|truncate|chmod|chown|"
    r"open|system|popen)\s*\(|\bshutil\.\w+\s*\(|\.(?:touch|unlink|rename|symlink_to|"
    r"hardlink_to|chmod|rmdir)\s*\(|\bsubprocess\b"
)
_PERL_WRITES = LazyPattern(
    r"\bopen\b[^;]*?['\"]\s*\+?[>]|\bopen\b[^;]*?['\"]\s*\+<|\bsysopen\b|"
    r"\b(?:unlink|rename|symlink|link|truncate|chmod|chown|rmdir|system|exec)\b|`"
)
_RUBY_WRITES = LazyPattern(
    r"\bFile\.(?:write|delete|unlink|rename|symlink|link|truncate|chmod|chown)\b|"
    r"\bIO\.(?:write|binwrite)\b|\bopen\s*\(?[^)\n]*['\"][wa]\+?['\"]|\bFileUtils\.|"
    r"\b(?:system|exec|spawn)\b|`|%x"
)
_NODE_WRITES = LazyPattern(
    r"\b(?:writeFile|appendFile|createWriteStream|unlink|rm|rmdir|rename|copyFile|cp|symlink|"
    r"link|truncate|chmod|chown|writeSync)(?:Sync)?\s*\(|"
    r"\bopen(?:Sync)?\s*\([^)]*['\"][wa]\+?['\"]|"
    r"\b(?:exec|execSync|spawn|spawnSync|execFile|execFileSync)\s*\("
)
# How a program of each interpreter writes or removes a file, by the language the interpreter reader names.
_WRITES = {"python": _PYTHON_WRITES, "perl": _PERL_WRITES, "ruby": _RUBY_WRITES, "javascript": _NODE_WRITES}


def _inline_program(rule, engine, text: str, command, here: str, home: str, cache_home: str | None):
    if command.program not in PROGRAM_INTERPRETERS and not PYTHON_INTERPRETER.fullmatch(command.program):
        return []
    from blastguard.frontends.shell.inline_programs import inline_programs  # only for such a command

    for program in inline_programs(command):
        writes = _WRITES.get(program.language.name)
        code = program.word
        if program.file or writes is None or not writes.search(code.value):
            continue
        for match in _STRING.finditer(code.value):
            literal = match.group(1) if match.group(1) is not None else match.group(2)
            if not literal or "\n" in literal:
                continue
            guard = _guard(resolve(literal, here, home), True, cache_home)
            if guard is None:
                continue
            start = code.offsets[match.start()]
            end = code.offsets[match.end() - 1] + 1
            message = (
                f"The {command.program} program of `{command.text(40)}` names {guard.what} ({literal}) and "
                "writes or removes files."
            )
            return [_finding(rule, engine, message + _ASK, "command.sh", text, start, end)]
    return []
