"""When a repository check only notes what SH900 cannot know, and why.

Where an agent is about to run a command, whatever cannot be known is asked about: the agent could have
set the variable in an earlier call. A script in a repository was written by its authors, and most of
its unknown programs are configuration (`$MYSQL`, `$CHROOTEXEC`, `$signcommand`). There an unknown
program is asked about only when something destructive could hide in it:

- its arguments or the text piped into it look destructive (`DESTRUCTIVE_VERBS`, `DESTRUCTIVE_OPTIONS`,
  a short-option cluster holding both `r`/`R` and `f`), e.g. `$TF destroy -auto-approve`, `$CMD -rf /d`;
- it is in text run by `eval`, `sh -c`, `bash -c`, `trap`, `su -c`, `ssh` and kin that holds a run-time
  value (`eval "$cmd"`; a literal `sh -c '…'` is read like any script), apart from idioms whose shape the
  file shows (`INDIRECT_ASSIGNMENT`, the output of a tool that writes shell assignments, or of a function
  of the same script);
- a script is sourced whose name is only known at run time (`. "$RCFILE"`);
- there is production evidence for it (`ssh prod-db "$CMD"`, a production name in its arguments).

Everything else is a note that says why it was not asked: a program followed by a literal command
(`$SUDO rm -rf /d`: the rest is checked as that command by its own rules), a function's own argument
used as a program or sourced where the function is defined (each call is checked with its values), `$0`, a sourced
file named in the script under a run-time folder, and a part the parser could not read whose text shows
nothing destructive when the commands around it were read and checked.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command
    from blastguard.frontends.shell.word_values import Word

# Verbs that destroy when a tool is told to do them: as an argument (`$TOOL destroy`, `$KUBECTL delete`),
# a part of one (`delete-bucket`), or a word of text piped in or passed as SQL (`-e "DROP TABLE t"`).
DESTRUCTIVE_VERBS = frozenset(
    {
        "destroy",
        "delete",
        "drop",
        "rm",
        "rmdir",
        "remove",
        "purge",
        "prune",
        "truncate",
        "wipe",
        "wipefs",
        "reset",
        "flush",
        "flushall",
        "flushdb",
        "shred",
        "mkfs",
        "terminate",
        "uninstall",
        "erase",
        "unlink",
        "nuke",
    }
)
# Of those, the ones that are programs with rules of their own: `$SUDO rm -rf /d` is `rm -rf /d`, checked
# as such. Any other verb after an unknown program is its subcommand (`$TF destroy`, `$AWS delete-bucket`)
# and is asked about.
_PROGRAMS_CHECKED_ON_THEIR_OWN = frozenset({"rm", "rmdir", "shred", "unlink", "truncate", "wipefs", "mkfs"})
DESTRUCTIVE_OPTIONS = frozenset(
    {
        "--force",
        "--recursive",
        "-auto-approve",
        "--auto-approve",
        "--purge",
        "--delete",
        "-delete",
        "--hard",
        "--no-preserve-root",
        "--prune",
        "--drop",
        "--wipe",
        "--yes-i-really-mean-it",
        "--yes-i-really-really-mean-it",
    }
)
_RECURSIVE_FORCE = re.compile(r"-(?=[A-Za-z]*[rR])(?=[A-Za-z]*f)[A-Za-z]+")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_:-]*")
_VERB_PARTS = re.compile(r"[-_:]")
# `eval "$name=\\"\\$value\\""`, `eval pretty_name=\\${GITHEAD_$SHA1}`: an assignment to a variable the script
# names at run time. What runs is an assignment, not a program.
INDIRECT_ASSIGNMENT = re.compile(r"[A-Za-z0-9_]*\$\{?[A-Za-z0-9_]+\}?[A-Za-z0-9_]*=")
# Tools whose output is shell assignments quoted for `eval`: `eval "$(apt-config shell VAR Key)"`,
# `eval "$(set | grep ^PREFIX_)"` (the shell's own variables), `eval set -- "$(getopt …)"`,
# `git rev-parse --parseopt` (a `set -- …` line), `git for-each-ref --shell` / `git rev-parse --sq-quote`
# (values quoted by git) and `stat --format "NAME=%t"` (a literal format of numbers, no names).
_ASSIGNMENT_WRITER = re.compile(
    r"apt-config\s+shell\b|set\s*\|\s*grep\b|set\s*$|getopt\b|git\s+rev-parse\s[^|;]*--(parseopt|sq-quote)\b"
    r"|git\s+for-each-ref\s[^|;]*--shell\b|stat\s+(--format[= ]|-c)\s*[\"'](?:\\\$|[^\"'%$`]|%[^nNUGFCmw])*[\"']"
)
_PLAIN_PROGRAM = re.compile(r"[A-Za-z0-9_./+:\[-]+")  # a command read as one: `echo`, `/bin/rm`, `[`
_POSITIONAL = re.compile(r"\$\{?[1-9@*][0-9]*\}?")
_SUBSTITUTION = re.compile(r"\$\((.*)\)|`(.*)`", re.DOTALL)


def repository_note(command: Command, document: ShellDocument) -> str | None:
    """Why a repository check only notes `command` (an unknown program, sourced script or unread part),
    or None when it is asked about."""
    if command.unknown not in ("program", "script", "unparsed"):
        return None  # a limit reached, a script from the network: always asked
    if command.via or document.evidence(command) or _production_target(command, document):
        return None
    destructive = destructive_word(command, document)
    if command.unknown == "unparsed":
        read_around = any(_PLAIN_PROGRAM.fullmatch(other.words[0].value) for other in document.commands)
        if destructive or not read_around:  # nothing else read: what could not be parsed is all there is
            return None
        return "its text shows nothing destructive and the rest of the script was checked"
    unknown = command.words[1 if command.unknown == "script" else 0].value
    if command.defining and _POSITIONAL.fullmatch(unknown):
        return "it is the function's own argument, checked with the value each call gives it"
    if command.unknown == "script":
        return _sourced_file(command)
    head = command.words[0].value
    if head in ("$0", "${0}"):
        return "`$0` is this script itself"
    following = command.words[1] if command.runs_command else None
    if following and (following.value in _PROGRAMS_CHECKED_ON_THEIR_OWN or not _destructive(following)):
        return f"what follows it is checked as the command it runs (`{command.words[1].value}`)"
    if command.in_run_time_text:
        return _known_shape(command, document)
    if destructive:
        return None
    return "its arguments show nothing destructive, and a repository check asks only then"


def destructive_word(command: Command, document: ShellDocument) -> str | None:
    """The first argument (or word of the text piped in) that looks destructive, or None."""
    words = list(command.words[1:])
    if command.stdin is not None and command.stdin.text is not None:
        words.append(command.stdin.text)
    if command.unknown == "unparsed":
        words = [_text(command, document)]
    for word in words:
        found = _destructive(word)
        if found:
            return found
    return None


def _destructive(word: Word) -> str | None:
    value = word.value
    if value.startswith("-") and " " not in value:
        return _destructive_option(value.split("=", 1)[0])
    for token in value.split():
        if "/" in token or "." in token or "=" in token:
            continue  # a path, a file name or an assignment, not an instruction
        if token.startswith("-"):
            option = _destructive_option(token.split("=", 1)[0])
            if option:
                return option
            continue
        match = _TOKEN.match(token)
        if match and any(part.lower() in DESTRUCTIVE_VERBS for part in _VERB_PARTS.split(match.group(0))):
            return match.group(0)
    return None


def _destructive_option(option: str) -> str | None:
    """`--force`, `-rf`, or a long option named for a destructive verb (`--remove-modules`, `--delete-after`);
    not `--rm` (a container removed when it exits) nor a negated one (`--no-delete`)."""
    if option in DESTRUCTIVE_OPTIONS or _RECURSIVE_FORCE.fullmatch(option):
        return option
    parts = _VERB_PARTS.split(option[2:].lower()) if option.startswith("--") and option != "--rm" else []
    return option if parts and parts[0] != "no" and DESTRUCTIVE_VERBS.intersection(parts) else None


def _text(command: Command, document: ShellDocument) -> Word:
    """The text of an unread part, as a word."""
    from blastguard.frontends.shell.word_values import Word

    start, end = command.start, command.end
    return Word(document.text[start:end], tuple(range(start, end + 1)), start, end)


def _production_target(command: Command, document: ShellDocument) -> bool:
    context = document.source.context
    return bool(context.production) or any(w.literal and context.names.matches(w.value) for w in command.words[1:])


def _sourced_file(command: Command) -> str | None:
    """`. "${LIBDIR}/pbuilder-modules"`: a file the script names, in a folder known at run time."""
    operand = command.words[1].value
    folder, slash, name = operand.rpartition("/")
    if slash and folder and "$" not in name and "`" not in name and name not in ("", ".", ".."):
        return f"it names the file (`{name}`), which a repository check reads where it is"
    return None


def _known_shape(command: Command, document: ShellDocument) -> str | None:
    """An `eval`/`sh -c` idiom whose shape the file shows, or None for text only known at run time."""
    head = command.words[0].value
    if INDIRECT_ASSIGNMENT.match(head) or _EVAL_ASSIGNS.search(_line_before(command, document)):
        return "`eval` runs an assignment to or from a variable named at run time; it runs no program"
    variable = _VARIABLE.fullmatch(head)
    if variable is not None:  # `set_args="$(git rev-parse --parseopt …)"; eval "$set_args"`
        assigned = re.findall(rf"(?m)(?:^|[\s;&|(]){re.escape(variable.group(1))}=(.*)$", document.text)
        writers = [_writer(value.strip("\"'$(")) for value in assigned]
        if assigned and all(writers):
            return f"the variable holds what `{writers[0]}` writes: shell assignments"
        return None
    substitution = _SUBSTITUTION.fullmatch(head.strip())
    if substitution is None:
        return None
    body = (substitution.group(1) or substitution.group(2) or "").strip()
    last = re.split(r"[;\n]|&&|\|\|", body)[-1].strip()
    writer = _writer(last) or (_writer(body) if not re.search(r"[;&]|\|\|", body) else None)
    if writer:
        return f"`{writer}` writes shell assignments"
    name = last.split()[0] if last else ""
    if name and re.search(rf"(?m)^\s*(?:function\s+)?{re.escape(name)}\s*\(\)", document.text):
        return f"it runs what `{name}`, a function of this script, writes"
    return None


_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
# `eval pretty_name=\${GITHEAD_$SHA1:-$SHA1}`: what eval runs starts with a literal assignment, whose value
# names a variable at run time (an indirect lookup the parser cannot read as one word).
_EVAL_ASSIGNS = re.compile(r"(?:^|[\s;&|(])eval\s+[A-Za-z_][A-Za-z0-9_]*=\S*$")


def _line_before(command: Command, document: ShellDocument) -> str:
    """The text of the command's line before it: what wraps it as written."""
    text = document.text
    return text[text.rfind("\n", 0, command.start) + 1 : command.start]


def _writer(text: str) -> str | None:
    """The tool at the start of `text` (or of its last pipe stage) that writes shell assignments, or None."""
    stages = [stage.strip() for stage in re.split(r"(?<!\|)\|(?!\|)", text.strip())]
    for stage in (text.strip(), stages[-1]):
        if _ASSIGNMENT_WRITER.match(stage):
            return stage.split()[0] if stage.split() else None
    return None
