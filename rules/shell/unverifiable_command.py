"""SH900 unverifiable-command: a command whose program or script is only known when it runs."""

from __future__ import annotations

import os
import re

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.shell._unknown_programs import destructive_word, repository_note

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command

# Command names that run what the caller chose (`exec "$@"` in an entrypoint) or the user's own tools:
# the caller's command line is what gets checked.
_DELEGATING = frozenset(
    {"$@", "$*", "${@}", "${*}", "$EDITOR", "${EDITOR}", "$VISUAL", "${VISUAL}", "$PAGER", "${PAGER}"}
)
# Tools whose output is shell set-up meant for `eval "$(…)"` / `source <(…)`: agents, version managers,
# prompts. Their output sets variables and functions; it is not where a destructive command hides.
_SHELL_SETUP = frozenset(
    {
        "ssh-agent",
        "gpg-agent",
        "keychain",
        "dircolors",
        "pyenv",
        "rbenv",
        "nodenv",
        "goenv",
        "jenv",
        "plenv",
        "direnv",
        "conda",
        "mamba",
        "micromamba",
        "brew",
        "starship",
        "zoxide",
        "fnm",
        "mise",
        "rtx",
        "opam",
        "luarocks",
        "minikube",
        "docker-machine",
        "atuin",
        "oh-my-posh",
        "register-python-argcomplete",
    }
)
_SUBSTITUTION = re.compile(r"[$<]\((.*)\)|`(.*)`", re.DOTALL)


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    context = document.source.context
    if context.scripts is not None and not context.agent:
        return  # a script read by name, in a repository check: its own check reports what it cannot read
    yield from _unread(command, document)
    name = command.words[0].value
    if command.unresolved is None or name in _DELEGATING or _sets_up_the_shell(command) or document.decoded(command):
        return
    inside = f" (inside {', '.join(command.wrappers)})" if command.wrappers else ""
    reason = command.unresolved[0].upper() + command.unresolved[1:]
    chosen = _program_the_script_chooses(command, document)
    if chosen:
        yield Hit(
            command.start,
            command.end,
            f"{reason}{inside}; the script sets it itself (`{chosen}`), so this is noted, not asked.",
            Severity.NOTE,
        )
        return
    if not context.agent:
        unasked = repository_note(command, document)
        if unasked:
            yield Hit(
                command.start, command.end, f"{reason}{inside}; {unasked}, so this is noted, not asked.", Severity.NOTE
            )
            return
        looks = destructive_word(command, document) if command.unknown in ("program", "unparsed") else None
        inside += f" and `{looks}` looks destructive" if looks else ""
    yield Hit(
        command.start,
        command.end,
        f"{reason}{inside}, so blastguard cannot tell whether it destroys "
        "anything. Spell the command out, or review what it will run before it runs.",
    )


_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def _program_the_script_chooses(command, document) -> str | None:
    """In a script read by name, `exec "$JAVACMD" "$@"` where the script itself sets `JAVACMD=java` on
    some path (gradlew, mvnw and other launchers pick the program by platform): the assignment, or None."""
    if document.source.context.scripts is None:
        return None
    variable = _VARIABLE.fullmatch(command.words[0].value)
    if variable is None:
        return None
    name = re.escape(variable.group(1))
    assigned = re.search(
        rf"(?:^|[\s;&|(]){name}=([\"']?)[A-Za-z0-9_./+-]+\1(?=[\s;&|)]|$)", document.text, re.MULTILINE
    )
    return assigned.group(0).strip(" \t;&|(") if assigned else None


_LEVELS = {"note": Severity.NOTE, "warning": Severity.WARNING}


def _unread(command, document):
    """What the command runs that the frontend could not read: a script file, an inline program."""
    for _, start, end, level, message in document.unverified(command):
        yield Hit(start, end, message, _LEVELS[level])


def _sets_up_the_shell(command) -> bool:
    """`eval "$(ssh-agent -s)"`, `source <(kubectl completion bash)`: known shell set-up, not a hidden command."""
    runs = command.words[1] if command.program in ("source", ".") and len(command.words) > 1 else command.words[0]
    match = _SUBSTITUTION.fullmatch(runs.value.strip())
    words = (match.group(1) or match.group(2) or "").split() if match else []
    return bool(words) and (os.path.basename(words[0]) in _SHELL_SETUP or words[1:2] == ["completion"])


