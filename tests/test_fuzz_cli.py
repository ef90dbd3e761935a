"""Fuzzing every frontend through the real command line: `blastguard check` on files and on stdin, and
`blastguard hook` on tool-call payloads, each in a fresh process.

Inputs are small realistic seed files of each language, mutated with that language's own tokens
(keywords, quotes, brackets, heredoc markers, `$(`, `${{ }}`), hostile text (NUL, CR and CRLF,
astral code points up to U+10FFFF, very long lines) and deep nesting. Every run must end on its own
(no death by signal), in time (no hang), without a traceback or an internal error, and with exit 0
or 1 (`check`; 2 only for a one-line usage error) or 0 (`hook`, which never exits 1). One process
checks a whole batch of files, to keep start-up cost low; hook payloads go one per process.

By default the examples are derandomized, so CI checks the same fixed set on every run. For a
longer, random run, set how many files of each frontend to check:

    BLASTGUARD_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest -q tests/test_fuzz_cli.py

Each input is printed as a compact recipe (a seed and its mutations, see `build`), and a failing
batch names the file that fails alone, with its text. Inputs are only ever handed to blastguard as
data: a file's content, stdin, or a payload; nothing in them is run.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hook_calls import CLEAN_ENV

# --- how much to run -------------------------------------------------------------------------------

BATCH = 16  # files checked by one `blastguard check` process
_REQUESTED = os.environ.get("BLASTGUARD_FUZZ_EXAMPLES", "").strip()
LONG_RUN = bool(_REQUESTED)
FILE_EXAMPLES = math.ceil(int(_REQUESTED) / BATCH) if LONG_RUN else 5  # batches per frontend
COMMAND_EXAMPLES = max(1, int(_REQUESTED) // 10) if LONG_RUN else 16  # hook processes for shell commands

FUZZ = settings(
    deadline=None,
    derandomize=not LONG_RUN,
    database=None,
    # Shrinking a batch re-runs a process per step; in CI the failure names its culprit instead.
    phases=(Phase.explicit, Phase.generate, Phase.shrink) if LONG_RUN else (Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

BATCH_TIMEOUT = 60  # seconds for one process checking a batch; a healthy batch takes about one
SINGLE_TIMEOUT = 20  # seconds for one file
HOOK_TIMEOUT = 10  # seconds for one hook payload: twice the default `hook-deadline`
MAX_INPUT = 256 * 1024  # characters; a mutation that would grow an input past this is skipped


# --- what each frontend is made of -----------------------------------------------------------------

# Text that trips decoders, tokenizers and position arithmetic in any language.
# A lone surrogate makes a file that is not UTF-8, and a payload string that cannot be encoded.
HOSTILE = (
    "\x00",
    "\r",
    "\r\n",
    "\t",
    "\\",
    "\U0010ffff",
    "\U0001f600",
    "\U00010000",
    "\u202e",
    "\ufeff",
    "e\u0301",
    "\u2028",
    "\u0085",
    "\x0b\x0c",
    "\x1b[31m",
    "\u4e2d\u6587",
    "\U0001d518",
    "\ufb01",
    "\u0130",
    "\uffff",
    "\ud800",
    "\udfff",
)
NEWLINES = ("\r\n", "\r", "\n\n", "\u2028", "\x0c\n")
TIMES = (1, 1, 2, 3, 8, 40, 300, 1500, 3000)  # repetitions: a few, a long line, a long chain


class Frontend(NamedTuple):
    name: str
    path: str  # where the i-th file of a batch goes, relative to the project: `.format(i)`
    seeds: tuple[str, ...]
    tokens: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]  # openers and closers to nest deeply


SQL = Frontend(
    "sql",
    "q{}.sql",
    (
        "-- migration\nALTER TABLE users ADD COLUMN tier text;\nUPDATE users SET tier = 'free' WHERE tier IS NULL;\n",
        "DELETE FROM sessions\nWHERE expires_at < now() - interval '30 days'\n"
        "  AND user_id IN (SELECT id FROM users WHERE deleted);\n",
        "CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  DELETE FROM audit WHERE id = OLD.id;\n"
        "  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n",
        "WITH old AS (SELECT id FROM orders WHERE created < '2020-01-01')\n"
        "DELETE FROM orders o USING old WHERE o.id = old.id RETURNING *;\n/* note */ TRUNCATE TABLE scratch;\n",
        "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  UPDATE `t` SET a = 1 WHERE b = ? LIMIT 10;\nEND //\n"
        "DELIMITER ;\n# comment\nSET FOREIGN_KEY_CHECKS = 0;\n",
        "\\set ON_ERROR_STOP on\nBEGIN;\nDELETE FROM t WHERE id = :'id';\nCOMMIT;\nDROP TABLE IF EXISTS tmp CASCADE;\n",
    ),
    (
        "SELECT ",
        "DELETE FROM t ",
        "UPDATE t SET a = 1 ",
        "WHERE ",
        " OR ",
        " AND ",
        "NOT ",
        "1=1",
        " OR id = 1",
        " AND a = 1",
        "NULL",
        " IS NULL",
        " IN (",
        "(",
        ")",
        ";",
        "'",
        '"',
        "`",
        "$$",
        "$body$",
        "--",
        "/*",
        "*/",
        "E'\\'",
        "::text",
        " CASCADE",
        "DROP TABLE t",
        "TRUNCATE t",
        "WITH x AS (",
        "BEGIN",
        "END",
        " RETURNING *",
        "%s",
        "?",
        ":name",
        "{condition}",
        "#",
        "DELIMITER ;;\n",
        "CASE WHEN ",
        " LIMIT 1",
        " ORDER BY a",
        "EXPLAIN ANALYZE ",
        "\\gexec\n",
        ",",
        "\n",
    ),
    (("(", ")"), ("(SELECT ", ")"), ("CASE WHEN a THEN ", " END"), ("NOT (", ")"), ("/*", "*/"), ("$$", "$$")),
)

SHELL = Frontend(
    "shell",
    "s{}.sh",
    (
        '#!/bin/bash\nset -euo pipefail\ncd "$(dirname "$0")"\nfor f in *.log; do\n  gzip "$f"\ndone\n',
        "psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1 <<'SQL'\nDELETE FROM jobs WHERE finished_at < now() - interval '7 days';\nSQL\n",
        'if [[ -n "${CI:-}" ]]; then\n  terraform plan -out=tfplan && terraform apply tfplan\nfi\n',
        "bash -c \"rm -rf ./build\" && sudo env FOO=1 make clean || echo 'failed' >&2\n",
        'case "$1" in\n  up) docker compose up -d ;;\n  down) docker compose down -v ;;\nesac\n'
        "x=$((1 + 2)); echo ${x:-0} `date` $'a\\tb'\n",
        "function cleanup() {\n  kubectl delete pod -l app=web -n dev\n}\ntrap cleanup EXIT\n"
        "python3 - <<EOF\nimport os\nos.system('ls')\nEOF\n",
    ),
    (
        "$(",
        ")",
        "`",
        "'",
        '"',
        "$'",
        "<<EOF\n",
        "<<'EOF'\n",
        "<<-EOF\n",
        "\nEOF\n",
        "${",
        "}",
        "{",
        "}",
        ";",
        "&&",
        "||",
        "|",
        "&",
        "\\",
        "\\\n",
        'bash -c "',
        "eval ",
        "sudo ",
        "env -i ",
        "xargs ",
        "rm -rf ",
        'psql -c "',
        "terraform destroy",
        "$((",
        "))",
        "[[",
        "]]",
        "case x in ",
        "esac",
        " do ",
        " done",
        " then ",
        " fi",
        "<(",
        ">(",
        "2>&1",
        "#",
        "\n",
        " ",
        "*",
        "~",
        "/",
        "=",
        "!",
        "-- ",
        "--force",
    ),
    (
        ("$(", ")"),
        ("`", "`"),
        ("{ ", "; }"),
        ("(", ")"),
        ('"$(', ')"'),
        ("bash -c '", "'"),
        ("$((", "))"),
        ("if true; then ", "; fi"),
    ),
)

PYTHON = Frontend(
    "python",
    "m{}.py",
    (
        'import subprocess\n\ndef build():\n    subprocess.run(["make", "build"], check=True)\n',
        "import sqlite3\n\nconn = sqlite3.connect('app.db')\ncur = conn.cursor()\n"
        'cur.execute(f"DELETE FROM sessions WHERE id = {sid}")\n'
        'cur.execute("""\n    UPDATE users SET active = 0\n    WHERE last_login < ?\n""", (cutoff,))\n',
        "from sqlalchemy import text\n\nasync def purge(session, table):\n"
        '    await session.execute(text("DELETE FROM %s WHERE old" % table))\n',
        "class Job:\n    @property\n    def cmd(self):\n        return ['terraform', 'plan']\n\n"
        "    def run(self):\n        import os\n        os.system(' '.join(self.cmd))\n",
        "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [\n"
        '        migrations.RunSQL("ALTER TABLE shop_item ADD COLUMN sku text"),\n'
        "        migrations.RemoveField('item', 'legacy'),\n    ]\n",
        "import shutil, os\nmatch os.environ.get('MODE'):\n    case 'clean':\n"
        "        shutil.rmtree('build', ignore_errors=True)\n    case _:\n        pass\nx = lambda y: (y := 1)\n",
    ),
    (
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "def f():\n    ",
        "class C:\n    ",
        "lambda: ",
        '"""',
        "'''",
        'f"{',
        "{x}",
        '"',
        "'",
        "\\",
        "#",
        "import subprocess\n",
        "subprocess.run(",
        'cursor.execute("',
        'os.system("',
        'text("',
        "async ",
        "await ",
        ":=",
        "@decorator\n",
        "\t",
        "    ",
        "\n",
        ":",
        ",",
        "*",
        "**",
        "b'",
        "r'",
        'rb"',
        "DELETE FROM t",
        "rm -rf /",
        "%s",
        ".format(",
        "+",
    ),
    (
        ("(", ")"),
        ("[", "]"),
        ("{", "}"),
        ("f(", ")"),
        ("not (", ")"),
        ('f"{', '}"'),
        ("lambda: (", ")"),
        ("[x for x in (", ")]"),
    ),
)

