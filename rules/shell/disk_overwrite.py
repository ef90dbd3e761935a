"""SH602 disk-overwrite: commands that write over a disk or partition, format it or wipe its signatures."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.frontends.shell.program_options import Syntax, options, parse
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.shell._storage import block_device

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command
    from blastguard.frontends.shell.word_values import Word

_FORMATTERS = frozenset({"mke2fs", "mkswap", "mkdosfs", "mkntfs", "mkexfatfs", "newfs", "newfs_msdos"})
_EXT = frozenset({"mke2fs", "mkfs.ext2", "mkfs.ext3", "mkfs.ext4"})  # where `-n` only shows what it would do
_WIPEFS = Syntax(options("-o", "--offset", "-t", "--types", "-O", "--output", "--lock"))
_SHRED = Syntax(options("-n", "--iterations", "-s", "--size"))
_CP = Syntax(options("-t", "--target-directory", "-S", "--suffix"))
_SGDISK_ZAP = frozenset({"-Z", "--zap-all", "-z", "--zap", "-o", "--clear"})
_FIX = "Check the device with `lsblk` first, and run it by hand on the disk you mean."


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    device = _written_device(command)
    if device is None:
        return
    word, what = device
    yield Hit(
        command.start,
        max(command.end, word.end),
        f"`{command.text()}` {what} {word.value}, and everything on it is lost. {_FIX}",
    )


def _written_device(command) -> tuple[Word, str] | None:
    """The block device the command destroys, and how it does it."""
    for word in command.writes:  # `cat image > /dev/sdb`, `echo > /dev/nvme0n1`
        if block_device(word.value, word.literal):
            return word, "writes over the disk"
    program = command.program
    args = command.args
    if program == "dd":
        targets = [w.slice(3) for w in args if w.value.startswith("of=")]
        return _first_device(targets[-1:], "writes over the disk")
    if program == "tee":
        return _first_device(parse(args)[0].positionals, "writes over the disk")
    if program == "cp":
        return _first_device(parse(args, _CP)[0].positionals[-1:], "copies over the disk")
    if program == "shred":
        return _first_device(parse(args, _SHRED)[0].positionals, "overwrites the disk")
    if program.startswith("mkfs") or program in _FORMATTERS:
        if _dry_run(program, args):
            return None
        return _first_device(args, "makes a new file system on")
    if program == "wipefs":
        argv = parse(args, _WIPEFS)[0]
        if argv.has("-n", "--no-act") or not argv.has("-a", "--all", "-o", "--offset"):
            return None  # without --all or --offset, wipefs only lists the signatures
        return _first_device(argv.positionals, "wipes the file system and partition signatures of")
    if program == "blkdiscard":
        return _first_device(args, "discards every block of")
    if program == "sgdisk" and any(w.value in _SGDISK_ZAP for w in args):
        return _first_device(args, "destroys the partition table of")
    if program == "badblocks" and any(w.value.startswith("-") and "w" in w.value[1:] for w in args[:-1]):
        return _first_device(args, "writes test patterns over")
    if program == "nvme" and args and args[0].value in ("format", "sanitize"):
        return _first_device(args[1:], "erases the namespace")
    return None


def _first_device(words, what: str) -> tuple[Word, str] | None:
    found = next((w for w in words if block_device(w.value, w.literal)), None)
    return (found, what) if found is not None else None


def _dry_run(program: str, args) -> bool:
    """`mke2fs -n` and `mkfs.xfs -N` show what they would do and write nothing."""
    names = {
        "-" + c
        for w in args
        if w.literal and w.value.startswith("-") and not w.value.startswith("--")
        for c in w.value[1:]
    }
    ext = program in _EXT or (program == "mkfs" and any(w.value.startswith("ext") for w in args))
    return ("-n" in names and ext) or ("-N" in names and program == "mkfs.xfs")


RULE = Rule(
    id="SH602",
    name="disk-overwrite",
    language="shell",
    severity=Severity.ERROR,
    summary="A command that writes over a disk or partition, formats it, or wipes its signatures.",
    rationale=(
        "`dd of=/dev/sdb`, `cat image > /dev/nvme0n1`, `tee /dev/sda`, `cp disk.img /dev/sdb`, `shred "
        "/dev/sda`, `mkfs.ext4 /dev/sdb1`, `mkswap /dev/sda2`, `wipefs -a`, `blkdiscard`, `sgdisk --zap-all`, "
        "`badblocks -w` and `nvme format` destroy everything on the device at once, and the wrong letter "
        "(`sdb` for `sdc`) destroys the wrong disk. Devices are named as the kernel names them (/dev/sd*, "
        "/dev/nvme*, /dev/vd*, /dev/xvd*, /dev/hd*, /dev/mmcblk*, /dev/md*), by their stable links "
        "(/dev/disk/by-*), or as LVM and device-mapper volumes (/dev/mapper/*). Image files (`dd of=./disk.img`, "
        "`mkfs.ext4 ./disk.img`), `/dev/null`, loop devices, `wipefs` without `--all` (it only lists) and the "
        "dry runs `mke2fs -n` and `mkfs.xfs -N` are not findings."
    ),
    fix=_FIX,
    flag=(
        Example(
            "dd if=ubuntu.iso of=/dev/sdb bs=4M status=progress",
            flagged="dd if=ubuntu.iso of=/dev/sdb bs=4M status=progress",
            severity=Severity.ERROR,
            message="writes over the disk /dev/sdb",
        ),
        "sudo dd if=/dev/zero of=/dev/nvme0n1 bs=1M count=100",
        "dd if=/dev/urandom of=/dev/disk/by-id/ata-WDC_WD40EFRX-68N32N0_WD-WCC7K1234567",
        Example("cat image.img > /dev/sdb", message="writes over the disk /dev/sdb"),
        "echo garbage > /dev/xvdf",
        "xzcat raspios.img.xz | sudo tee /dev/mmcblk0 > /dev/null",
        "cp debian.iso /dev/sdc",
        "shred -vfz -n 3 /dev/sda",
        "mkfs.ext4 /dev/sdb1",
        "sudo mkfs -t xfs -f /dev/vdb",
        "mke2fs -F -L data /dev/mapper/vg0-data",
        "mkswap /dev/sda2",
        "mkfs.vfat -F 32 /dev/disk/by-uuid/1234-ABCD",
        "wipefs -a /dev/sdb",
        "wipefs --all --force /dev/nvme1n1",
        "blkdiscard /dev/nvme0n1",
        "sgdisk --zap-all /dev/sdb",
        "badblocks -wsv /dev/sdd",
        "nvme format /dev/nvme0n1 --ses=1",
        "cd /tmp && sudo dd if=disk.img of=/dev/sdb",
        "bash -c 'dd if=/dev/zero of=/dev/sda'",
        "( mkfs.ext4 /dev/sdb1 )",
        "sudo sh -c 'cat backup.img > /dev/sda'",
    ),
    clean=(
        "dd if=/dev/zero of=./disk.img bs=1M count=64",
        "dd if=/dev/sda of=backup.img bs=4M",
        "dd if=/dev/urandom of=/dev/null bs=1M count=10",
        "mkfs.ext4 ./disk.img",
        "mkfs.ext4 -F rootfs.ext4",
        "mke2fs -n /dev/sdb1",
        "mkfs.xfs -N /dev/sdb",
        "mkswap ./swapfile",
        "wipefs /dev/sdb",
        "wipefs -a -n /dev/sdb",
        "wipefs -a disk.img",
        "cat /dev/sda > disk.img",
        "lsblk -f /dev/sdb",
        "blkid /dev/sdb1",
        "echo 1 > /sys/block/sdb/device/rescan",
        "losetup -fP disk.img && mkfs.ext4 /dev/loop0p1",
        "shred -u ./secret.txt",
        "cp config.yml /etc/app/config.yml",
        "echo 'dd if=/dev/zero of=/dev/sda'",
        "badblocks -sv /dev/sdd",
        "sgdisk -p /dev/sdb",
    ),
    check=check,
    escalates=True,
    keywords=("dev",),
    precision="very-high",
    tags=("data-loss", "disks"),
)
