"""SH601 container-volume-delete: Docker, Podman and Compose commands that delete volumes and the data in them."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.frontends.shell.program_options import GLOBAL_OPTIONS, Syntax, options, parse
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command

# Container engines that take Docker's subcommands, with the options they take before one.
_ENGINES = {
    "docker": GLOBAL_OPTIONS["docker"],
    "podman": Syntax(
        options(
            "-c", "--connection", "--url", "--identity", "--root", "--runroot", "--storage-driver",
            "--storage-opt", "--log-level", "--module", "--cgroup-manager", "--runtime", "--tmpdir", "--events-backend",
        )
    ),
    "nerdctl": Syntax(options("-n", "--namespace", "-a", "--address", "-H", "--host", "--snapshotter", "--cni-path")),
}  # fmt: skip
# Compose's own options before its subcommand (`docker compose -f x.yml -p app down -v`).
_COMPOSE = Syntax(
    options(
        "-f", "--file", "-p", "--project-name", "--project-directory", "--env-file", "--profile", "--ansi",
        "--parallel", "--progress", "--podman-path", "--podman-args", "--podman-run-args",
    )
)  # fmt: skip
_COMPOSE_PROGRAMS = frozenset({"docker-compose", "podman-compose"})
# The subcommands' options that take a value (so their values are not read as names).
_ARGUMENTS = Syntax(options("--filter", "--rmi", "-t", "--timeout", "--time", "--format"))
_FIX = "Back up what the volume holds first (`docker run --rm -v VOLUME:/v … tar`), and remove it by hand."


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    found = _judge(command)
    if found is None:
        return
    message, severity = found
    yield Hit(command.start, command.end, f"{message} {_FIX}", severity)


def _judge(command) -> tuple[str, Severity | None] | None:
    program = command.program
    if program in _COMPOSE_PROGRAMS:
        return _compose(program, command.words[1:])
    if program not in _ENGINES:
        return None
    words = command.args if program == "docker" else parse(command.words[1:], _ENGINES[program], True)[1]
    if not words:
        return None
    subcommand, rest = words[0].value, words[1:]
    if subcommand == "compose":
        return _compose(f"{program} compose", rest)
    argv = parse(rest, _ARGUMENTS)[0]
    names = [w.value for w in argv.positionals]
    if subcommand == "volume" and names[:1] in (["rm"], ["remove"]) and (names[1:] or command.arguments_from_stdin):
        shown = " ".join((program, "volume rm", *names[1:3]))
        return f"`{shown}` deletes the named volume and every file in it, for good.", Severity.ERROR
    if subcommand == "volume" and names[:1] == ["prune"]:
        if argv.has("-a", "--all"):
            return (
                f"`{program} volume prune --all` deletes every volume no container uses now, named ones too, "
                "such as the database volume of a stack that is stopped.",
                Severity.ERROR,
            )
        return f"`{program} volume prune` deletes every anonymous volume no container uses, with its data.", None
    if subcommand == "system" and names[:1] == ["reset"] and program == "podman":
        return "`podman system reset` deletes every container, image and volume of this Podman.", Severity.ERROR
    if subcommand == "system" and names[:1] == ["prune"] and argv.has("--volumes"):
        return f"`{program} system prune --volumes` also deletes every unused volume, with its data.", None
    removes = (subcommand == "rm") or (subcommand == "container" and names[:1] == ["rm"])
    targets = names[1:] if subcommand == "container" else names
    if removes and argv.has("-v", "--volumes") and (targets or command.arguments_from_stdin):
        return f"`{program} rm -v` also deletes the anonymous volumes of the containers it removes.", None
    return None


def _compose(shown: str, words) -> tuple[str, Severity | None] | None:
    compose, rest = parse(words, _COMPOSE, stop_at_positional=True)
    if not rest or compose.has("--dry-run"):
        return None
    argv = parse(rest[1:], _ARGUMENTS)[0]
    if argv.has("--dry-run") or not argv.has("-v", "--volumes"):
        return None
    if rest[0].value == "down":
        return (
            f"`{shown} down -v` deletes the project's named volumes, and with them its databases' data.",
            Severity.ERROR,
        )
    if rest[0].value == "rm":
        return f"`{shown} rm -v` also deletes the anonymous volumes of the services' containers.", None
    return None


RULE = Rule(
    id="SH601",
    name="container-volume-delete",
    language="shell",
    severity=Severity.WARNING,
    summary="A Docker, Podman or Compose command that deletes volumes, and the data kept in them.",
    rationale=(
        "A container's volumes are where its database keeps its files; no engine keeps a copy. Deleting "
        "a named volume (`docker volume rm pgdata`, `docker compose down -v`, `podman-compose down "
        "--volumes`, `docker volume prune --all`, `podman system reset`) deletes that data for good, and the "
        "name shows it was kept on purpose: an error. Removing unused anonymous volumes (`docker volume "
        "prune`, `docker system prune --volumes`, `docker rm -v`, `docker compose rm -v`) loses only what no "
        "running container holds, which is often scratch but can be a stopped database's only copy: a "
        "warning. `docker compose down` without `-v`, `docker rm` without `-v`, image and build-cache prunes "
        "(`docker image prune -a`, `docker builder prune`), `docker volume ls/inspect/create` and Compose's "
        "`--dry-run` keep every volume and are not findings. A production context (`docker --context prod`, "
        "`-H ssh://prod-…`) raises the finding."
    ),
    fix=_FIX,
    flag=(
        Example(
            "docker volume rm app_pgdata",
            flagged="docker volume rm app_pgdata",
            severity=Severity.ERROR,
            message="deletes the named volume",
        ),
        Example("docker compose down -v", severity=Severity.ERROR, message="named volumes"),
        Example("docker volume prune -f", severity=Severity.WARNING),
        Example("docker --context prod volume prune -f", severity=Severity.ERROR),
        Example("docker system prune -af --volumes", severity=Severity.WARNING),
        Example("docker rm -fv db", severity=Severity.WARNING),
        "docker container rm --volumes db",
        "docker compose -f docker-compose.prod.yml -p shop down --volumes --remove-orphans",
        "docker-compose down -v",
        "docker compose rm -fsv",
        "docker volume remove pgdata",
        "docker volume rm $(docker volume ls -q)",
        "docker volume prune --all --force",
        "podman volume rm pgdata",
        "podman volume prune",
        "podman system prune --volumes",
        Example("podman system reset --force", severity=Severity.ERROR),
        "podman-compose down -v",
        "podman compose down --volumes",
        "sudo docker volume rm mysql_data",
        "cd deploy && docker compose down -v",
        "bash -c 'docker compose down -v'",
        "docker volume ls -q | xargs docker volume rm",
        "nerdctl volume rm pgdata",
    ),
    clean=(
        "docker compose down",
        "docker compose down --remove-orphans",
        "docker-compose down --rmi all",
        "docker image prune -a",
        "docker builder prune -af",
        "docker system prune -af",
        "docker rm -f web",
        "docker volume ls",
        "docker volume inspect pgdata",
        "docker volume create pgdata",
        "docker run -v pgdata:/var/lib/postgresql/data postgres:16",
        "docker compose --dry-run down -v",
        "docker compose up -d --volumes-from db",
        "podman volume ls",
        "podman system prune",
        "podman-compose down",
        "docker volume rm",
        "docker rm -v",
        "echo 'docker compose down -v'",
    ),
    check=check,
    escalates=True,
    keywords=("docker", "podman", "nerdctl"),
    precision="high",
    tags=("data-loss", "containers"),
)