TERRAFORM = Frontend(
    "terraform",
    "t{}/main.tf",
    (
        'resource "aws_db_instance" "main" {\n  identifier          = "app-${var.env}"\n  deletion_protection = true\n'
        "  skip_final_snapshot = false\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
        'variable "env" {\n  type    = string\n  default = "dev"\n}\n\n'
        "locals {\n  tags = { for k, v in var.tags : k => upper(v) }\n}\n",
        'resource "null_resource" "seed" {\n  provisioner "local-exec" {\n    command = <<-EOT\n'
        '      psql -c "DELETE FROM t WHERE id = 1"\n    EOT\n  }\n}\n',
        'terraform {\n  backend "s3" {\n    bucket = "tf-state"\n    key    = "app/terraform.tfstate"\n  }\n}\n\n'
        "/* legacy */\n// comment\n# comment\nremoved {\n  from = aws_s3_bucket.old\n  lifecycle {\n"
        "    destroy = false\n  }\n}\n",
        'resource "aws_s3_bucket" "logs" {\n  bucket        = "logs-%{ if var.prod }prod%{ else }dev%{ endif }"\n'
        '  force_destroy = false\n  dynamic "rule" {\n    for_each = var.rules\n    content {\n      id = rule.value\n'
        "    }\n  }\n}\n",
        'data "external" "x" {\n  program = ["python3", "-c", "print(1)"]\n}\noutput "o" {\n'
        '  value = [for s in var.list : s if s != ""][0]\n}\n',
    ),
    (
        'resource "aws_db_instance" "x" {',
        "}",
        "{",
        " = ",
        '"${',
        '}"',
        '"',
        "<<EOT\n",
        "\nEOT\n",
        "<<-EOT\n",
        "#",
        "//",
        "/*",
        "*/",
        "[",
        "]",
        'provisioner "local-exec" {\n',
        'command = "',
        "lifecycle {",
        "prevent_destroy = false",
        "deletion_protection = false",
        "force_destroy = true",
        'dynamic "x" {',
        "for_each = ",
        "%{ if true }",
        "%{ endif }",
        '\\"',
        "var.x",
        " ? 1 : 2",
        "=>",
        "...",
        "\n",
        ",",
        "$${",
        "%%{",
    ),
    (
        ("{", "}"),
        ("[", "]"),
        ("(", ")"),
        ('"${', '}"'),
        ("x = {", "}\n"),
        ("block {\n", "\n}\n"),
        ("[for x in ", " : x]"),
    ),
)


