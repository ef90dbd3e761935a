"""SH605 recursive-permission-change: `chmod -R`, `chown -R` or `chgrp -R` over the root or a system tree."""

from __future__ import annotations

import posixpath
import re

from blastguard.examples import Example
from blastguard.frontends.shell.program_options import Syntax, options, parse
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules._paths import HOME_VARIABLE

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command

# The trees the system runs from: their owners and modes (setuid `sudo`, `/etc/shadow`, `~/.ssh`'s 0700)
# are what keeps the machine working and safe, and a recursive change cannot be undone file by file.
_SYSTEM_TREES = frozenset(
    {
        *("/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/root"),
        *("/run", "/sbin", "/sys", "/usr", "/usr/bin", "/usr/lib", "/usr/sbin", "/usr/share", "/usr/libexec"),
        *("/var", "/var/lib", "/var/spool", "/Users", "/System", "/Library", "/private", "/private/etc"),
    }
)
_HOME_ROOT = re.compile(r"~[A-Za-z0-9_.-]*/?|/home/[^/]+/?|/Users/[^/]+/?")
_CHMOD = Syntax(options("--reference"))
_CHOWN = Syntax(options("--reference", "--from"))
_FIX = "Change only the folder you mean (`chown -R app:app /srv/app/uploads`), never a system tree or a whole home."


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    program = command.program
    if program not in ("chmod", "chown", "chgrp"):
        return
    argv = parse(command.args, _CHMOD if program == "chmod" else _CHOWN)[0]
    if not argv.has("-R", "--recursive"):
        return
    for word in argv.positionals[1:]:  # the first is the mode or the owner
        what, severity = _tree(word, program)
        if what:
            yield Hit(
                command.start,
                command.end,
                f"`{command.text()}` changes the {'mode' if program == 'chmod' else 'owner'} of every file "
                f"under {what}, which no command puts back. {_FIX}",
                severity,
            )
            return


def _tree(word, program: str) -> tuple[str | None, Severity | None]:
    if HOME_VARIABLE.fullmatch(word.value) or (word.literal and _HOME_ROOT.fullmatch(word.value)):
        # A whole home's modes hold its keys' secrecy (ssh refuses keys others can read). Taking one's
        # own home back after a `sudo` mistake (`chown -R $USER ~`) is the usual repair, not a finding.
        return ("the home directory " + word.value, Severity.WARNING) if program == "chmod" else (None, None)
    if not word.literal or not word.value.startswith("/"):
        return None, None
    normal = posixpath.normpath(word.value.rstrip("*") or "/")
    normal = "/" if normal == "//" else normal
    if normal in _SYSTEM_TREES:
        return ("the whole filesystem (/)" if normal == "/" else normal), None
    return None, None


RULE = Rule(
    id="SH605",
    name="recursive-permission-change",
    language="shell",
    severity=Severity.ERROR,
    summary="A recursive chmod, chown or chgrp of the root, a system tree or a whole home directory.",
    rationale=(
        "`chmod -R 777 /`, `chown -R user /usr`, `chmod -R 755 /etc` and the like rewrite the owner or "
        "mode of every file in a tree the system runs from: setuid bits on `sudo` and `su` are lost, "
        "`/etc/shadow` and private keys become readable, services refuse to start, and no command puts "
        "the old values back, so the machine is as good as lost (an error). `chmod -R` of a whole home "
        "directory breaks `~/.ssh` and `~/.gnupg` (ssh refuses keys others can read): a warning. Changing "
        "one application's folder (`chown -R app:app /srv/app/uploads`, `chown -R www-data /var/www`, "
        "`chown -R postgres:postgres /var/lib/postgresql`), build output (`chmod -R u+w build/`) or one's "
        "own home back to oneself (`chown -R $USER ~`) is everyday and not a finding."
    ),
    fix=_FIX,
    flag=(
        Example(
            "chmod -R 777 /",
            flagged="chmod -R 777 /",
            severity=Severity.ERROR,
            message="the whole filesystem (/)",
        ),
        "sudo chown -R $USER:$USER /usr",
        "chmod -R 755 /etc/",
        "chown --recursive nobody /var",
        "chgrp -R staff /usr/lib",
        "sudo chmod 777 -R /bin",
        "chmod -R a+rwx /home",
        Example("chmod -R 777 ~", severity=Severity.WARNING),
        Example('chmod -R go+rw "$HOME"', severity=Severity.WARNING),
        "cd /tmp && sudo chown -R me /etc",
        "bash -c 'chmod -R 000 /boot'",
    ),
    clean=(
        "chmod -R u+w build/",
        "chown -R app:app /srv/app/uploads",
        "sudo chown -R www-data:www-data /var/www",
        "sudo chown -R postgres:postgres /var/lib/postgresql",
        "sudo chown -R $USER ~",
        "sudo chown -R $(whoami) ~/.npm",
        "chmod -R 700 ~/.ssh",
        "chmod 755 /usr/local/bin/tool",
        "chmod -R go-w src/",
        "chmod +x scripts/*.sh",
        "chown root:root /etc/cron.d/backup",
        "echo 'chmod -R 777 /'",
    ),
    check=check,
    escalates=True,
    keywords=("chmod", "chown", "chgrp"),
    precision="very-high",
    tags=("system",),
)
