"""SH606 sync-delete: `rsync --delete` into the root, a home, or a system or data directory."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.frontends.shell.program_options import Syntax, options, parse
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules._paths import dangerous_target

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command

_RSYNC = Syntax(
    options(
        *("-e", "--rsh", "-f", "--filter", "--exclude", "--include", "--exclude-from", "--include-from"),
        *("--files-from", "-T", "--temp-dir", "-B", "--block-size", "-M", "--remote-option", "--rsync-path"),
        *("--log-file", "--chown", "--chmod", "--port", "--password-file", "--backup-dir", "--suffix"),
        *("--partial-dir", "--compare-dest", "--copy-dest", "--link-dest", "--max-size", "--min-size"),
        *("--bwlimit", "--timeout", "--out-format", "--info", "--debug", "--max-delete", "--usermap"),
        *("--groupmap", "--iconv", "--address", "--sockopts", "--contimeout", "--skip-compress"),
    )
)
_DELETES = ("--delete", "--del", "--delete-before", "--delete-during", "--delete-delay", "--delete-after")
_FIX = "Sync into a folder of its own, run it with `--dry-run` first, or add `--backup --backup-dir=…`."


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    if command.program != "rsync":
        return
    argv = parse(command.args, _RSYNC)[0]
    if not argv.has(*_DELETES, "--delete-excluded") or argv.has("-n", "--dry-run", "--list-only"):
        return
    if argv.has("-b", "--backup") or len(argv.positionals) < 2:
        return  # what it deletes is kept in the backup folder
    destination = argv.positionals[-1]
    path, host = _remote(destination.value)
    what = dangerous_target(path, destination.literal, None)
    if what:
        where = f" on {host}" if host else ""
        yield Hit(
            command.start,
            command.end,
            f"`{command.text()}` makes {what}{where} a copy of the source, deleting every file in it that the "
            f"source does not have. {_FIX}",
        )


def _remote(destination: str) -> tuple[str, str]:
    """(path, host) of `user@host:path`; a remote path without a folder is the remote home."""
    if destination.startswith(("/", "./", "~")) or ":" not in destination or "://" in destination:
        return destination, ""
    host, _, path = destination.partition(":")
    if "/" in host or path.startswith(":"):  # a local name with a colon after a slash; `host::module`
        return destination, ""
    return path or "~", host


RULE = Rule(
    id="SH606",
    name="sync-delete",
    language="shell",
    severity=Severity.ERROR,
    summary="An rsync --delete whose destination is the root, a home directory, or a system or data directory.",
    rationale=(
        "`rsync --delete` makes the destination an exact copy of the source: every file there that the "
        "source lacks is deleted. Into a home (`~/`, `host:` alone is the remote home), the root, a system "
        "directory or a database's data directory, a wrong or empty source deletes what the machine or the "
        "database holds. Syncing into a folder of its own is how sites and builds are deployed and is not a "
        "finding (`rsync -a --delete dist/ user@host:/srv/www/`), and nor are `--dry-run` and `--backup`, "
        "which keep what would be deleted."
    ),
    fix=_FIX,
    flag=(
        Example(
            "rsync -a --delete ./empty/ ~/",
            flagged="rsync -a --delete ./empty/ ~/",
            severity=Severity.ERROR,
            message="the home directory (~)",
        ),
        "rsync -av --delete /mnt/backup/etc/ /etc/",
        "rsync -a --delete-after snapshot/ /var/lib/postgresql/16/main/",
        "rsync -aHAX --del / /",
        "rsync -a --delete dotfiles/ deploy@web1:",
        "rsync -a --delete --exclude .git build/ root@db1:/var/lib/mysql",
        'rsync -a --delete skel/ "$HOME"',
        "sudo rsync -a --delete /srv/mirror/ /usr/",
        "cd /tmp && rsync -a --delete x/ /home/alice",
        "bash -c 'rsync -a --delete src/ ~'",
    ),
    clean=(
        "rsync --delete ./site/ ./public/",
        "rsync -a --delete dist/ user@host:/srv/www/",
        "rsync -avz --delete build/ deploy@web1:/var/www/app/",
        "rsync -a --delete --dry-run ./empty/ ~/",
        "rsync -avn --delete src/ /etc/",
        "rsync -a --delete --backup --backup-dir=/var/backups/etc-old new-etc/ /etc/",
        "rsync -a ./dotfiles/ ~/",
        "rsync -a --delete ~/ /mnt/backup/home/",
        "rsync -a --delete ~/project/ ~/project-copy/",
        "echo 'rsync -a --delete x/ ~/'",
    ),
    check=check,
    escalates=True,
    keywords=("rsync",),
    precision="high",
    tags=("data-loss",),
)