def _plan(changes: list[dict], **extra) -> str:
    plan = {"format_version": "1.2", "terraform_version": "1.9.5", **extra, "resource_changes": changes}
    return json.dumps(plan, indent=2) + "\n"


def _change(address: str, kind: str, actions: list[str], before, after) -> dict:
    return {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": address.split(".")[-1],
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": actions, "before": before, "after": after, "after_unknown": {}},
    }


TERRAFORM_PLAN = Frontend(
    "terraform-plan",
    "p{}.json",
    (
        _plan([_change("aws_db_instance.main", "aws_db_instance", ["delete"], {"identifier": "shop"}, None)]),
        _plan(
            [_change("aws_instance.web", "aws_instance", ["update"], {"tags": {"a": "1"}}, {"tags": {"a": "2"}})],
            variables={"environment": {"value": "production"}},
        ),
        _plan(
            [
                _change(
                    "aws_s3_bucket.logs",
                    "aws_s3_bucket",
                    ["delete", "create"],
                    {"bucket": "logs"},
                    {"bucket": "logs-2"},
                )
            ]
        ),
        _plan([]),
    ),
    (
        "{",
        "}",
        "[",
        "]",
        '"',
        ":",
        ",",
        '"actions": ["delete"]',
        '"resource_changes": [',
        '"format_version": "1.2"',
        "null",
        "true",
        "false",
        "1e999",
        "-0",
        "\\u0000",
        "\\ud800",
        '"type": "aws_db_instance"',
        '"change": {',
        '"before": {',
        '"after": null',
        '\\"',
        "\\\\",
        " ",
        "\n",
        '"mode": "managed"',
        '"variables": {"env": {"value": "prod"}}',
    ),
    (("[", "]"), ('{"a": ', "}"), ('{"change": ', "}"), ("[[", "]]")),
)

GITHUB_WORKFLOW = Frontend(
    "github-actions",
    ".github/workflows/w{}.yml",
    (
        "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: |\n          pip install -e .\n          pytest -x\n",
        "on: workflow_dispatch\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n"
        "    env:\n      TF_IN_AUTOMATION: '1'\n    steps:\n      - run: terraform plan -out=tfplan\n"
        "        working-directory: infra\n      - run: >\n          terraform apply\n          tfplan\n",
        "on: [push]\njobs:\n  py:\n    runs-on: ubuntu-latest\n    steps:\n      - shell: python\n        run: |\n"
        "          import subprocess\n          subprocess.run(['ls'])\n"
        '      - name: "${{ github.event.inputs.cmd }}"\n        run: echo "${{ secrets.TOKEN }}" | wc -c\n',
        "defaults: &d\n  runs-on: ubuntu-latest\njobs:\n  a:\n    <<: *d\n    steps:\n"
        "      - run: 'psql -c \"SELECT 1\"'\n  b:\n    needs: a\n    strategy:\n      matrix:\n        x: [1, 2]\n"
        "    runs-on: ${{ matrix.x }}\n    steps: []\n",
    ),
    (
        "on:",
        "jobs:",
        "steps:",
        "- run: |\n",
        "- run: >\n",
        "- run: |",
        "run: ",
        "shell: python\n",
        "shell: bash\n",
        "${{",
        "}}",
        "${{ github.event.inputs.x }}",
        "env:\n",
        "&a ",
        "*a",
        "<<: *a\n",
        "- ",
        ": ",
        "|-\n",
        ">-\n",
        '"',
        "'",
        "#",
        "---\n",
        "...\n",
        "!!python/object:os.system ",
        "? ",
        "{",
        "}",
        "[",
        "]",
        "uses: actions/checkout@v4\n",
        "environment: production\n",
        "working-directory: ",
        "  ",
        "\n",
        "%YAML 1.2\n",
        "!!binary ",
        "rm -rf ~",
    ),
    (("[", "]"), ("{", "}"), ("{a: ", "}"), ('"', '"'), ("${{ ", " }}"), ("- [", "]")),
)

GITLAB_CI = Frontend(
    "gitlab-ci",
    "g{}/.gitlab-ci.yml",
    (
        "stages: [test, deploy]\n\ntest:\n  stage: test\n  image: python:3.12\n  script:\n    - pip install -e .\n"
        "    - pytest -x\n",
        ".base: &base\n  before_script:\n    - export PGHOST=db\n  after_script: |\n    echo done\n\nmigrate:\n"
        '  <<: *base\n  script:\n    - psql -c "UPDATE users SET a = 1 WHERE id = 2"\n'
        "    - !reference [.setup, script]\n",
        "variables:\n  TF_WORKSPACE: staging\ninclude:\n  - local: ci/common.yml\ndeploy:\n  extends: .base\n"
        "  environment:\n    name: production\n  script: terraform plan\n  rules:\n"
        '    - if: $CI_COMMIT_BRANCH == "main"\n',
    ),
    (
        "script:\n",
        "before_script:\n",
        "after_script:\n",
        "  - ",
        "|\n",
        ">\n",
        "script: |",
        "extends: ",
        "!reference [",
        "]",
        "include:\n",
        "variables:\n",
        "$VAR",
        "${VAR}",
        "$$",
        "&a ",
        "*a",
        "<<: *a\n",
        "#",
        '"',
        "'",
        ":",
        "\t",
        "{",
        "}",
        "[",
        "]",
        "environment: production\n",
        "\n",
        "  ",
        "---\n",
    ),
    (("[", "]"), ("{", "}"), ("- [", "]"), ("!reference [", "]")),
)

