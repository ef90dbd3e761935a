"""SH301 recursive-delete: recursive deletes of the root, a home, or a system or data directory."""

from __future__ import annotations

import posixpath
import re

from blastguard.examples import Example
from blastguard.frontends.shell.program_options import Syntax, options, parse
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules._paths import HOME_VARIABLE, dangerous_target, database_volume, hidden_files, working_tree

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command

_RM = Syntax(options("--interactive"))
_FIND = Syntax(options("-D"))
_FIX = (
    "Delete only the paths you mean, spelled out, and never a path that can expand to a system, home or data directory."
)


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    if command.program in ("rm", "rimraf"):  # rimraf: npm's `rm -rf` (`npx rimraf dist`)
        yield from _rm(command, document)
    elif command.program == "find":
        yield from _find(command, document)


def _rm(command, document):
    argv = parse(command.args, _RM)[0]
    recursive = command.program == "rimraf" or argv.has("-r", "-R", "--recursive")
    shown = command.text()
    no_root_guard = " `--no-preserve-root` turns off rm's own guard." if argv.has("--no-preserve-root") else ""
    selected = False  # the paths are a `find`'s picks (`-name '*.pyc'`), not all it walks
    if command.arguments_from_stdin and recursive:
        roots = _upstream_roots(command)
        selected = command.upstream is not None and command.upstream.program == "find" and _selects(command.upstream)
        if roots is None:
            source = f"`{command.upstream.text(40)}`" if command.upstream else "its input"
            yield Hit(
                command.start,
                command.end,
                f"`{shown}` recursively deletes whatever paths arrive from "
                f"{source}, which cannot be checked before it runs. List the paths first and delete them "
                "explicitly.",
                Severity.WARNING,
            )
            return
        targets = roots
    else:
        targets = [(w.value, w.literal) for w in argv.positionals]
    if recursive:
        for word in argv.positionals:
            source = _input_source(word, command)
            if source:
                yield Hit(
                    command.start,
                    command.end,
                    f"`{shown}` recursively deletes whatever paths {source} puts "
                    f"in `{word.value}`, which cannot be checked before it runs. List the paths first and "
                    "delete them explicitly.",
                    Severity.WARNING,
                )
                return
    changes = document.earlier(command, "cd", "pushd")
    cwd = _working_directory(changes, document.source.context.directory)
    for value, literal in targets:
        if recursive:
            what = dangerous_target(value, literal, cwd)
        else:  # `rm /var/lib/mysql/*`: a glob empties the directory even without -r
            what = dangerous_target(posixpath.dirname(value), literal, cwd) if "*" in value else None
        if what:
            verb = "recursively deletes" if recursive else "deletes every file in"
            yield Hit(command.start, command.end, f"`{shown}` {verb} {what}.{no_root_guard} {_FIX}")
            return
        if recursive and not changes and not selected and working_tree(value, literal):
            yield Hit(command.start, command.end, f"`{shown}` {_WORKING_TREE} {_FIX}")
            return
        if recursive and not changes and not selected and hidden_files(value, literal):
            yield Hit(command.start, command.end, f"`{shown}` {_HIDDEN_FILES} {_FIX}")
            return
        volume = database_volume(value, literal) if recursive else None
        if volume:
            yield Hit(command.start, command.end, _volume_message(shown, volume), Severity.WARNING)
            return


def _find(command, document):
    roots, actions = _find_parts(command)
    runs = [actions[i + 1] for i, a in enumerate(actions[:-1]) if a in ("-exec", "-execdir", "-ok", "-okdir")]
    deletes = "-delete" in actions or any(posixpath.basename(program) in ("rm", "shred") for program in runs)
    if not deletes:
        return
    changes = document.earlier(command, "cd", "pushd")
    cwd = _working_directory(changes, document.source.context.directory)
    for root in roots:
        what = dangerous_target(root.value, root.literal, cwd)
        if what:
            message = f"`{command.text()}` deletes files found anywhere under {what}. {_FIX}"
            yield Hit(command.start, command.end, message)
            return
        if _selects(command):
            continue
        if not changes and working_tree(root.value, root.literal):
            yield Hit(command.start, command.end, f"`{command.text()}` {_WORKING_TREE} {_FIX}")
            return
        volume = database_volume(root.value, root.literal)
        if volume:
            yield Hit(command.start, command.end, _volume_message(command.text(), volume), Severity.WARNING)
            return


