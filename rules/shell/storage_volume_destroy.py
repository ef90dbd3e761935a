"""SH603 storage-volume-destroy: ZFS and LVM commands that destroy pools, datasets and volumes."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.frontends.shell.program_options import Syntax, options, parse
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command

# LVM's removals, what each destroys, and whether that is an error. Their `-t`/`--test` changes nothing.
_LVM = {
    "lvremove": ("the logical volume and the file system on it", Severity.ERROR),
    "vgremove": ("the volume group and every logical volume in it", Severity.ERROR),
    # A physical volume still in a group is refused without -ff; one outside any group holds no volume.
    "pvremove": ("the LVM label of the physical volume, and with it any volume laid out on it", Severity.WARNING),
}
_LVM_SYNTAX = Syntax(options("--config", "--commandprofile", "--reportformat", "-S", "--select", "--devices"))
_FIX = "List what it holds first (`zfs list -r -t all`, `lvs`), take a snapshot or backup, and run it by hand."


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    found = _judge(command)
    if found is not None:
        message, severity = found
        yield Hit(command.start, command.end, f"{message} {_FIX}", severity)


def _judge(command) -> tuple[str, Severity | None] | None:
    program = command.program
    if program in _LVM:
        argv = parse(command.args, _LVM_SYNTAX)[0]
        if argv.has("-t", "--test") or not (argv.positionals or argv.has("-a", "--all")):
            return None
        what, severity = _LVM[program]
        names = " ".join(w.value for w in argv.positionals[:2])
        return f"`{program} {names}` destroys {what}.", severity
    if program not in ("zfs", "zpool") or command.subcommand != "destroy":
        return None
    argv = parse(command.args[1:])[0]
    if argv.has("-n") or not argv.positionals:
        return None  # `zfs destroy -n` (often `-nv`) only shows what it would destroy
    name = argv.positionals[0].value
    if program == "zpool":
        return f"`zpool destroy {name}` destroys the pool and every dataset and snapshot in it.", Severity.ERROR
    if "@" in name and not argv.has("-r", "-R"):
        return f"`zfs destroy {name}` destroys the snapshot, a copy of the data that may be the only one.", None
    return f"`zfs destroy {name}` destroys the dataset and the files in it.", Severity.ERROR


RULE = Rule(
    id="SH603",
    name="storage-volume-destroy",
    language="shell",
    severity=Severity.WARNING,
    summary="A ZFS or LVM command that destroys a pool, a dataset, a snapshot or a volume.",
    rationale=(
        "`zpool destroy`, `zfs destroy` of a dataset (`-r`, `-R` and its children with it), `lvremove` and "
        "`vgremove` take the file systems on them, and all their data, with them: errors. `zfs destroy` of "
        "one snapshot removes a copy that may be the only one, and `pvremove` erases the label that lays "
        "volumes out on a disk (LVM refuses while a group still uses it, unless forced): warnings. The dry "
        "runs `zfs destroy -n` and LVM's `--test` change nothing, and listing (`zfs list`, `lvs`, `vgs`) is "
        "not a finding."
    ),
    fix=_FIX,
    flag=(
        Example(
            "zfs destroy -r tank/data",
            flagged="zfs destroy -r tank/data",
            severity=Severity.ERROR,
            message="destroys the dataset",
        ),
        Example("zpool destroy -f tank", severity=Severity.ERROR),
        Example("zfs destroy tank/data@2024-01-01", severity=Severity.WARNING),
        Example("zfs destroy -r tank@daily", severity=Severity.ERROR),
        Example("lvremove -f vg0/data", severity=Severity.ERROR),
        "lvremove /dev/vg0/pgdata",
        Example("vgremove -ff vg0", severity=Severity.ERROR),
        Example("pvremove /dev/sdb", severity=Severity.WARNING),
        "sudo lvremove -y vg0/home",
        "cd / && sudo zfs destroy -R rpool/ROOT",
        "bash -c 'zpool destroy backup'",
        "( vgremove vg_data )",
    ),
    clean=(
        "zfs list",
        "zfs list -t snapshot -r tank",
        "zfs destroy -nv tank/data",
        "zfs snapshot tank/data@before-upgrade",
        "zpool status tank",
        "lvs",
        "vgs",
        "lvremove --test vg0/data",
        "vgremove -t vg0",
        "lvcreate -L 10G -n data vg0",
        "echo 'zpool destroy tank'",
    ),
    check=check,
    escalates=True,
    keywords=("zfs", "zpool", "lvremove", "vgremove", "pvremove"),
    precision="very-high",
    tags=("data-loss", "disks"),
)