MAKEFILE = Frontend(
    "makefile",
    "k{}/Makefile",
    (
        ".PHONY: build test clean\n\nbuild:\n\tgo build ./...\n\ntest: build\n\tgo test ./...\n\nclean:\n\trm -rf ./bin\n",
        "PY ?= python3\nDB := postgres://localhost/dev\n\nmigrate:\n\t@$(PY) manage.py migrate\n"
        "\tpsql \"$(DB)\" -c 'SELECT 1'\n\n%.o: %.c\n\t$(CC) -c $< -o $@\n",
        "ifeq ($(ENV),prod)\nTARGET = prod\nelse\nTARGET = dev\nendif\n\ndefine run\n\techo $(1)\nendef\n\n"
        "deploy:\n\t$(call run,terraform plan) \\\n\t  -var env=$(TARGET)\n"
        "\t-for f in $(wildcard *.sql); do echo $$f; done\n",
        "include common.mk\nexport FOO = bar\nSRC = $(shell find . -name '*.py')\nlint: ; ruff check $(SRC)\n"
        "all: lint\n\t+$(MAKE) -C sub all\n",
    ),
    (
        ":",
        "\t",
        "$(VAR)",
        "${VAR}",
        "$$",
        ":=",
        "?=",
        "+=",
        "=",
        "define x\n",
        "endef\n",
        "ifeq (a,b)\n",
        "endif\n",
        ".PHONY: x\n",
        "@",
        "-",
        "+",
        "\\\n",
        "%.o: %.c\n",
        "$(shell ",
        "$(foreach x,a b,",
        "$(call ",
        "include ",
        "export ",
        "override ",
        "#",
        "\n",
        "$@",
        "$<",
        "rm -rf ",
        "$(MAKE)",
        "'",
        '"',
        ";",
    ),
    (("$(", ")"), ("${", "}"), ("$(if a,", ")"), ("$(call f,", ")"), ("(", ")")),
)

FRONTENDS = {f.name: f for f in (SQL, SHELL, PYTHON, TERRAFORM, TERRAFORM_PLAN, GITHUB_WORKFLOW, GITLAB_CI, MAKEFILE)}

# One-line commands an agent sends, mutated with the shell's tokens for the hook.
COMMANDS = Frontend(
    "command",
    "",
    (
        "ls -la && git status",
        'psql -h localhost -c "DELETE FROM jobs WHERE id = 42"',
        "bash -c 'make clean && make'",
        "find . -name '*.pyc' -delete",
        "terraform -chdir=infra plan -out=tfplan",
        "kubectl get pods -n dev | grep web",
        'echo "$(date)" >> notes.md',
        "python3 -c 'import os; print(os.getcwd())'",
        "mysql -e 'SHOW TABLES' app",
        "sudo env -i FOO=bar timeout 5 nohup xargs -0 echo < list.txt",
        *SHELL.seeds,
    ),
    SHELL.tokens,
    SHELL.pairs,
)

# --- mutations ---------------------------------------------------------------------------------------


class Mutation(NamedTuple):
    """One edit of an input. `at` and `span` are taken modulo the text's length; `token` indexes the
    frontend's tokens and the hostile ones together (or its pairs, or NEWLINES, by `kind`)."""

    kind: str
    at: int
    span: int
    token: int
    times: int


KINDS = ("insert", "replace", "delete", "duplicate", "repeat", "nest", "newlines", "truncate", "splice")


def mutations() -> st.SearchStrategy[Mutation]:
    return st.builds(
        Mutation,
        st.sampled_from(KINDS),
        st.integers(0, 1 << 16),
        st.integers(0, 64),
        st.integers(0, 1 << 10),
        st.sampled_from(TIMES),
    )


def recipes() -> st.SearchStrategy[tuple[int, tuple[Mutation, ...]]]:
    return st.tuples(st.integers(0, 63), st.lists(mutations(), min_size=1, max_size=5).map(tuple))


def build(frontend: Frontend, recipe: tuple[int, tuple[Mutation, ...]]) -> str:
    """The input a recipe stands for: a seed of `frontend` with each mutation applied in turn."""
    seed, edits = recipe
    text = frontend.seeds[seed % len(frontend.seeds)]
    tokens = frontend.tokens + HOSTILE
    for edit in edits:
        at = edit.at % (len(text) + 1)
        end = min(len(text), at + edit.span)
        token = tokens[edit.token % len(tokens)]
        if edit.kind == "insert":
            changed = text[:at] + token + text[at:]
        elif edit.kind == "replace":
            changed = text[:at] + token + text[end:]
        elif edit.kind == "delete":
            changed = text[:at] + text[end:]
        elif edit.kind == "duplicate":
            changed = text[:end] + text[at:end] * edit.times + text[end:]
        elif edit.kind == "repeat":
            changed = text[:at] + token * edit.times + text[at:]
        elif edit.kind == "nest":
            opener, closer = frontend.pairs[edit.token % len(frontend.pairs)]
            changed = text[:at] + opener * edit.times + text[at:end] + closer * edit.times + text[end:]
        elif edit.kind == "newlines":
            changed = text.replace("\n", NEWLINES[edit.token % len(NEWLINES)])
        elif edit.kind == "truncate":
            changed = text[:at]
        else:  # splice another seed in
            changed = text[:at] + frontend.seeds[edit.token % len(frontend.seeds)] + text[at:]
        if len(changed) <= MAX_INPUT:
            text = changed
    return text


def test_mutations_reach_the_shapes_that_crashed_before():
    """The mutations can express the known crashes: a long OR chain, a `run: |` at the very end of a
    workflow, `{` before an astral code point, and deep nesting."""
    delete = SQL.seeds[1]
    or_chain = build(SQL, (1, (Mutation("repeat", delete.index(";"), 0, SQL.tokens.index(" OR id = 1"), 3000),)))
    assert or_chain.count(" OR id = 1") == 3000 and or_chain.endswith(" OR id = 1;\n")
    cut = GITHUB_WORKFLOW.seeds[0].index("- run: |")
    run_last = build(
        GITHUB_WORKFLOW,
        (
            0,
            (
                Mutation("truncate", cut, 0, 0, 1),
                Mutation("insert", cut, 0, GITHUB_WORKFLOW.tokens.index("- run: |"), 1),
            ),
        ),
    )
    assert run_last.endswith("steps:\n      - uses: actions/checkout@v4\n      - run: |")
    astral = len(SHELL.tokens) + HOSTILE.index("\U0010ffff")
    brace = build(
        SHELL,
        (
            0,
            (
                Mutation("truncate", 0, 0, 0, 1),
                Mutation("insert", 0, 0, SHELL.tokens.index("{"), 1),
                Mutation("insert", 1, 0, astral, 1),
            ),
        ),
    )
    assert brace == "{\U0010ffff"
    nested = build(PYTHON, (0, (Mutation("nest", 0, 5, 0, 1500),)))
    assert nested.startswith("(" * 1500 + "impor" + ")" * 1500 + "t sub")


# --- running the command line ------------------------------------------------------------------------