_WORKING_TREE = (
    "deletes everything in the folder it runs in, the project's working tree with every change not yet "
    "committed (and, for `.` and `find`, its `.git` history)."
)


_HIDDEN_FILES = (
    "deletes every hidden file and folder of the folder it runs in: in a project, its `.git` history and its "
    "`.env` with them."
)


def _volume_message(shown: str, volume: str) -> str:
    return (
        f"`{shown}` deletes `{volume}`, a database's data folder by its name (a volume mounted for a database), "
        "and the database with it. Stop the database and keep a dump if its data matters."
    )


def _find_parts(command) -> tuple[list, list[str]]:
    """A `find`'s starting points and the words after them (tests and actions)."""
    rest = parse(command.args, _FIND, stop_at_positional=True)[1]
    roots = []
    for word in rest:
        if word.value.startswith(("-", "(", "!")):
            break
        roots.append(word)
    return roots, [w.value for w in rest[len(roots) :]]


# Tests that pick some files out of what `find` walks; `-type`, `-mindepth` and the like still take
# every file of a kind, so a `find . -type f -delete` empties the tree.
_PICKING_TESTS = frozenset(
    {
        "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex", "-lname",
        "-ilname", "-newer", "-anewer", "-cnewer", "-newermt", "-newerct", "-newerat", "-mtime", "-mmin",
        "-atime", "-amin", "-ctime", "-cmin", "-size", "-empty", "-user", "-group", "-uid", "-gid", "-perm",
        "-links", "-inum", "-samefile", "-nouser", "-nogroup", "-used", "-context",
    }
)  # fmt: skip


def _selects(command) -> bool:
    """Whether a `find` picks files by a test that is not negated (`-name '*.pyc'`, not `! -name x`);
    `-type l` (links, sockets, pipes) picks too, `-type f` and `-type d` take every file or folder."""
    actions = _find_parts(command)[1]
    return any(
        (action in _PICKING_TESTS or (action == "-type" and actions[index + 1 : index + 2] not in (["f"], ["d"])))
        and (index == 0 or actions[index - 1] not in ("!", "-not"))
        for index, action in enumerate(actions)
    )


def _input_source(word, command) -> str | None:
    """Where a path held whole by a loop or `read` variable comes from, when the script does not show it
    (`for d in $(ls); do rm -rf "$d"`); None for anything else (`"$d/cache"` stays below a folder of its own)."""
    match = _WHOLE_VARIABLE.fullmatch(word.value) if not word.literal else None
    name = match and (match.group(1) or match.group(2))
    return command.inputs.get(name) if name else None


_WHOLE_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))/?\*?")


def _upstream_roots(command) -> list[tuple[str, bool]] | None:
    """Where `… | xargs rm -r` gets its paths: a `find`'s roots or an `echo`'s words; None when unknown."""
    upstream = command.upstream
    if upstream is None:
        return None
    if upstream.program == "find":
        roots = [w for w in upstream.args if not w.value.startswith(("-", "(", "!"))][:1]
        return [(w.value, w.literal) for w in roots] or None
    if upstream.output is not None and upstream.output.text is not None:
        return [(part, upstream.output.text.literal) for part in upstream.output.text.value.split()]
    return None


def _working_directory(changes, start: str | None = None) -> str | None:
    """The directory the script is in after the `cd`s and `pushd`s in `changes`, from `start` (where an
    agent runs it, when known): "~" for the home, None when unknown."""
    cwd = start
    for command in changes:
        targets = [w for w in command.args if not w.value.startswith("-")]
        if not targets:
            cwd = "~"
        elif not targets[0].literal:
            cwd = "~" if HOME_VARIABLE.fullmatch(targets[0].value) else None
        elif targets[0].value.startswith(("/", "~")):
            cwd = targets[0].value
        else:
            cwd = posixpath.join(cwd, targets[0].value) if cwd else None
    return cwd


