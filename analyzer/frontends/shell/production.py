"""Production evidence on a shell command: the options, variables and earlier commands that name its target.

Each piece of evidence is a short description of where it was found (`kubectl --context prod-eu`,
`TF_WORKSPACE=prod`, `terraform workspace select prod`), reported with the finding. Names are matched
token by token (`Production.matches`); for database connections only host and database names count.
"""

from __future__ import annotations

from collections.abc import Callable

from blastguard.context import Production
from blastguard.frontends.shell.database_clients import connection_evidence
from blastguard.frontends.shell.program_options import (
    GLOBAL_OPTIONS,
    PLAIN,
    TERRAFORM_ARGUMENTS,
    Syntax,
    options,
    parse,
)
from blastguard.frontends.shell.unwrapped_commands import Command

TERRAFORM = frozenset({"terraform", "tofu", "terragrunt"})
_KUBERNETES = ("--context", "-n", "--namespace", "--cluster")
_DJANGO = ("python", "python3", "manage.py", "django-admin")

# Options whose value names where a tool acts, and how to read the tool's arguments to find them.
_TARGET_OPTIONS = {
    "kubectl": _KUBERNETES,
    "oc": _KUBERNETES,
    "helm": ("--kube-context", "-n", "--namespace"),
    "aws": ("--profile",),
    "gcloud": ("--project", "--configuration"),
    "bq": ("--project_id",),
    "az": ("--subscription", "-g", "--resource-group"),
    "pulumi": ("-s", "--stack", "-C", "--cwd"),
    "docker": ("--context", "-H", "--host"),
    # Framework and migration tools: the environment or connection they act on.
    "heroku": ("-a", "--app", "-r", "--remote"),
    **dict.fromkeys(("rails", "rake"), ("-e", "--environment")),
    **dict.fromkeys(("php", "knex", "sequelize", "sequelize-cli"), ("--env",)),
    **dict.fromkeys(_DJANGO, ("--settings", "--database")),
    # (not a connection URL: it may hold a password, and the evidence is shown)
    "flyway": ("-environment",),
    "supabase": ("--project-ref",),
    "alembic": ("-n", "--name", "-c", "--config"),
    "doctl": ("--context",),
    "argocd": ("--argocd-context", "--kube-context", "--server"),
    "eksctl": ("-p", "--profile"),
    **dict.fromkeys(
        TERRAFORM,
        (
            "-chdir",
            "--chdir",
            "-var-file",
            "--var-file",
            "-backend-config",
            "--terragrunt-working-dir",
            "--working-dir",
        ),
    ),
}
_SYNTAX = {
    **GLOBAL_OPTIONS,
    "terraform": TERRAFORM_ARGUMENTS,
    "tofu": TERRAFORM_ARGUMENTS,
    "az": Syntax(
        options("--subscription", "--output", "-o", "--query", "-g", "--resource-group", "-n", "--name"), clusters=False
    ),
    "pulumi": Syntax(options("-s", "--stack", "-C", "--cwd"), clusters=False),
    "heroku": Syntax(options("-a", "--app", "-r", "--remote", "-c", "--confirm")),
    **dict.fromkeys(("rails", "rake"), Syntax(options("-e", "--environment"))),
    **dict.fromkeys(("php", "knex", "sequelize", "sequelize-cli"), Syntax(options("--env"))),
    **dict.fromkeys(_DJANGO, Syntax(options("--settings", "--database"))),
    "flyway": Syntax(options("-url", "-environment"), clusters=False),
    "supabase": Syntax(options("--db-url", "--project-ref")),
    "alembic": Syntax(options("-n", "--name", "-c", "--config")),
}
# Environment variables that name where a tool acts.
_TARGET_VARIABLES = {
    **dict.fromkeys(TERRAFORM, ("TF_WORKSPACE",)),
    "aws": ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"),
    "eksctl": ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"),
    "kubectl": ("KUBECONFIG",),
    "helm": ("KUBECONFIG", "HELM_KUBECONTEXT"),
    "gcloud": ("CLOUDSDK_CORE_PROJECT", "GOOGLE_CLOUD_PROJECT", "CLOUDSDK_ACTIVE_CONFIG_NAME"),
    "gsutil": ("CLOUDSDK_CORE_PROJECT", "GOOGLE_CLOUD_PROJECT"),
    "bq": ("CLOUDSDK_CORE_PROJECT", "GOOGLE_CLOUD_PROJECT"),
    "pulumi": ("PULUMI_STACK",),
    **dict.fromkeys(("rails", "rake"), ("RAILS_ENV", "RACK_ENV")),
    "mix": ("MIX_ENV",),
    "php": ("APP_ENV",),
    **dict.fromkeys(_DJANGO, ("DJANGO_SETTINGS_MODULE", "DJANGO_CONFIGURATION")),
    **dict.fromkeys(("prisma", "knex", "sequelize", "sequelize-cli", "typeorm"), ("NODE_ENV",)),
    "doctl": ("DIGITALOCEAN_CONTEXT",),
}


def evidence(command: Command, earlier: Callable[..., list[Command]], names: Production) -> tuple[str, ...]:
    """Why `command` looks aimed at production. `earlier(*programs)` lists the commands of those
    programs that the script ran before it."""
    program = command.program
    found = list(command.via)
    targets = _TARGET_OPTIONS.get(program, ())
    if targets:
        argv = parse(command.words[1:], _SYNTAX.get(program, PLAIN))[0]
        found += [
            f"{program} {o.name} {o.value.value}"
            for o in argv.options
            if o.name in targets and o.value is not None and names.matches(o.value.value)
        ]
    found += [
        f"{v}={command.env[v]}" for v in _TARGET_VARIABLES.get(program, ()) if names.matches(command.env.get(v, ""))
    ]
    found += connection_evidence(command, names)
    if program in _SETTERS:
        settings = _earlier_settings(program, earlier(*_SETTERS[program]))
        found += [description for description, name in settings if names.matches(name)]
    return tuple(dict.fromkeys(found))


# Programs whose earlier runs choose where a later command acts.
_SETTERS = {
    **{tool: (*sorted(TERRAFORM), "cd", "pushd") for tool in TERRAFORM},
    "kubectl": ("kubectl",),
    "oc": ("oc",),
    **dict.fromkeys(("gcloud", "gsutil", "bq"), ("gcloud",)),
}


def _earlier_settings(program: str, earlier: list[Command]) -> list[tuple[str, str]]:
    """(description, name) of the latest earlier command of each kind that chose this tool's target:
    a Terraform workspace and working directory, a kubectl context, a gcloud project."""
    latest: dict[str, tuple[str, str]] = {}
    for before in earlier:
        words = [w.value for w in before.args[:4]]
        if before.program in TERRAFORM and words[:2] in (["workspace", "select"], ["workspace", "new"]):
            chosen = [w for w in words[2:] if not w.startswith("-")]
            if chosen:
                latest["workspace"] = (f"{before.program} workspace select {chosen[0]}", chosen[0])
        elif before.program in ("cd", "pushd") and before.args:
            latest["directory"] = (f"cd {before.args[-1].value}", before.args[-1].value)
        elif before.program in ("kubectl", "oc") and words[:2] == ["config", "use-context"] and len(words) > 2:
            latest["context"] = (f"{program} config use-context {words[2]}", words[2])
        elif before.program == "gcloud" and words[:3] == ["config", "set", "project"] and len(words) > 3:
            latest["project"] = (f"gcloud config set project {words[3]}", words[3])
    return list(latest.values())