class Outcome(NamedTuple):
    returncode: int | None  # None: killed after the timeout
    stdout: str
    stderr: str
    timeout: float


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "HOME": str(home), **CLEAN_ENV}
    env.pop("XDG_CACHE_HOME", None)
    return env


def blastguard(*args: str, cwd: Path, stdin: bytes = b"", timeout: float = SINGLE_TIMEOUT) -> Outcome:
    """`python -m blastguard ARGS` in its own process group, killed (with any workers) if it hangs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "blastguard", *args],
        cwd=cwd,
        env=_env(cwd / ".home"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        return Outcome(None, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), timeout)
    return Outcome(process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), timeout)


def _ended_badly(outcome: Outcome) -> str | None:
    """What went wrong in any run: a hang, a death by signal, or a traceback."""
    if outcome.returncode is None:
        return f"did not finish within {outcome.timeout:g} s"
    if outcome.returncode < 0:
        return f"was killed by {signal.Signals(-outcome.returncode).name}"
    if "Traceback" in outcome.stderr:
        return "printed a traceback: " + _tail(outcome.stderr)
    return None


def check_problem(outcome: Outcome, usage_errors: tuple[str, ...] = ()) -> str | None:
    """None if a `check` run ended as it must for content: exit 0 or 1, no internal error; exit 2
    only with a one-line usage error that starts with one of `usage_errors`."""
    problem = _ended_badly(outcome)
    if problem:
        return problem
    internal = [line for line in outcome.stderr.splitlines() if "internal error" in line]
    if internal:
        return "reported an internal error: " + internal[0][:600]
    if outcome.returncode in (0, 1):
        return None
    lines = outcome.stderr.strip().splitlines()
    if (
        outcome.returncode == 2
        and len(lines) == 1
        and lines[0].startswith(tuple(f"blastguard: error: {u}" for u in usage_errors))
    ):
        return None
    return f"exited {outcome.returncode}: " + _tail(outcome.stderr)


# A reason that shows the check itself broke: the checking process crashed or died by a signal, or an
# exception escaped (reported as "(ValueError: ...)"). Failing closed is right, but it is still a crash.
_BROKEN_REASON = re.compile(r"crash|\bsignal \d+|\bSIG[A-Z]{2,}\b|\(\w*(?:Error|Exception)\b")


def hook_problem(outcome: Outcome) -> str | None:
    """None if a `hook` run answered as it must: exit 0, nothing or one JSON object on stdout, and a
    reason (if any) that is a verdict, not a report of the check breaking."""
    problem = _ended_badly(outcome)
    if problem:
        return problem
    if outcome.returncode != 0:
        return f"exited {outcome.returncode} (a hook must exit 0): " + _tail(outcome.stderr)
    if not outcome.stdout.strip():
        return None
    try:
        answer = json.loads(outcome.stdout)
    except ValueError:
        return f"answered with something that is not JSON: {outcome.stdout[:300]!r}"
    if not isinstance(answer, dict):
        return f"answered with JSON that is not an object: {outcome.stdout[:300]!r}"
    reason = _reason(answer)
    if _BROKEN_REASON.search(reason):
        return f"failed while checking: {reason[:400]}"
    return None


def test_the_judges_tell_a_broken_run_from_a_sound_one():
    """The fuzz tests are only as good as these two functions: each way to fail is caught, and the
    sound answers pass."""

    def run(code, stdout="", stderr=""):
        return Outcome(code, stdout, stderr, 5)

    assert check_problem(run(None)) == "did not finish within 5 s"
    assert check_problem(run(-11)) == "was killed by SIGSEGV"
    assert check_problem(run(1, stderr='Traceback (most recent call last):\n  File "x"\nKeyError: 1\n')).startswith(
        "printed a traceback"
    )
    assert check_problem(run(2, stderr="x.yml: error: internal error while checking this file (ValueError: x)\n"))
    assert check_problem(run(2, stderr="blastguard: error: cannot tell the language of stdin (x)\n")).startswith(
        "exited 2"
    )
    assert (
        check_problem(
            run(2, stderr="blastguard: error: cannot tell the language of stdin (x)\n"), usage_errors=("cannot tell",)
        )
        is None
    )
    assert check_problem(run(2, stderr="a\nblastguard: error: cannot tell\n"), usage_errors=("cannot tell",))
    assert check_problem(run(3)) == "exited 3: "
    assert check_problem(run(0, stderr="x.sql:1:1: warning: Statement could not be parsed\n")) is None
    assert check_problem(run(1, stdout="x.sql:1:1: SQL101 error ...\n")) is None

    def claude(decision, reason):
        return json.dumps(
            {
                "hookSpecificOutput": {
                    "hookEventName": "PreToolUse",
                    "permissionDecision": decision,
                    "permissionDecisionReason": reason,
                }
            }
        )

    assert hook_problem(run(1)) == "exited 1 (a hook must exit 0): "
    assert hook_problem(run(0, stdout="deny\n")).startswith("answered with something that is not JSON")
    assert hook_problem(run(0, stdout="[]")).startswith("answered with JSON that is not an object")
    for broken in (
        "blastguard failed while checking this tool call (the check crashed (signal 11)).",
        "blastguard failed while checking this tool call (RecursionError: maximum recursion depth).",
        "the checking process was killed by SIGSEGV",
    ):
        assert hook_problem(run(0, stdout=claude("ask", broken))).startswith("failed while checking"), broken
    cursor = json.dumps({"permission": "deny", "user_message": "(ValueError: x)", "agent_message": "(ValueError: x)"})
    assert hook_problem(run(0, stdout=cursor))
    assert hook_problem(run(0)) is None
    assert (
        hook_problem(run(0, stdout=claude("deny", "blastguard blocked this: [SH101 terraform-destroy, line 1] ...")))
        is None
    )
    assert (
        hook_problem(
            run(
                0,
                stdout=claude(
                    "ask",
                    "blastguard could not read this tool call: the payload is not "
                    "valid JSON (Expecting value: line 1 column 1 (char 0)).",
                ),
            )
        )
        is None
    )
    context = {"hookSpecificOutput": {"hookEventName": "PreToolUse", "additionalContext": "blastguard notes: ..."}}
    assert hook_problem(run(0, stdout=json.dumps(context))) is None


def _reason(answer: dict) -> str:
    """The reason or context text of an answer, whatever the agent's protocol."""
    inner = answer.get("hookSpecificOutput", answer)
    keys = ("permissionDecisionReason", "reason", "user_message", "additionalContext")
    return " ".join(str(inner.get(key, "")) for key in keys)