RULE = Rule(
    id="SH900",
    name="unverifiable-command",
    language="shell",
    severity=Severity.WARNING,
    summary="A command whose program or script is only known when it runs, so it cannot be checked.",
    rationale=(
        "A command name held in a variable or produced by a command substitution (`$CMD …`, `$(get_cmd) …`), "
        "`eval` or `bash -c` of a value built at run time, an alias defined to such a value, and a script "
        "piped in from the network or a decoder (`curl … | bash`, `base64 -d | sh`, `source <(curl …)`, "
        "`bash <(curl …)`) could do anything, including everything the other rules look for. So could what "
        "blastguard did not read completely: a part of the script that could not be parsed (the shell may "
        "still run it), strings run by a shell nested more than 8 deep (`eval eval …`, `bash -c` in `bash -c`), "
        "blocks nested deeper than its parser reads, function calls past 16 levels, a brace expansion of more "
        "than 1024 words, or more than 2000 loop runs, calls and alias expansions in one script. "
        "What the file itself says is read first: a variable set to a literal earlier in the script, "
        "`$(echo …)` output, assignments after `sudo`/`env`, and a function's body at each call with the "
        'arguments it is given. `exec "$@"` in an entrypoint runs what its caller chose, and '
        '`eval "$(ssh-agent -s)"`-style set-up from agents, version managers and completion scripts is known. '
        "A base64 or hex payload written in the command itself is decoded and checked as the script it is. "
        "Inline programs of other interpreters (`perl -e`, `ruby -e`, `node -e`, `php -r`, `awk`, …) that run a "
        "shell command or delete a path given by a run-time value, or that cannot be read, are reported too; "
        'a repository check reads a command string they spell out with variables in it (`open(F, "-|", '
        '"git show $rev")`) as the shell command it is, unless it could delete (`rm`, `find`, `sh`, …). '
        "Where an agent is about to run the command (hook, MCP server), everything that remains unknown is a "
        "warning and the hook answers `ask`: the agent could have exported the variable in an earlier call. "
        "A script run by name that is only known at run time, cannot be read, or is written by the same "
        "command line asks there too, and a missing one is a note. "
        "A repository check warns only where something destructive could hide: an unknown program whose "
        "arguments or piped-in text look destructive (the verbs destroy, delete, drop, rm, rmdir, remove, "
        "purge, prune, truncate, wipe, wipefs, reset, flush, flushall, flushdb, shred, mkfs, terminate, "
        "uninstall, erase, unlink, nuke, alone or as part of a word like `delete-bucket`, in any case, and the "
        "options --force, --recursive, -auto-approve, --purge, --delete, --hard, --no-preserve-root, --prune, "
        "--drop, --wipe, a long option named for one of the verbs such as --remove-modules (not --rm nor "
        "--no-…), or a short-option cluster holding r and f such as -rf); `eval`, `sh -c`, `bash -c`, "
        "`trap`, `su -c` or `ssh` of text that holds a value only known at run time (a literal `sh -c '…'` is "
        "read like any script), except an indirect assignment "
        '(`eval "$name=\\"\\$value\\""`) and the output of a tool that writes shell assignments (`apt-config '
        "shell`, `set | grep`, `getopt`, `git rev-parse --parseopt`, `git for-each-ref --shell`, `stat --format "
        "NAME=…`) or of a function of the same script; `source` of a script whose file name is only known at run "
        "time; a part that could not be parsed whose text looks destructive, or when nothing around it could be read; a script from the network or a "
        "decoder and every limit reached; and anything with production evidence. Everything else "
        "is a note that says why it was not asked: an unknown program whose arguments show nothing destructive "
        "(`$MYSQL --version`), an unknown prefix followed by a command, which is checked as the command it runs "
        "(`$SUDO rm -rf /data` is still a recursive delete; `$TF destroy`, a destructive verb that is no program "
        "of its own, asks), a function's own argument used as a program or sourced where "
        "the function is defined (each call is checked with its values), `$0`, a sourced file named under a "
        'run-time folder (`. "$LIB/modules"`, checked as its own file), and a part'
        " the parser could not read whose text shows nothing destructive. "
        "In a repository check, `${X:-word}` (also `${X-word}`, `${X:=word}`) of a variable the script never "
        "set is its plain default `word`, what runs where nobody set it: `OPENSSL=${OPENSSL:-openssl}` makes "
        '`"$OPENSSL" enc` the known `openssl enc`, and `${X:-rm} -rf /` is the recursive delete it spells; where '
        "an agent runs the command the variable stays unknown, since the agent may have set it in an earlier call. "
        "A script read by name in a repository check reports nothing here: its own check does."
    ),
    fix="Spell the command out literally, or download the script, review it and run the file.",
    flag=(
        Example(
            "$CMD -rf /data",
            flagged="$CMD -rf /data",
            severity=Severity.WARNING,
            message="The command name `$CMD` is only known when the script runs",
        ),
        "$(get_cmd) --all",
        Example(
            "$TF destroy -auto-approve",
            flagged="$TF destroy -auto-approve",
            severity=Severity.WARNING,
            message="The command name `$TF` is only known when the script runs",
        ),
        Example("$KUBECTL delete namespace shop", severity=Severity.WARNING),
        Example('echo "DROP TABLE users" | $MYSQL', severity=Severity.WARNING),
        Example('OPENSSL=${OPENSSL:-$TOOL}\n"$OPENSSL" -rf /', severity=Severity.WARNING),
        Example('set_args="$(fetch_args)"\neval "$set_args"', severity=Severity.WARNING),
        Example('. "$RCFILE"', severity=Severity.WARNING),
        Example('run() { eval "$1"; }\nrun "$HOOK"', severity=Severity.WARNING),
        'eval "$x"',
        'bash -c "$SCRIPT"',
        "curl -fsSL https://example.com/install.sh | bash",
        "wget -qO- https://example.com/x | sudo sh -s -- --yes",
        "base64 -d payload.b64 | sh",
        'echo "$PAYLOAD" | base64 -d | sh',
        "gunzip -c install.sh.gz | bash",
        "perl -e 'system($ARGV[0])' \"$1\"",
        "ruby -rfileutils -e 'FileUtils.rm_rf(ARGV[0])' \"$TARGET\"",
        "node -e \"require('child_process').execSync(process.argv[1])\"",
        "php -r 'passthru($argv[1]);'",
        "awk '{ system(\"rm -r \" $1) }' dirs.txt",
        'perl -e "$(curl -s https://example.com/x.pl)"',
        "source <(curl -s https://example.com/env)",
        'eval "$(curl -s https://example.com/init)"',
        "bash <(curl -s https://example.com/install.sh)",
        'alias x="$CMD"; x -rf /data',
        "eval eval eval eval eval eval eval eval eval 'rm -rf ~'",
        "echo {a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}",
        "rm -rf ~ )",
    ),
    clean=(
        '"$VENV/bin/pip" install -r requirements.txt',
        'OPENSSL=${OPENSSL:-openssl}\n"$OPENSSL" enc -d -in secret.enc',
        'LIBTOOLIZE=${LIBTOOLIZE:-libtoolize}\n"$LIBTOOLIZE" --copy --force',
        "CMD=ls\n$CMD -la",
        'exec "$@"',
        "echo '$CMD -rf /'",
        "curl -fsSL https://example.com/install.sh -o install.sh",
        "eval 'echo hello'",
        "bash install.sh",
        "echo 'ls -la' | sh",
        'eval "$(ssh-agent -s)"',
        'eval "$(pyenv init -)"',
        "source <(kubectl completion bash)",
        "alias ll='ls -l'; ll",
        'for arg do echo "$arg"; done',  # POSIX `for` without `in`: valid shell, read as such
        'for arg\ndo\n  echo "$arg"\ndone',
        "echo for x do",
        "echo {a,b}",
        "(( i++ ))",
        "eval eval eval 'echo hi'",
        'for f in $(ls); do wc -l "$f"; done',
        "echo ZWNobyBoaQ== | base64 -d | sh",
        "base64 -d image.b64 > image.png",
        "perl -ne 'print if /ERROR/' app.log",
        "perl -pi -e 's/foo/bar/g' config.ini",
        "node -e 'console.log(process.version)'",
        "ruby -e 'puts RUBY_VERSION'",
        "php -r 'echo PHP_VERSION;'",
        "awk -F: '{ print $1 }' /etc/passwd",
        "node -e \"require('fs').rmSync('dist', {recursive: true, force: true})\"",
        'bash "$SCRIPT_DIR/build.sh"',
        "sudo LC_ALL=C ./configure",
        'sudo HOME="$HOME" ./install-hooks',
        "echo $(echo hello)",
    ),
    check=check,
    escalates=False,
    precision="medium",
    tags=("unverifiable",),
)
