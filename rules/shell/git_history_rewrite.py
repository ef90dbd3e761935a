"""SH401 git-history-rewrite: force pushes, and commands that throw away uncommitted work."""

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

_PROTECTED = frozenset({"main", "master", "trunk", "develop", "development", "stable"})
_PUSH = Syntax(options("-o", "--push-option", "--repo", "--receive-pack", "--exec"))
_CLEAN = Syntax(options("-e", "--exclude"))


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    if command.program != "git":
        return
    subcommand, rest = command.subcommand, command.args[1:]
    if subcommand == "push":
        finding = _push(parse(rest, _PUSH)[0], document.source.context.names)
    elif subcommand == "reset" and parse(rest)[0].has("--hard"):
        finding = (
            "`git reset --hard` discards every uncommitted change in the working tree, and the commits "
            "it moves away from are kept only in the reflog. Commit or `git stash` first.",
            None,
        )
    elif subcommand == "clean":
        finding = _clean(parse(rest, _CLEAN)[0])
    else:
        finding = None
    if finding:
        message, severity = finding
        yield Hit(command.start, command.end, message, severity)


def _push(argv, names):
    force = argv.has("-f", "--force")
    lease = any(o.name in ("--force-with-lease", "--force-if-includes") for o in argv.options)
    deletes = argv.has("-d", "--delete")
    refspecs = [w.value for w in argv.positionals[1:]]
    if argv.has("--mirror"):
        return (
            "`git push --mirror` makes the remote match this repository exactly: branches it lacks are "
            "deleted and every other branch is force-updated. Push the branches you mean instead.",
            None,
        )
    for refspec in refspecs:
        source, _, target = refspec.lstrip("+").partition(":")
        branch = (target or source).removeprefix("refs/heads/")
        if not _protected(branch, names):
            continue
        if deletes or (refspec.startswith(":") and target):
            return (
                f"`git push` deletes the protected branch {branch} on the remote. Delete it in the hosting "
                "service's settings if you really mean to.",
                Severity.ERROR,
            )
        if force or refspec.startswith("+"):
            return (
                f"A force push to the protected branch {branch} rewrites its shared history; everyone's "
                "commits after the rewritten point are lost from it. Push a new branch and open a "
                "pull request instead.",
                Severity.ERROR,
            )
        if lease:
            return (
                f"`--force-with-lease` to the protected branch {branch} still rewrites its shared history. "
                "Push a new branch and open a pull request instead.",
                None,
            )
    if force and not lease:
        where = f"the branch {refspecs[0].lstrip('+')}" if refspecs else "the current branch"
        return (
            f"A force push to {where} can overwrite commits others pushed. Use `--force-with-lease`, which "
            "refuses when the remote has moved.",
            None,
        )
    return None


def _protected(branch: str, names) -> bool:
    return branch in _PROTECTED or branch.startswith(("release/", "release-")) or names.matches(branch)


def _clean(argv):
    if argv.has("-n", "--dry-run", "-i", "--interactive") or not argv.has("-f", "--force"):
        return None
    if argv.has("-d", "-x"):
        removes = "untracked directories and ignored files" if argv.has("-x") else "untracked directories"
        return (
            f"`git clean -f` with -d or -x deletes {removes} (local configuration, data files, build "
            "caches) for good; they were never committed. Run `git clean -n` first to see what goes.",
            None,
        )
    return None


RULE = Rule(
    id="SH401",
    name="git-history-rewrite",
    language="shell",
    severity=Severity.WARNING,
    summary="A force push that rewrites shared history, or a git command that throws away uncommitted work.",
    rationale=(
        "A force push (`--force`, `-f`, a `+refspec`, `--mirror`) replaces the remote's history; to a protected "
        "branch (main, master, trunk, develop, release/*, and branches named like production) it is an error, "
        "as is deleting one. `--force-with-lease` to a feature branch is the safe way to update a rebased "
        "branch and is not a finding. `git reset --hard` and `git clean -f` with -d or -x delete uncommitted "
        "work that no command can bring back. Global options (`git -C repo`) do not hide the subcommand, and "
        "a commit message that mentions these commands is only data."
    ),
    fix="Push to a new branch and open a pull request; use `--force-with-lease` for your own rebased branches.",
    flag=(
        Example(
            "git push --force origin main",
            flagged="git push --force origin main",
            severity=Severity.ERROR,
            message="A force push to the protected branch main rewrites its shared history",
        ),
        "git -C services/api push -f origin HEAD:master",
        "git push origin +release/2.4",
        "git push origin --force-with-lease prod",
        "git push --force origin feature/x",
        "git push origin --delete main",
        "git reset --hard origin/main",
        "git clean -fdx",
        "git clean --force -d",
    ),
    clean=(
        "git push --force-with-lease origin feature/x",
        "git push origin main",
        'git commit -m "git push --force origin main"',
        "echo 'git reset --hard'",
        "git reset --soft HEAD~1",
        "git clean -n -dx",
        "git clean -f",
        "git push origin :feature/old",
    ),
    check=check,
    escalates=False,
    keywords=("git",),
    precision="high",
    tags=("source-control",),
)