def _tail(text: str, lines: int = 4) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])[:600]


def _shown(text: str) -> str:
    """An input as it appears in a failure: all of it if short, else its ends and its length."""
    if len(text) <= 400:
        return repr(text)
    return f"{text[:240]!r} ... {text[-120:]!r} ({len(text)} characters)"


def _project(root: str) -> Path:
    project = Path(root)
    (project / ".git").mkdir()  # configuration discovery stops here
    (project / ".home").mkdir()
    return project


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate becomes bytes that are not UTF-8


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_bytes(text))


# --- payloads of the five agents ---------------------------------------------------------------------


def command_payload(agent: str, command: str, cwd: Path) -> dict:
    if agent == "claude":
        return {
            "session_id": "s",
            "cwd": str(cwd),
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": command},
        }
    if agent == "codex":
        return {
            "session_id": "s",
            "cwd": str(cwd),
            "hook_event_name": "PreToolUse",
            "model": "gpt-5-codex",
            "tool_name": "Bash",
            "tool_input": {"command": command},
        }
    if agent == "gemini":
        return {
            "session_id": "s",
            "cwd": str(cwd),
            "hook_event_name": "BeforeTool",
            "tool_name": "run_shell_command",
            "tool_input": {"command": command, "directory": str(cwd)},
        }
    if agent == "cursor":
        return {
            "conversation_id": "c",
            "hook_event_name": "beforeShellExecution",
            "command": command,
            "cwd": str(cwd),
            "workspace_roots": [str(cwd)],
        }
    return {"timestamp": 1, "cwd": str(cwd), "toolName": "bash", "toolArgs": json.dumps({"command": command})}


def write_payload(path: Path, content: str, cwd: Path) -> dict:
    return {
        "session_id": "s",
        "cwd": str(cwd),
        "hook_event_name": "PreToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": str(path), "content": content},
    }


def edit_payload(path: Path, old: str, new: str, cwd: Path) -> dict:
    return {
        "session_id": "s",
        "cwd": str(cwd),
        "hook_event_name": "PreToolUse",
        "tool_name": "Edit",
        "tool_input": {"file_path": str(path), "old_string": old, "new_string": new},
    }


def hook(payload: dict | str, project: Path) -> Outcome:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return blastguard("hook", cwd=project, stdin=_bytes(text), timeout=HOOK_TIMEOUT)


# --- the fuzz tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", FRONTENDS)
@settings(FUZZ, max_examples=FILE_EXAMPLES)
@given(batch=st.lists(recipes(), min_size=BATCH, max_size=BATCH), edit=st.booleans())
def test_mutated_files_are_checked_without_crash_hang_or_traceback(language, batch, edit):
    """A batch of files checked as a folder by one process, the first of them on stdin, and the
    second written (or edited into a seed file) through the hook."""
    frontend = FRONTENDS[language]
    texts = [build(frontend, recipe) for recipe in batch]
    with tempfile.TemporaryDirectory() as root:
        project = _project(root)
        files = [project / "batch" / frontend.path.format(i) for i in range(len(texts))]
        for path, text in zip(files, texts):
            _write(path, text)
        failures = []
        problem = check_problem(blastguard("check", "batch", cwd=project, timeout=BATCH_TIMEOUT))
        if problem:
            failures.append(f"`blastguard check` of the batch folder {problem}\n" + _culprit(project, files, batch))

        name = frontend.path.format(0)
        stdin = blastguard("check", "-", "--stdin-filename", name, cwd=project, stdin=_bytes(texts[0]))
        # A plan whose mutation lost its `format_version` no longer says what it is: a usage error.
        problem = check_problem(stdin, usage_errors=("cannot tell the language of stdin",))
        if problem:
            failures.append(
                f"`blastguard check - --stdin-filename {name}` {problem}\n"
                f"  input: {_shown(texts[0])}\n  recipe: {batch[0]}"
            )

        target = project / "hooked" / frontend.path.format(1)
        if edit:
            seed = frontend.seeds[batch[1][0] % len(frontend.seeds)]
            _write(target, seed)
            payload = edit_payload(target, seed, texts[1], project)
        else:
            payload = write_payload(target, texts[1], project)
        problem = hook_problem(hook(payload, project))
        if problem:
            failures.append(
                f"`blastguard hook` ({'Edit' if edit else 'Write'} of {frontend.path.format(1)}) "
                f"{problem}\n  input: {_shown(texts[1])}\n  recipe: {batch[1]}"
            )
    assert not failures, "\n".join(failures)


def _culprit(project: Path, files: list[Path], batch: list, most: int = 3) -> str:
    """The files of a failing batch that fail when checked alone (the first few), with text and recipe."""
    found = []
    for path, recipe in zip(files, batch):
        outcome = blastguard("check", str(path.relative_to(project)), cwd=project)
        problem = check_problem(outcome)
        if problem:
            text = path.read_bytes().decode("utf-8", "surrogatepass")
            found.append(
                f"  alone, {path.relative_to(project)} {problem}\n    input: {_shown(text)}\n    recipe: {recipe}"
            )
        if len(found) == most or outcome.returncode is None:  # each further hang would cost a whole timeout
            break
    return "\n".join(found) or "  no file of the batch fails alone; recipes: " + repr(batch)


@settings(FUZZ, max_examples=COMMAND_EXAMPLES)
@given(recipe=recipes(), agent=st.sampled_from(("claude", "codex", "gemini", "cursor", "copilot")))
def test_mutated_commands_are_answered_by_the_hook_of_every_agent(recipe, agent):
    command = build(COMMANDS, recipe)
    with tempfile.TemporaryDirectory() as root:
        project = _project(root)
        problem = hook_problem(hook(command_payload(agent, command, project), project))
    assert problem is None, f"`blastguard hook` ({agent}) {problem}\n  command: {_shown(command)}\n  recipe: {recipe}"


