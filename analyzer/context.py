"""What a document knows about where it will run: production evidence and environment variables.

Context flows from a host into what it embeds: a workflow job with `environment: production` makes
its `run:` script production, and a `psql -h prod-db` makes the SQL it carries production too.
"""

from __future__ import annotations

import re

from blastguard.records import Record

DEFAULT_PRODUCTION_NAMES = ("prod", "production", "prd", "live")

# Names are compared token by token: `prod-db`, `eu_prod`, `ProdCluster` hold `prod`;
# `product-images` does not.
_TOKEN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def name_tokens(value: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(value)]


# `non-prod`, `pre-prod`: the token is there, the meaning is the opposite.
_NEGATIONS = frozenset({"non", "pre", "not"})
# Stages that are not production; deeper in a path they win (`live/staging` is Terragrunt's layout
# for a staging stack, not a production one).
_OTHER_STAGES = frozenset({"staging", "stage", "stg", "dev", "develop", "development", "test", "testing", "qa",
                           "uat", "sandbox", "preview", "demo", "local", "nonprod", "preprod"})  # fmt: skip


def url_target(url: str) -> str | None:
    """Where a connection URL points: its host, or for a file database (`sqlite:///prod.db`) its path."""
    from urllib.parse import urlsplit  # only for a URL: urllib costs an agent hook more than this module

    try:
        parts = urlsplit(url)
        return parts.hostname or (parts.path.strip("/") or None)
    except ValueError:
        return None


class Production(Record):
    """Which name tokens mean production (configurable: `production-names`)."""

    __slots__ = ("names",)

    def __init__(self, names: tuple[str, ...] = DEFAULT_PRODUCTION_NAMES) -> None:
        self.names = names

    def matches(self, value: str) -> bool:
        tokens = name_tokens(value)
        for i, token in enumerate(tokens):
            if token not in self.names or (i and tokens[i - 1] in _NEGATIONS):
                continue
            if "/" in value and _OTHER_STAGES.intersection(tokens[i + 1 :]):
                continue
            return True
        return False


_DEFAULT_NAMES = Production()


class Context(Record):
    __slots__ = ("production", "env", "names", "directory", "agent", "scripts", "reader")

    def __init__(self, production: tuple[str, ...] = (), env: dict[str, str] | None = None,
                 names: Production = _DEFAULT_NAMES, directory: str | None = None, agent: bool = False,
                 scripts=None, reader=None) -> None:  # fmt: skip
        self.production = production  # evidence, e.g. "job environment 'production'"
        self.env = {} if env is None else env  # environment variables known to be set
        self.names = names
        self.directory = directory  # the working directory commands run in, when known (an agent's cwd)
        # An agent is about to run this (hook, MCP server): what cannot be read must be reported, not passed.
        self.agent = agent
        self.scripts = scripts  # the script files being read to get here (frontends.shell_scripts.Trail)
        self.reader = reader  # how files it refers to are read (sources.FileReader), given by the engine

    def with_production(self, *evidence: str) -> Context:
        return self.replace(production=self.production + tuple(e for e in evidence if e not in self.production))

    def with_env(self, env: dict[str, str]) -> Context:
        return self.replace(env={**self.env, **env})