RULE = Rule(
    id="SH301",
    name="recursive-delete",
    language="shell",
    severity=Severity.ERROR,
    summary="A recursive delete of the root, a home directory, or a system or data directory.",
    rationale=(
        "`rm -rf /`, `rm -rf ~`, `rm -rf $HOME`, `rm -r /var/lib/postgresql/…` and `find / … -delete` "
        "destroy a machine or its data in seconds. Every spelling counts: `-rf`, `-fr`, `-r -f`, "
        "`--recursive --force`, `-r` alone, `..` that climbs to the root, a `cd` to such a directory followed "
        "by a relative delete, wrappers (`sudo`, `xargs`, `bash -c`, `find -exec rm`), and a glob that empties "
        "a data directory without -r; so do the shell's own indirections: an alias or a function (judged with "
        "the arguments of each call), each literal value of a `for` loop or line of a `while read` loop, a "
        "`trap`, `bash <(echo …)`, brace expansion and `IFS` splitting. Deleting build output, `node_modules`, "
        "a virtualenv, temporary directories or a `mktemp` result is routine and not a finding; paths that "
        "arrive on `xargs`'s input, or in a loop or `read` variable, from a command or file that cannot be read "
        "are a warning. "
        "What other interpreters run counts too: the shell "
        "line of `perl -e 'system(…)'`, `node -e 'execSync(…)'` and kin, their delete calls (`rmtree`, "
        "`FileUtils.rm_rf`, `fs.rmSync(…, {recursive: true})`) judged as the same `rm`, and a base64 or hex "
        "payload decoded and run. "
        "The working tree a command runs in counts too: `rm -rf .`, `rm -rf *`, `rm -rf ./*` and a `find .` that "
        "deletes everything it walks (`-delete`, `-exec rm`, with no test such as `-name` that picks files), and "
        "`rm -rf .[!.]*` (every hidden entry, `.git` included), where "
        "no `cd` came first, delete the project with its uncommitted changes (a `cd` to a known folder is judged "
        "there, and so is the folder an agent runs the command in, which may be a home; `cd build && rm -rf *` is "
        "not a finding). So do data directories named by their variables "
        "(`$PGDATA`, `$MYSQL_DATADIR`, `$MONGODB_DATA_DIR`, …) and their usual paths (/var/lib/postgresql, "
        "/var/lib/docker/volumes, /data/db, …). A project folder named as a database's volume (`./pgdata`, "
        "`data/postgres`, `mysql_data`) is a warning: resetting a development database is often meant, but its "
        "data is gone."
    ),
    fix=_FIX,
    flag=(
        # npm's rimraf is `rm -rf`; a command `docker run` starts runs on the volumes it mounts.
        Example("npx rimraf ~/", flagged="rimraf ~/", severity=Severity.ERROR),
        "docker run --rm -v pgdata:/var/lib/postgresql/data alpine sh -c 'rm -rf /var/lib/postgresql/data/*'",
        "podman run --rm --entrypoint rm alpine -rf /var/lib/mysql",
        Example(
            "rm -rf /",
            flagged="rm -rf /",
            severity=Severity.ERROR,
            message="`rm -rf /` recursively deletes the whole filesystem (/).",
        ),
        "FOO=1 rm -r -f /",
        "$SUDO rm -rf /data",  # after an unknown prefix: checked as the command it runs
        "RM=${RM:-rm}\n$RM -rf /",  # a script's default is what runs where nobody set the variable
        "sudo rm -fr --no-preserve-root /",
        "rm --recursive --force ~",
        'rm -r "$HOME"',
        "rm -rf /var/lib/postgresql/14/main",
        "rm -rf /tmp/../../",
        "rm -rf /etc/",
        "cd / && rm -rf *",
        "xargs rm -rf",
        "find / -name '*.log' -delete",
        "find /var/lib/mysql -type f -exec rm -f {} +",
        "rm -f /var/lib/mysql/*",
        "bash -c 'rm -rf /*'",
        '"$TOOLS"/rm -rf /',
        "alias x='rm -rf ~'; x",
        'f() { rm -rf "$1"; }; f ~',
        "for d in ~ /tmp/x; do rm -rf $d; done",
        'echo / | while read -r d; do rm -rf "$d"; done',
        'for d in $(ls); do rm -rf "$d"; done',
        'while read -r d; do rm -rf "$d"; done < dirs.txt',
        "trap 'rm -rf ~' EXIT",
        "bash <(echo 'rm -rf ~')",
        "script -qc 'rm -rf ~' /dev/null",
        "flock /tmp/lock -c 'rm -rf ~'",
        "find . -exec sh -c 'rm -rf ~' \\;",
        "{rm,-rf,~}",
        "rm -rf /{etc,tmp/x}",
        'IFS=,; cmd="rm,-rf,~"; $cmd',
        "$(echo rm) -rf ~",
        "sh -c '((rm -rf ~))'",
        "perl -e 'system(\"rm -rf ~\")'",
        "perl -MFile::Path -e 'rmtree(\"/\")'",
        "ruby -rfileutils -e 'FileUtils.rm_rf(\"/var/lib/postgresql\")'",
        "node -e \"require('child_process').execSync('rm -rf ~')\"",
        "node -e \"require('fs').rmSync('/', {recursive: true, force: true})\"",
        "php -r 'shell_exec(\"rm -rf /etc\");'",
        "lua -e 'os.execute(\"rm -rf ~\")'",
        "awk 'BEGIN { system(\"rm -rf /\") }'",
        "echo cm0gLXJmIH4= | base64 -d | sh",
        'eval "$(echo cm0gLXJmIH4= | base64 --decode)"',
        "perl -MMIME::Base64 -e 'system(decode_base64(\"cm0gLXJmIH4=\"))'",
        "python3 -c \"exec(__import__('base64').b64decode('aW1wb3J0IG9zOyBvcy5zeXN0ZW0oInJtIC1yZiB+Iik='))\"",
        Example("rm -rf .", severity=Severity.ERROR, message="the project's working tree"),
        "rm -rf *",
        "rm -rf ./*",
        "find . -delete",
        "find . -mindepth 1 -delete",
        "find . -type f -delete",
        "find . -not -path './.git/*' -delete",
        "find . -exec rm -rf {} +",
        "find . -print0 | xargs -0 rm -rf",
        "( rm -rf ./* )",
        'rm -rf "$PGDATA"',
        "rm -rf ${MYSQL_DATADIR}/*",
        "sudo rm -rf $MONGODB_DATA_DIR",
        "rm -rf /data/db",
        "rm -rf /var/lib/docker/volumes/app_pgdata",
        Example("rm -rf ./pgdata", severity=Severity.WARNING, message="a database's data folder"),
        "rm -rf data/postgres",
        "rm -rf docker/mysql_data/*",
        "rm -rf .[!.]*",
        "rm -rf .??*",
    ),
    clean=(
        "npx rimraf dist node_modules",
        "docker run --rm -v $PWD:/src node:20 rm -rf /src/node_modules",
        "rm -rf node_modules dist",
        "rm -rf build/ target/ .venv __pycache__",
        'grep -r "rm -rf /" .',
        'git commit -m "rm -rf /"',
        'echo "rm -rf /"',
        "rm -rf /tmp/build-cache",
        'rm -rf "$TMPDIR/work"',
        'tmp=$(mktemp -d)\nrm -rf "$tmp"',
        "rm -f /etc/nginx/conf.d/default.conf",
        "find . -name node_modules -type d -prune -exec rm -rf {} +",
        "find . -name '*.pyc' | xargs rm -f",
        "find . -name '*.pyc' | xargs rm -rf",
        "rm -rf ./product-images",
        'for f in *.py; do black "$f"; done',
        'for d in build dist; do rm -rf "$d"; done',
        "for f in $(find . -name '*.pyc'); do rm -rf \"$f\"; done",
        'clean() { rm -rf "$1"; }; clean build',
        "alias ll='ls -l'; ll",
        "TMPDIR_X=$(mktemp -d); trap 'rm -rf \"$TMPDIR_X\"' EXIT",
        "trap 'rm -f \"$tmpfile\"' EXIT",
        "mkdir -p src/{app,tests}",
        "(( i++ ))",
        "perl -e 'system(\"rm -rf build\")'",
        "node -e \"require('fs').rmSync('dist', {recursive: true, force: true})\"",
        "ruby -e 'puts \"rm -rf /\"'",
        "perl -e 'print \"system(rm -rf /)\"'",
        "node -e '// execSync(\"rm -rf ~\")'",
        "echo ZWNobyBoaQ== | base64 -d | sh",
        "rm -rf build dist node_modules .cache target __pycache__ *.egg-info",
        "find . -name '*.pyc' -delete",
        "find . -type d -name __pycache__ -exec rm -rf {} +",
        "find . -empty -type d -delete",
        "find . -maxdepth 1 -type l -delete",
        "find . -mtime +7 -name '*.log' -delete",
        "rm -rf ./tmp/*",
        "rm -rf *.log",
        "cd build && rm -rf *",
        "cd /tmp/scratch && rm -rf ./*",
        "rm -f $PGDATA/postmaster.pid",
        "rm -rf ./src/database",
        "rm -rf .cache .pytest_cache .mypy_cache",
        "rm -rf .*.swp",
    ),
    check=check,
    escalates=True,
    keywords=("rm", "find", "rimraf"),
    precision="high",
    tags=("data-loss",),
)