# Payloads of every agent's tools as JSON text, mutated as text: `@CWD@` becomes the project folder.
PAYLOADS = Frontend(
    "payload",
    "",
    (
        '{"session_id": "s", "cwd": "@CWD@", "hook_event_name": "PreToolUse", "tool_name": "Bash", '
        '"tool_input": {"command": "ls -la", "description": "list"}}',
        '{"session_id": "s", "cwd": "@CWD@", "hook_event_name": "PreToolUse", "tool_name": "Write", '
        '"tool_input": {"file_path": "@CWD@/q.sql", "content": "SELECT 1;\\n"}}',
        '{"session_id": "s", "cwd": "@CWD@", "hook_event_name": "PreToolUse", "tool_name": "Edit", '
        '"tool_input": {"file_path": "@CWD@/app.py", "old_string": "x = 1", "new_string": "x = 2", "replace_all": false}}',
        '{"session_id": "s", "cwd": "@CWD@", "hook_event_name": "PreToolUse", "tool_name": "MultiEdit", '
        '"tool_input": {"file_path": "app.py", "edits": [{"old_string": "x", "new_string": "y", "replace_all": true}]}}',
        '{"session_id": "s", "cwd": "@CWD@", "hook_event_name": "PreToolUse", "model": "gpt-5-codex", '
        '"tool_name": "Bash", "tool_input": {"command": "make test"}}',
        '{"session_id": "s", "cwd": "@CWD@", "hook_event_name": "BeforeTool", "tool_name": "replace", '
        '"tool_input": {"file_path": "app.py", "old_string": "x", "new_string": "z", "expected_replacements": 2}}',
        '{"conversation_id": "c", "hook_event_name": "beforeShellExecution", "command": "git status", '
        '"cwd": "@CWD@", "workspace_roots": ["@CWD@"]}',
        '{"conversation_id": "c", "hook_event_name": "preToolUse", "tool_name": "Write", '
        '"tool_input": {"path": "@CWD@/run.sh", "contents": "echo hi\\n"}, "workspace_roots": ["@CWD@"]}',
        '{"timestamp": 1, "cwd": "@CWD@", "toolName": "bash", "toolArgs": "{\\"command\\": \\"npm test\\"}"}',
    ),
    (
        "{",
        "}",
        "[",
        "]",
        '"',
        ":",
        ",",
        "null",
        "true",
        "1",
        "-1e999",
        '""',
        '"Bash"',
        '"Write"',
        '"Edit"',
        '"PreToolUse"',
        '"tool_input"',
        '"command"',
        '"cwd"',
        '"/"',
        '"/dev/null"',
        '"."',
        '"file_path"',
        '"edits"',
        '"toolArgs"',
        "\\u0000",
        "\\ud800",
        '\\"',
        "\\\\",
        " ",
        "\n",
        '"content": ',
        '"DELETE FROM t;"',
    ),
    (("[", "]"), ('{"a": ', "}"), ("[[", "]]")),
)


@settings(FUZZ, max_examples=COMMAND_EXAMPLES)
@given(recipe=recipes())
def test_mutated_payloads_are_answered_without_crash_hang_or_traceback(recipe):
    """Broken JSON, wrong types, missing keys: the hook answers in the agent's protocol, exit 0."""
    with tempfile.TemporaryDirectory() as root:
        project = _project(root)
        (project / "app.py").write_text("x = 1\n")
        payload = build(PAYLOADS, recipe).replace("@CWD@", str(project))
        problem = hook_problem(hook(payload, project))
    assert problem is None, f"`blastguard hook` {problem}\n  payload: {_shown(payload)}\n  recipe: {recipe}"


def _claude_call(tool: str, tool_input: dict, cwd: str) -> str:
    return json.dumps(
        {"session_id": "s", "cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": tool_input}
    )


# Payloads that reach past the parsers: a FIFO to read, paths and folders no file system accepts, and
# JSON nested past Python's recursion limit. `@CWD@` becomes the project folder, with a FIFO `pipe.sql`.
HOSTILE_PAYLOADS = {
    "write-to-a-fifo": _claude_call("Write", {"file_path": "@CWD@/pipe.sql", "content": "SELECT 1;\n"}, "@CWD@"),
    "edit-of-a-fifo": _claude_call(
        "Edit", {"file_path": "@CWD@/pipe.sql", "old_string": "a", "new_string": "b"}, "@CWD@"
    ),
    "nul-in-the-file-path": _claude_call("Write", {"file_path": "@CWD@/a\x00b.sql", "content": "SELECT 1;\n"}, "@CWD@"),
    "lone-surrogate-in-the-file-path": _claude_call(
        "Write", {"file_path": "@CWD@/a\ud800.sql", "content": "SELECT 1;\n"}, "@CWD@"
    ),
    "nul-in-the-cwd": _claude_call("Bash", {"command": "ls"}, "@CWD@/\x00"),
    "lone-surrogate-in-the-cwd": _claude_call("Bash", {"command": "ls"}, "@CWD@/\udfff"),
    "json-nested-100000-deep": '{"hook_event_name": "PreToolUse", "tool_name": "Bash", "cwd": "@CWD@", '
    '"tool_input": {"command": "ls", "x": ' + "[" * 100000 + "]" * 100000 + "}}",
    "tool-args-string-nested-100000-deep": '{"timestamp": 1, "cwd": "@CWD@", "toolName": "bash", "toolArgs": "'
    + "[" * 100000
    + '"}',
}


@pytest.mark.parametrize("case", HOSTILE_PAYLOADS)
def test_hostile_payloads_are_answered_without_crash_hang_or_internal_error(case, tmp_path):
    project = _project(str(tmp_path))
    os.mkfifo(project / "pipe.sql")
    payload = HOSTILE_PAYLOADS[case].replace("@CWD@", str(project))
    problem = hook_problem(hook(payload, project))
    assert problem is None, f"`blastguard hook` {problem}"


# Pieces of command lines: every subcommand and option, with values good and bad.
ARGUMENTS = (
    "check",
    "hook",
    "rules",
    "rule",
    "--format",
    "json",
    "sarif",
    "github",
    "text",
    "markdown",
    "--fail-on",
    "error",
    "never",
    "--select",
    "SQL1,SH",
    "--ignore",
    "nope",
    "--config",
    "missing.toml",
    "blastguard.toml",
    "--stdin-filename",
    "x.sql",
    "x.unknown",
    "-",
    "--diff",
    "--staged",
    "--diff-file",
    "--agent",
    "claude",
    "bogus",
    "--print-config",
    "--sql-dialect",
    "postgres",
    "klingon",
    "--baseline",
    "--write-baseline",
    "base.json",
    "--output",
    "out/report",
    "--include-suppressed",
    "--force-exclude",
    "--color",
    "always",
    "SQL101",
    "unbounded-delete",
    "src",
    "q.sql",
    "--",
    "-h",
    "=",
    "--format=json",
    "--agent=",
    "\u00e9",
    "\U0010ffff",
    "",
)


