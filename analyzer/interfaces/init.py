"""`blastguard init`: a starter configuration, and the snippets that run blastguard in pre-commit and CI."""

from __future__ import annotations

import os
import sys

import blastguard

CONFIG_NAME = "blastguard.toml"

STARTER = """\
# blastguard's configuration (https://github.com/blastguard/blastguard#configuration).
select = ["ALL"]                 # rule ids, prefixes (SQL1) or names
ignore = []                      # rules to skip
exclude = []                     # gitignore-style patterns, added to the defaults
fail-on = "warning"              # error | warning | note | never
sql-dialect = "auto"             # or a sqlglot dialect: postgres, mysql, sqlite, snowflake, ...
# baseline = "blastguard-baseline.json"   # after `blastguard check . --write-baseline blastguard-baseline.json`

[per-path-ignores]
# "migrations/**" = ["SQL204"]   # dropping columns is what reviewed migrations do
"""


def snippets() -> str:
    """The pre-commit and GitHub Actions set-up, pinned to this version."""
    tag = f"v{blastguard.__version__}"
    return f"""\
pre-commit: add to .pre-commit-config.yaml

repos:
  - repo: https://github.com/blastguard/blastguard
    rev: {tag}
    hooks:
      - id: blastguard

GitHub Actions: save as .github/workflows/blastguard.yml

name: blastguard
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  security-events: write
  actions: read
  pull-requests: read
jobs:
  blastguard:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - uses: blastguard/blastguard@{tag}
        with:
          fail-on: warning
"""


class InitError(Exception):
    pass


def init(folder: str) -> int:
    """Write `blastguard.toml` in `folder` (never over an existing one) and print the snippets."""
    path = os.path.join(folder, CONFIG_NAME)
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": an existing file is left as it is
            handle.write(STARTER)
    except FileExistsError:
        raise InitError(f"{CONFIG_NAME} already exists; it was left unchanged (remove it to start over)") from None
    except OSError as exc:
        raise InitError(f"cannot write {path}: {exc.strerror or exc}") from None
    sys.stderr.write(f"blastguard: wrote {CONFIG_NAME}\n")
    sys.stdout.write(snippets())
    return 0
