"""The frontend contract of `blastguard.frontends.base`: every frontend is a `Frontend`, every document
a `Document`, and what a frontend could not read arrives as `Problem` records."""

import pytest

from blastguard.config import Config
from blastguard.context import Context
from blastguard.frontends.base import Document, Frontend, Problem
from blastguard.registry import FRONTENDS, frontend_class
from blastguard.sources import Source

# Per language, a text its frontend cannot fully read (None: the language has no parse problems).
BROKEN = {
    "sql": "DELETE FROM users WHERE (;",
    "terraform": 'resource "aws_db_instance" "main" {\n',
    "terraform-vars": "deletion_protection = \n",
    "terraform-plan": '{"format_version": "1.2", "resource_changes": [',
    "shell": "echo 'unterminated\n",
    "github-actions": "jobs: [\n",
    "gitlab-ci": "deploy: [\n",
    "makefile": None,
    "python": 'import os\n\ndef wipe():\n    os.system("ls") +\n',
    "justfile": None,  # read line by line, as `just` reads it: no line stops the reading
    "dockerfile": None,  # likewise; a list that is not JSON is the shell form, as the builder reads it
}
# Hosts of commands whose unreadable text leaves what they run unknown: reported as not checked (BG005).
NOT_CHECKED = {
    "package-json": '{"scripts": {"clean": "rm -rf dist",}}\n',
    "taskfile": "tasks:\n  clean: [\n",
    "docker-compose": "services:\n  db: {command: [\n",
    "kubernetes": "apiVersion: v1\nkind: Pod\nspec: [\n",
    "database-access": "not json\n",
    "circleci": "jobs: [\n",
    "azure-pipelines": "steps: [\n",
    "bitbucket-pipelines": "pipelines: [\n",
    "jenkinsfile": "pipeline { stages { stage('x') { steps { sh 'rm -rf \n",
    "ansible": "- hosts: all\n  tasks: [\n",
    "tox": "[testenv\ncommands = pytest\n",
}


def test_every_registered_language_is_covered():
    assert set(BROKEN) | set(NOT_CHECKED) == set(FRONTENDS) and not set(BROKEN) & set(NOT_CHECKED)


@pytest.mark.parametrize("language", sorted(FRONTENDS))
def test_a_frontend_parses_into_a_document(language):
    frontend_type = frontend_class(language)
    assert issubclass(frontend_type, Frontend) and frontend_type.language == language
    frontend = frontend_type.from_config(Config())
    document = frontend.parse(Source("example", "", language, Context()), None)
    assert isinstance(document, Document) and isinstance(document.children(), list)
    assert all(isinstance(problem, Problem) for problem in [*document.problems, *document.unchecked])


@pytest.mark.parametrize("language", sorted(k for k, v in BROKEN.items() if v is not None))
def test_what_a_frontend_cannot_read_is_a_problem_record(language):
    frontend = frontend_class(language).from_config(Config())
    document = frontend.parse(Source("example", BROKEN[language], language, Context()), None)
    assert document.problems, f"{language}: {BROKEN[language]!r} should not parse cleanly"
    for problem in document.problems:
        assert isinstance(problem, Problem) and problem.message.endswith(".")
        assert 0 <= problem.start <= problem.end


@pytest.mark.parametrize("language", sorted(NOT_CHECKED))
def test_a_host_that_cannot_be_read_is_an_unchecked_problem_record(language):
    frontend = frontend_class(language).from_config(Config())
    document = frontend.parse(Source("example", NOT_CHECKED[language], language, Context()), None)
    assert document.unchecked and document.children() == []
    for part in document.unchecked:
        assert isinstance(part, Problem) and 0 <= part.start < part.end <= len(NOT_CHECKED[language])


def test_a_statement_too_deep_to_parse_is_an_unchecked_problem_record():
    text = "import os\nos.system(" + "(" * 3000 + ")" * 3000 + ")\n"
    frontend = frontend_class("python").from_config(Config())
    document = frontend.parse(Source("example.py", text, "python", Context()), None)
    assert document.unchecked and all(isinstance(part, Problem) for part in document.unchecked)


def test_the_document_base_holds_the_shared_fields():
    from blastguard.textindex import LineIndex

    source = Source("example", "", "sql", Context())
    document = Document(source=source, index=LineIndex(""))
    assert (document.comments, document.problems, document.unchecked, document.children()) == ([], [], [], [])
    assert Problem(1, 2, "Broken.") == Problem(1, 2, "Broken.") and Problem(1, 2, "Broken.").message == "Broken."


def test_each_file_name_and_extension_is_claimed_by_one_language():
    from blastguard.registry import LANGUAGES

    for kind in ("extensions", "filenames"):
        claimed = [value for language in LANGUAGES.values() for value in getattr(language, kind)]
        assert len(claimed) == len(set(claimed)), f"{kind} claimed twice: {sorted(claimed)}"


@pytest.mark.parametrize(
    "name, language",
    [
        ("migrations/0042_drop.sql", "sql"),
        ("infra/main.tf", "terraform"),
        ("infra/prod.tfvars", "terraform-vars"),
        ("infra/prod.tfvars.json", "terraform-vars"),
        ("deploy/run.sh", "shell"),
        ("tools/cleanup.py", "python"),
        ("Makefile", "makefile"),
        ("ci/release.mk", "makefile"),
        (".github/workflows/deploy.yml", "github-actions"),
        (".gitlab-ci.yml", "gitlab-ci"),
        ("ci/deploy.gitlab-ci.yml", "gitlab-ci"),
        ("home/dev/.bashrc", "shell"),
        (".git/hooks/pre-push", "shell"),
        ("web/package.json", "package-json"),
        ("justfile", "justfile"),
        ("Taskfile.yml", "taskfile"),
        ("docker/api.Dockerfile", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("deploy/docker-compose.prod.yml", "docker-compose"),
        ("k8s/job.yaml", None),  # a manifest only by its content
        ("notes.txt", None),
        ("config.yml", None),
        ("plan.json", None),
    ],
)
def test_the_registry_decides_a_files_language_by_its_name(name, language):
    from blastguard.sources import language_for_name

    assert language_for_name(name) == language