@settings(FUZZ, max_examples=COMMAND_EXAMPLES)
@given(
    argv=st.lists(st.sampled_from(ARGUMENTS), min_size=1, max_size=7),
    stdin=st.sampled_from(["", "DELETE FROM t;\n", "{"]),
)
def test_mutated_command_lines_end_with_an_answer_or_a_one_line_error(argv, stdin):
    """Exit 0, 1 or 2, never a traceback; exit 2 (bad usage) with exactly one line on stderr."""
    if argv[0] not in ("check", "hook", "rules", "rule"):
        argv = ["check", *argv]
    with tempfile.TemporaryDirectory() as root:
        project = _project(root)
        _write(project / "q.sql", "DELETE FROM t WHERE id = 1;\n")
        _write(project / "src" / "run.sh", "make clean\n")
        _write(project / "blastguard.toml", 'fail-on = "error"\n')
        outcome = blastguard(*argv, cwd=project, stdin=stdin.encode())
    problem = _ended_badly(outcome)
    if problem is None and outcome.returncode not in (0, 1, 2):
        problem = f"exited {outcome.returncode}"
    errors = [line for line in outcome.stderr.splitlines() if line.startswith("blastguard: error:")]
    if problem is None and outcome.returncode == 2 and (len(errors) != 1 or "internal error" in outcome.stderr):
        problem = f"exited 2 without exactly one error line: {_tail(outcome.stderr)!r}"
    assert problem is None, f"`blastguard {' '.join(argv)}` {problem}"


# --- inputs that crashed or stalled: fixed regression seeds ------------------------------------------

_WORKFLOW_HEAD = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
CRASHES = {
    # The SQL frontend spent more than a minute, then failed with RecursionError.
    "sql-3000-term-or-chain": (
        "purge.sql",
        ["DELETE FROM users WHERE " + " OR ".join(f"id = {i}" for i in range(3000)) + ";\n"],
    ),
    # ValueError (substring not found): a `|` block scalar with no line break after it.
    "workflow-run-block-at-end-of-file": (".github/workflows/ci.yml", [_WORKFLOW_HEAD + "      - run: |"]),
    # The same ValueError: YAML also breaks lines at CR, NEL and U+2028, not only at LF.
    "workflow-run-block-with-cr-line-breaks": (
        ".github/workflows/ci.yml",
        [(_WORKFLOW_HEAD + "      - run: |\n          pytest -x\n").replace("\n", "\r")],
    ),
    "gitlab-script-block-with-line-separators": (
        ".gitlab-ci.yml",
        ["test:\n  script: |\n    echo done\n".replace("\n", "\u2028")],
    ),
    # RecursionError reading YAML and HCL nested a thousand levels deep.
    "workflow-1000-nested-flow-sequences": (
        ".github/workflows/ci.yml",
        [_WORKFLOW_HEAD + "      - run: " + "[" * 1000 + "]" * 1000 + "\n"],
    ),
    "terraform-3000-nested-lists": ("main.tf", ["locals {\n  x = " + "[" * 3000 + "]" * 3000 + "\n}\n"]),
    # tree-sitter-bash dies by SIGSEGV on most runs, not all, so several variants are checked.
    "shell-brace-then-astral-code-point": (
        "brace.sh",
        ["{\U0010ffff", "{\U0010ffff\n", "x {\U0010ffff", "echo {\U0010ffff", "{{\U0010ffff", "{\U0010ffff}"],
    ),
    # libcst dies by SIGSEGV parsing a call this deep.
    "python-1300-nested-parentheses": (
        "deep.py",
        ["import subprocess\nsubprocess.run(" + "(" * 1300 + "'ls'" + ")" * 1300 + ")\n"],
    ),
    "python-3000-nested-lists": ("deep.py", ["import os\nos.system(" + "[" * 3000 + "]" * 3000 + ")\n"]),
}


def test_a_crash_in_a_worker_process_of_a_large_scan_is_no_traceback(tmp_path):
    """Eight files and 64 KB spread a scan over worker processes; a native crash in one of them
    (libcst on a deep list) ended the scan with a BrokenProcessPool traceback."""
    project = _project(str(tmp_path))
    _write(project / "scan" / "deep.py", CRASHES["python-3000-nested-lists"][1][0])
    for i in range(8):
        _write(project / "scan" / f"job{i}.py", "import os\nos.system('ls')\n" + "# a line of filler\n" * 500)
    problem = check_problem(blastguard("check", "scan", cwd=project))
    assert problem is None, f"`blastguard check scan` {problem}"


@pytest.mark.parametrize("case", CRASHES)
def test_inputs_that_crashed_before_are_checked_cleanly(case, tmp_path):
    """Each input through `check FILE...`, `check -` and the hook (a Write, or a Bash command for
    shell). A run that hangs is not repeated on stdin: it would only cost another timeout."""
    name, texts = CRASHES[case]
    project = _project(str(tmp_path))
    paths = [Path(f"variant{i}") / name for i in range(len(texts))]
    for path, text in zip(paths, texts):
        _write(project / path, text)
    failures = []
    outcome = blastguard("check", *map(str, paths), cwd=project)
    problem = check_problem(outcome)
    if problem:
        failures.append(f"`blastguard check {' '.join(map(str, paths))}` {problem}")
    for text in texts if outcome.returncode is not None else []:
        problem = check_problem(blastguard("check", "-", "--stdin-filename", name, cwd=project, stdin=_bytes(text)))
        if problem:
            failures.append(f"`blastguard check - --stdin-filename {name}` of {_shown(text)} {problem}")
            break
    for i, text in enumerate(texts):
        shell = name.endswith(".sh")
        target = project / "hooked" / str(i) / name
        payload = command_payload("claude", text, project) if shell else write_payload(target, text, project)
        problem = hook_problem(hook(payload, project))
        if problem:
            failures.append(f"`blastguard hook` ({'Bash' if shell else 'Write'}) of {_shown(text)} {problem}")
            break
    assert not failures, "\n".join(failures)
