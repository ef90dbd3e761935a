"""What an agent runs and writes every day must pass the hook: a guard that asks about `make clean`
or a README gets switched off, and then it protects nothing.

Every command of tests/data/everyday_commands.txt goes through `blastguard.interfaces.hook.run` (the real
entry point: it forks the check and answers on a file, as on a pipe) as a Claude Code Bash call
from a small project folder, and a sample of them through `python -m blastguard hook` in a fresh
process. Ordinary file writes and edits go the same way. Each must be allowed: no output and exit
0, or an allow that only carries context. Nothing here is run; commands are data for the hook.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import pytest

from blastguard.interfaces import hook
from conftest import err, out, run_cli
from hook_calls import CLEAN_ENV, claude

COMMANDS_FILE = Path(__file__).parent / "data" / "everyday_commands.txt"
COMMANDS = [
    line
    for line in COMMANDS_FILE.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]
SAMPLE = COMMANDS[:: len(COMMANDS) // 15]  # through a fresh process each, as an agent runs the hook


# The project the agent works in: the files its commands name and its edits change.
PROJECT_FILES = {
    "README.md": "# app\n\nA small web app. Run `make test` before pushing.\n",
    "pyproject.toml": '[project]\nname = "app"\nversion = "0.1.0"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
    "package.json": '{\n  "name": "app",\n  "scripts": {"build": "tsc", "test": "jest"}\n}\n',
    "Makefile": ".PHONY: all build test clean\n\nall: build test\n\nbuild:\n\tpython -m build\n\ntest:\n\tpytest -x\n\n"
    "clean:\n\trm -rf build dist\n",
    "docs/Makefile": "html:\n\tsphinx-build -b html . _build/html\n",
    "scripts/build.sh": "#!/bin/sh\nset -eu\nrm -rf build\npython -m build\n",
    "scripts/report.py": "import argparse\n\nparser = argparse.ArgumentParser()\n"
    "parser.add_argument('--days', type=int, default=7)\nprint(parser.parse_args().days)\n",
    "manage.py": "import os\nimport sys\n\nif __name__ == '__main__':\n"
    "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'app.settings')\n"
    "    from django.core.management import execute_from_command_line\n\n"
    "    execute_from_command_line(sys.argv)\n",
    "server.py": "from http.server import HTTPServer, SimpleHTTPRequestHandler\n\n"
    "HTTPServer(('127.0.0.1', 8000), SimpleHTTPRequestHandler).serve_forever()\n",
    "src/app/__init__.py": "",
    "src/app/db.py": "import sqlite3\n\n\ndef user(conn: sqlite3.Connection, user_id: int):\n"
    '    return conn.execute("SELECT id, email FROM users WHERE id = ?", (user_id,)).fetchone()\n',
    "src/x.py": "A = 'a'\n",
    "migrations/0001_init.sql": "CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text NOT NULL\n);\n",
    "infra/main.tf": 'resource "aws_s3_bucket" "assets" {\n  bucket = "app-assets-dev"\n}\n',
    ".github/workflows/test.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - run: pytest -x\n",
    "a.txt": "a\n",
    "old.txt": "one\n",
    "new.txt": "two\n",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    _load_analysers()
    root = tmp_path_factory.mktemp("everyday")
    (root / ".git").mkdir()  # configuration discovery stops here
    (root / "home").mkdir()
    for name, text in PROJECT_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _load_analysers() -> None:
    """Import every language's frontend and rules here once, so that the hundreds of checks forked
    from this process inherit them instead of each importing them again."""
    from blastguard import registry
    from blastguard.interfaces import environment_gate  # noqa: F401

    for language in (
        "sql",
        "shell",
        "python",
        "terraform",
        "terraform-plan",
        "terraform-vars",
        "github-actions",
        "gitlab-ci",
        "makefile",
        "package-json",
        "justfile",
        "taskfile",
        "dockerfile",
        "docker-compose",
        "kubernetes",
        "circleci",
        "azure-pipelines",
        "bitbucket-pipelines",
        "jenkinsfile",
        "ansible",
        "tox",
    ):
        registry.frontend_class(language)
        registry.rule_package(language)


def hook_in_process(payload: dict, project: Path) -> tuple[int, str]:
    """(exit code, stdout) of `blastguard.interfaces.hook.run`: the check runs in a forked child that answers on
    the shared file, so the answer is read back from the file rather than from a buffer."""
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": str(project / "home")}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as answer:
        code = hook.run(
            None, None, stdin=io.BytesIO(json.dumps(payload).encode("utf-8")), stdout=answer, environ=environ
        )
        answer.seek(0)
        return code, answer.read()


def hook_in_subprocess(payload: dict, project: Path) -> tuple[int, str]:
    env = {**CLEAN_ENV, "HOME": str(project / "home")}
    result = run_cli("hook", stdin=json.dumps(payload), cwd=project, env=env)
    assert "Traceback" not in err(result)
    return result.returncode, out(result)


def assert_allowed(code: int, text: str, what: str) -> None:
    """Allowed: exit 0 and no output, or an answer that carries only context (no decision)."""
    assert code == 0, f"{what}: exit {code}"
    if text.strip():
        answer = json.loads(text)["hookSpecificOutput"]
        decision = answer.get("permissionDecision", "allow")
        assert decision == "allow", f"{what}: {decision}: {answer.get('permissionDecisionReason')}"


# --- commands -----------------------------------------------------------------------------------------


def test_the_list_covers_every_day_broadly():
    assert len(COMMANDS) >= 150
    assert len(set(COMMANDS)) == len(COMMANDS), "a command is listed twice"
    assert 15 <= len(SAMPLE) <= 17


@pytest.mark.parametrize("command", COMMANDS)
def test_an_everyday_command_is_allowed(command, project):
    assert_allowed(*hook_in_process(claude("Bash", {"command": command}, project), project), command)


@pytest.mark.parametrize("command", SAMPLE)
def test_an_everyday_command_is_allowed_by_the_hook_process(command, project):
    assert_allowed(*hook_in_subprocess(claude("Bash", {"command": command}, project), project), command)


def test_the_in_process_hook_still_blocks(project):
    """The in-process path reads the child's answer: a destroy is denied there, so the allows above
    are answers, not silence."""
    code, text = hook_in_process(claude("Bash", {"command": "terraform destroy -auto-approve"}, project), project)
    assert code == 0 and json.loads(text)["hookSpecificOutput"]["permissionDecision"] == "deny"


# --- file writes and edits ------------------------------------------------------------------------------

WRITES = {
    "src/app/models.py": "from dataclasses import dataclass\n\n\n@dataclass\nclass User:\n    id: int\n    email: str\n",
    "src/app/api.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/health')\n"
    "def health():\n    return {'ok': True}\n",
    "src/app/git_info.py": "import subprocess\n\n\ndef branch() -> str:\n"
    "    return subprocess.run(['git', 'rev-parse', '--abbrev-ref', 'HEAD'], capture_output=True,\n"
    "                          text=True, check=True).stdout.strip()\n",
    "src/app/repo.py": "def rename(cur, user_id, name):\n"
    '    cur.execute("UPDATE users SET name = %s WHERE id = %s", (name, user_id))\n\n\n'
    'def expire(cur):\n    cur.execute("DELETE FROM sessions WHERE expires_at < now()")\n',
    "src/app/scratch.py": "import shutil\nimport tempfile\n\n\ndef build_in_scratch(build):\n"
    "    folder = tempfile.mkdtemp()\n    try:\n        build(folder)\n"
    "    finally:\n        shutil.rmtree(folder)\n",
    "src/app/cache.py": "import os\n\nCACHE = os.path.join('.cache', 'index.json')\n\n\ndef reset():\n"
    "    if os.path.exists(CACHE):\n        os.remove(CACHE)\n",
    "tests/test_models.py": "from app.models import User\n\n\ndef test_user():\n"
    "    assert User(1, 'a@example.com').email == 'a@example.com'\n",
    "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef user():\n    return {'id': 1}\n",
    "scripts/report.py": "#!/usr/bin/env python3\nimport argparse\n\nparser = argparse.ArgumentParser()\n"
    "parser.add_argument('--days', type=int, default=7)\nprint(parser.parse_args().days)\n",
    "migrations/versions/7b1c_add_tier.py": "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n"
    "    op.add_column('users', sa.Column('tier', sa.Text(), nullable=True))\n",
    "shop/migrations/0003_item_sku.py": "from django.db import migrations, models\n\n\n"
    "class Migration(migrations.Migration):\n"
    "    dependencies = [('shop', '0002_initial')]\n"
    "    operations = [migrations.AddField('item', 'sku', models.TextField(default=''))]\n",
    "README.md": "# app\n\nRun `make test`. Never run `DROP TABLE` or `terraform destroy` by hand: use the runbook.\n",
    "docs/runbook.md": "# Runbook\n\n```sh\nterraform destroy -auto-approve   # only with the on-call lead\n```\n",
    "CHANGELOG.md": "## 1.2.0\n\n- Dropped the old `sessions_legacy` table (see migration 0007).\n",
    "migrations/0002_add_tier.sql": "ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';\n",
    "migrations/0003_index.sql": "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email);\n",
    "migrations/0004_backfill.sql": "UPDATE users SET tier = 'pro' WHERE id IN (SELECT user_id FROM subscriptions);\n",
    "queries/active_users.sql": "SELECT id, email\nFROM users\nWHERE last_login > now() - interval '30 days'\nORDER BY id;\n",
    "seeds/flags.sql": "INSERT INTO feature_flags (name, enabled) VALUES ('beta', true) ON CONFLICT DO NOTHING;\n",
    "infra/variables.tf": 'variable "env" {\n  type    = string\n  default = "dev"\n}\n\nvariable "region" {\n'
    '  type    = string\n  default = "eu-west-1"\n}\n',
    "infra/dev.tfvars": 'env    = "dev"\nregion = "eu-west-1"\n',
    "infra/prod.tfvars": 'env    = "prod"\nregion = "eu-west-1"\n',
    "infra/staging.tfvars.json": '{\n  "env": "staging",\n  "region": "eu-west-1"\n}\n',
    "infra/outputs.tf": 'output "bucket" {\n  value = aws_s3_bucket.assets.bucket\n}\n',
    "infra/database.tf": 'resource "aws_db_instance" "app" {\n  identifier          = "app-dev"\n'
    '  engine              = "postgres"\n  instance_class      = "db.t3.micro"\n'
    "  deletion_protection = true\n  skip_final_snapshot = false\n  backup_retention_period = 7\n}\n",
    "infra/build.tf": 'resource "null_resource" "build" {\n  provisioner "local-exec" {\n    command = "make build"\n  }\n}\n',
    ".github/workflows/test.yml": "name: test\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-python@v5\n"
    "        with:\n          python-version: '3.12'\n      - run: pip install -e '.[test]'\n"
    "      - run: pytest -x\n",
    ".github/workflows/plan.yml": "on: pull_request\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - run: |\n          terraform init\n"
    "          terraform plan -out=tfplan\n        working-directory: infra\n",
    ".gitlab-ci.yml": "stages: [test]\n\ntest:\n  stage: test\n  image: python:3.12\n  script:\n"
    "    - pip install -e .\n    - pytest -x\n",
    "Makefile": ".PHONY: build test clean\n\nbuild:\n\tpython -m build\n\ntest:\n\tpytest -x\n\n"
    "clean:\n\trm -rf build dist .pytest_cache\n\tfind . -name '*.pyc' -delete\n",
    "scripts/test.sh": '#!/usr/bin/env bash\nset -euo pipefail\nrm -rf .pytest_cache\npytest -x "$@"\n',
    "Dockerfile": 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -e .\nCMD ["python", "server.py"]\n',
    "docker-compose.yml": "services:\n  web:\n    build: .\n    ports: ['8000:8000']\n",
    ".gitignore": "build/\ndist/\nnode_modules/\n.venv/\n",
    "pyproject.toml": '[project]\nname = "app"\nversion = "0.2.0"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
}

EDITS = [
    ("src/app/db.py", "SELECT id, email FROM users", "SELECT id, email, name FROM users"),
    ("README.md", "Run `make test` before pushing.", "Run `make test` before pushing, and `make lint`."),
    (
        "migrations/0001_init.sql",
        "  email text NOT NULL\n",
        "  email text NOT NULL,\n  created_at timestamptz DEFAULT now()\n",
    ),
    ("Makefile", "clean:\n\trm -rf build dist\n", "clean:\n\trm -rf build dist node_modules\n"),
    ("infra/main.tf", '  bucket = "app-assets-dev"\n', '  bucket = "app-assets-dev"\n  tags   = { team = "web" }\n'),
    (
        ".github/workflows/test.yml",
        "      - run: pytest -x\n",
        "      - run: pip install -e .\n      - run: pytest -x\n",
    ),
    ("scripts/build.sh", "python -m build\n", "python -m build --wheel\n"),
    ("src/x.py", "A = 'a'", "A = 'b'"),
]


def test_the_file_calls_are_many():
    assert len(WRITES) + len(EDITS) >= 30


@pytest.mark.parametrize("name", WRITES)
def test_an_ordinary_file_write_is_allowed(name, project):
    payload = claude("Write", {"file_path": str(project / name), "content": WRITES[name]}, project)
    assert_allowed(*hook_in_process(payload, project), f"Write {name}")


@pytest.mark.parametrize("name, old, new", EDITS, ids=[edit[0] for edit in EDITS])
def test_an_ordinary_edit_is_allowed(name, old, new, project):
    assert old in PROJECT_FILES[name]
    payload = claude("Edit", {"file_path": str(project / name), "old_string": old, "new_string": new}, project)
    assert_allowed(*hook_in_process(payload, project), f"Edit {name}")


@pytest.mark.parametrize(
    "name",
    ["src/app/repo.py", "migrations/0002_add_tier.sql", "infra/database.tf", ".github/workflows/test.yml", "Makefile"],
)
def test_an_ordinary_file_write_is_allowed_by_the_hook_process(name, project):
    payload = claude("Write", {"file_path": str(project / name), "content": WRITES[name]}, project)
    assert_allowed(*hook_in_subprocess(payload, project), f"Write {name}")


def test_a_multiedit_of_a_module_is_allowed(project):
    edits = [
        {"old_string": "def user(", "new_string": "def find_user("},
        {"old_string": "(user_id,)", "new_string": "(int(user_id),)"},
    ]
    payload = claude("MultiEdit", {"file_path": str(project / "src/app/db.py"), "edits": edits}, project)
    assert_allowed(*hook_in_process(payload, project), "MultiEdit src/app/db.py")
