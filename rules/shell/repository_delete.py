"""SH502 repository-delete: a code host's CLI deletes a whole repository (GitHub's `gh`, GitLab's `glab`)."""

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
    from blastguard.frontends.shell.word_values import Word

_REPO_DELETE = Syntax(options("-R", "--repo"))
_API = Syntax(
    options(
        "-X",
        "--method",
        "-F",
        "--field",
        "-f",
        "--raw-field",
        "-H",
        "--header",
        "--hostname",
        "--input",
        "-q",
        "--jq",
        "-t",
        "--template",
        "--cache",
        "-p",
        "--preview",
    )
)
_LOST = (
    "deletes the repository with its issues, pull requests, wiki, releases and workflow history (GitHub can "
    "restore most deleted repositories for 90 days, but not a fork, and clones and links break at once)"
)
_GITLAB_LOST = "deletes the project with its repository, issues, merge requests, wiki and pipelines"


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    found = _gh(command) if command.program == "gh" else _glab(command) if command.program == "glab" else None
    if found is None:
        return
    message, names = found
    names_production = document.source.context.names.matches
    yield Hit(
        command.start,
        command.end,
        f"{message}. Check the repository's name, and archive it (or keep a mirror clone) instead.",
        production=tuple(f"deletes {n}" for n in names if names_production(n)),
    )


def _gh(command: Command) -> tuple[str, list[str]] | None:
    words = command.args
    if [w.value for w in words[:2]] == ["repo", "delete"]:
        argv = parse(words[2:], _REPO_DELETE)[0]
        names = [w.value for w in argv.positionals[:1]]
        return f"`{' '.join(('gh repo delete', *names))}` {_LOST}", names
    if words[:1] and words[0].value == "api":
        argv = parse(words[1:], _API)[0]
        method = argv.value("-X", "--method")
        if method is None or not method.literal or method.value.upper() != "DELETE" or not argv.positionals:
            return None
        endpoint = argv.positionals[0]
        if not _repository(endpoint):
            return None
        return f"`gh api -X DELETE {endpoint.value}` {_LOST}", [endpoint.value]
    return None


def _glab(command: Command) -> tuple[str, list[str]] | None:
    if [w.value for w in command.args[:2]] != ["repo", "delete"]:
        return None
    argv = parse(command.args[2:], _REPO_DELETE)[0]
    names = [w.value for w in argv.positionals[:1]]
    return f"`{' '.join(('glab repo delete', *names))}` {_GITLAB_LOST}", names


def _repository(endpoint: Word) -> bool:
    """`repos/OWNER/REPO` (with or without a leading slash or a query): the repository itself, not
    something in it (`repos/o/r/labels/bug`). `repos/$REPO` may be one too."""
    path = endpoint.value.split("?", 1)[0].strip("/").split("/")
    if path[0] != "repos":
        return False
    return len(path) == 3 or (not endpoint.literal and len(path) == 2)


RULE = Rule(
    id="SH502",
    name="repository-delete",
    language="shell",
    severity=Severity.WARNING,
    summary="A code host's command-line tool deletes a whole repository: `gh repo delete`, `gh api -X DELETE repos/…`.",
    rationale=(
        "Deleting a repository on GitHub or GitLab takes its issues, pull or merge requests, wiki, releases "
        "and CI history with it, and breaks every clone's remote and every link at once. GitHub can restore "
        "most deleted repositories within 90 days (not forks), so this is a warning; a repository named like "
        "production raises it. `gh repo delete` and `glab repo delete` (with or without `--yes`) are read, "
        "and so is the REST call `gh api -X DELETE repos/OWNER/REPO` (`--method DELETE`, any case, a leading "
        "slash, `repos/$REPO`). Other DELETE calls (a label, a workflow run, an artifact, a branch) are "
        "everyday cleanups and are not findings; nor are read-only calls such as `gh repo view` or "
        "`gh api repos/OWNER/REPO`."
    ),
    fix="Archive the repository (`gh repo archive`) or keep a mirror clone, and delete it by hand from its settings.",
    flag=(
        Example(
            "gh repo delete acme/api --yes",
            region=(1, 1, 1, 30),
            severity=Severity.WARNING,
            message="`gh repo delete acme/api` deletes the repository",
        ),
        "gh repo delete",
        "gh api -X DELETE repos/acme/api",
        "gh api --method DELETE /repos/acme/api",
        "gh api --method=delete repos/{owner}/{repo}",
        "gh api -XDELETE repos/acme/api",
        'gh api -X DELETE "repos/$REPO"',
        "glab repo delete acme/api -y",
        Example("gh repo delete acme/prod-config --yes", severity=Severity.ERROR, message="restore"),
        "bash -c 'gh repo delete acme/api --yes'",
    ),
    clean=(
        "gh repo view acme/api",
        "gh repo archive acme/api --yes",
        "gh api repos/acme/api",
        "gh api -X GET repos/acme/api",
        "gh api -X DELETE repos/acme/api/labels/bug",
        "gh api -X DELETE repos/acme/api/actions/runs/123",
        "gh api -X PATCH repos/acme/api -f archived=true",
        "gh release delete v0.1.0 --yes",
        "glab repo view acme/api",
        "echo 'gh repo delete acme/api'",
    ),
    check=check,
    escalates=True,
    keywords=("gh", "glab"),
    precision="high",
    tags=("data-loss",),
)
