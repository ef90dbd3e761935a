"""Production signals in the environment an agent's command runs in.

An agent's hook sees a command, not where it goes; the environment tells. Where a command connects is
evidence on its own: a database URL or host (`DATABASE_URL`, `PGHOST`, …), a cloud profile
(`AWS_PROFILE`), the Terraform workspace (`TF_WORKSPACE`, or the one `terraform workspace select`
wrote to `.terraform/environment`), the current kube context. An application's environment name
(`APP_ENV`, `RAILS_ENV`, `NODE_ENV`, …) is not: `NODE_ENV=production` is how front-ends are built on
every laptop. Such a name counts only when a second signal agrees, so production is never concluded
from an environment name alone.

Files are read with plain text matching (no YAML parser): this runs on every agent tool call.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from blastguard.context import Context, Production, url_target
from blastguard.sources import SkipFile, read_regular

# Variables whose value is where a command connects: a URL or a host.
_CONNECTIONS = (
    "DATABASE_URL",
    "DATABASE_HOST",
    "DB_HOST",
    "PGHOST",
    "PGSERVICE",
    "MYSQL_HOST",
    "REDIS_URL",
    "REDIS_HOST",
    "MONGODB_URI",
    "MONGO_URL",
)
# Variables that name the account, profile or workspace a cloud or Terraform command acts on.
_TARGETS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "TF_WORKSPACE",
    "GOOGLE_CLOUD_PROJECT",
    "CLOUDSDK_CORE_PROJECT",
    "AZURE_SUBSCRIPTION",
    "KUBE_CONTEXT",
)
# Application environment names: evidence only together with another signal.
_ENVIRONMENT_NAMES = (
    "APP_ENV",
    "ENV",
    "ENVIRONMENT",
    "RAILS_ENV",
    "RACK_ENV",
    "NODE_ENV",
    "FLASK_ENV",
    "DJANGO_ENV",
    "STAGE",
    "DEPLOY_ENV",
)
# Every variable the gate reads (the kubeconfig's too): a test clears them all.
READ_VARIABLES = (*_CONNECTIONS, *_TARGETS, "KUBECONFIG", *_ENVIRONMENT_NAMES)
_CURRENT_CONTEXT = re.compile(r"^current-context:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)


def environment_context(environ: Mapping[str, str], cwd: str, production_names) -> Context:
    """The context of a command an agent runs from `cwd`: production evidence from its environment, and
    the directory that scripts it names are read from."""
    names = Production(tuple(production_names))
    return Context(production=production_signals(environ, cwd, names), names=names, directory=cwd, agent=True)


def production_signals(env: Mapping[str, str], cwd: str, names: Production) -> tuple[str, ...]:
    """Evidence that commands run from `cwd` with `env` reach production; empty when they do not."""
    strong = []
    for variable in _CONNECTIONS:
        host = _host(env.get(variable, ""))
        if host and names.matches(host):
            strong.append(f"{variable} points at {host}")
    for variable in _TARGETS:
        value = env.get(variable, "")
        if value and names.matches(value):
            strong.append(f"{variable}={value}")
    workspace = _terraform_workspace(cwd)
    if workspace and names.matches(workspace) and not any(s.startswith("TF_WORKSPACE") for s in strong):
        strong.append(f"the selected Terraform workspace is {workspace}")
    context = _kube_context(env)
    if context and names.matches(context):
        strong.append(f"the current kube context is {context}")
    weak = [f"{v}={env[v]}" for v in _ENVIRONMENT_NAMES if env.get(v) and names.matches(env[v])]
    if strong:
        return tuple(strong + weak)
    return tuple(weak) if len(weak) >= 2 else ()


def _host(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    return url_target(value) if "://" in value else value  # a bare host name (PGHOST) or service name


def _terraform_workspace(cwd: str) -> str | None:
    """The workspace `terraform workspace select` recorded for this directory, if any."""
    try:
        data = read_regular(os.path.join(cwd, ".terraform", "environment"), limit=256)
        return data.decode("utf-8").strip() or None
    except (SkipFile, UnicodeDecodeError):
        return None  # absent, or not a file one can read without blocking (a FIFO): no workspace


def _kube_context(env: Mapping[str, str]) -> str | None:
    """`current-context` of the first kubeconfig file (`KUBECONFIG`, else ~/.kube/config)."""
    paths = env.get("KUBECONFIG", "").split(os.pathsep) if env.get("KUBECONFIG") else []
    home = env.get("HOME")
    paths = [p for p in paths if p] or ([os.path.join(home, ".kube", "config")] if home else [])
    for path in paths:
        try:
            match = _CURRENT_CONTEXT.search(read_regular(os.path.expanduser(path), limit=1 << 20).decode("utf-8"))
        except (SkipFile, UnicodeDecodeError):
            continue  # absent, unreadable, or a FIFO or device, which is never opened
        if match:
            return match.group(1)
    return None
