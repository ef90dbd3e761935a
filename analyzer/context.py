"""What a document knows about where it will run: production evidence and environment variables.

Context flows from a host into what it embeds: a workflow job with `environment: production` makes
its `run:` script production, and a `psql -h prod-db` makes the SQL it carries production too.
"""

from __future__ import annotations

import re

from blastguard.records import Record, factory, record

TYPE_CHECKING = False  # `typing` costs an agent hook milliseconds
if TYPE_CHECKING:  # annotations only
    from blastguard.frontends.shell.script_files import Trail
    from blastguard.sources import FileReader

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
_OTHER_STAGES = frozenset(
    {
        "staging",
        "stage",
        "stg",
        "dev",
        "develop",
        "development",
        "test",
        "testing",
        "qa",
        "uat",
        "sandbox",
        "preview",
        "demo",
        "local",
        "nonprod",
        "preprod",
    }
)


def url_target(url: str) -> str | None:
    """Where a connection URL points: its host, or for a file database (`sqlite:///prod.db`) its path."""
    from urllib.parse import urlsplit  # only for a URL: urllib costs an agent hook more than this module

    try:
        parts = urlsplit(url)
        return parts.hostname or (parts.path.strip("/") or None)
    except ValueError:
        return None


@record  # not frozen: a frozen record cannot be unpickled yet, and sources travel to check workers as pickles
class Production(Record):
    """Which name tokens mean production (configurable: `production-names`)."""

    names: tuple[str, ...] = DEFAULT_PRODUCTION_NAMES

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


@record  # not frozen, as Production
class Context(Record):
    production: tuple[str, ...] = ()  # evidence, e.g. "job environment 'production'"
    env: dict[str, str] = factory(dict)  # environment variables known to be set
    names: Production = _DEFAULT_NAMES
    directory: str | None = None  # the working directory commands run in, when known (an agent's cwd)
    # An agent is about to run this (hook, MCP server): what cannot be read must be reported, not passed.
    agent: bool = False
    scripts: Trail | None = None  # the script files being read to get here
    reader: FileReader | None = None  # how files it refers to are read, given by the engine
    # SQL handed over by a host program (a Python function that runs several statements): the SQL texts
    # the same function runs before this one and after it, as (before, after); () when alone.
    script: tuple = ()
    # The SQL runs on a database the program has just created in memory: every table in it is its own.
    fresh_database: bool = False

    def merge(self, other: Context) -> Context:
        """This context with what `other` knows added: its production evidence and environment, and its
        working directory, agent flag and script trail where it has them. The production names stay
        this context's: the engine's context holds the configured ones, a source's what its caller knows."""
        return Context(
            self.production + tuple(e for e in other.production if e not in self.production),
            {**self.env, **other.env},
            self.names,
            other.directory or self.directory,
            self.agent or other.agent,
            other.scripts or self.scripts,
            other.reader or self.reader,
            other.script or self.script,
            other.fresh_database or self.fresh_database,
        )

    def with_production(self, *evidence: str) -> Context:
        return self.replace(production=self.production + tuple(e for e in evidence if e not in self.production))

    def with_env(self, env: dict[str, str]) -> Context:
        return self.replace(env={**self.env, **env})
