"""Files that hold commands for an application: package.json scripts, justfiles, Taskfiles, Dockerfiles,
compose files and Kubernetes manifests. Each command is checked by the shell (or Python) rules and its
findings land on the file's own line and column; a production context raises them; a file that cannot
be read is reported as not checked, never passed as clean. Nothing here is ever run."""

import json

import pytest

from blastguard.api import check_text
from blastguard.model import Severity
from blastguard.sources import detect_language
from hook_calls import call

# (file name, text, the findings: rule, line, column, end line, end column)
DESTRUCTIVE = [
    (
        "package.json",
        '{\n  "name": "shop",\n  "scripts": {\n    "build": "tsc -p .",\n    "nuke": "rm -rf / --no-preserve-root"\n  }\n}\n',
        [("SH301", 5, 14, 5, 41)],
    ),
    (  # an escaped quote is one character written in two: the span still ends on the file's own quote
        "web/package.json",
        '{"scripts": {"wipe": "echo bye && rm -rf \\"$HOME\\""}}',
        [("SH301", 1, 35, 1, 51)],
    ),
    (
        "justfile",
        'set shell := ["bash", "-uc"]\n\n# data\nreset db="app":\n    @echo "dropping {{db}}"\n    -rm -rf /var/lib/mysql\n',
        [("SH301", 6, 6, 6, 27)],
    ),
    (  # a shebang recipe is a script for its interpreter: here Python
        "Justfile",
        'purge:\n    #!/usr/bin/env python3\n    import shutil\n    shutil.rmtree("/")\n',
        [("PY301", 4, 5, 4, 23)],
    ),
    (  # `[script("python3")]` makes the body one Python script
        ".justfile",
        '[private]\n[script("python3")]\npurge:\n    import shutil\n    shutil.rmtree("/srv")\n',
        [("PY301", 5, 5, 5, 26)],
    ),
    (
        "Taskfile.yml",
        "version: '3'\ntasks:\n  clean:\n    cmds:\n      - rm -rf {{.BUILD}}\n      - cmd: rm -rf ~/\n",
        [("SH301", 6, 14, 6, 23)],
    ),
    (
        "Dockerfile",
        "FROM debian:12\nRUN apt-get update \\\n    # tools\n    && rm -rf /var/lib/mysql\n",
        [("SH301", 4, 8, 4, 29)],
    ),
    (  # the exec form: the words are the command, and `sh -c` hands its script to the shell
        "api.Dockerfile",
        'FROM alpine\nRUN ["rm", "-rf", "/"]\nRUN ["sh", "-c", "rm -rf /home/*"]\n',
        [("SH301", 2, 7, 2, 21), ("SH301", 3, 19, 3, 33)],
    ),
    (  # an indented instruction, and one that runs in the builds of images made from this one
        "Dockerfile.base",
        "FROM alpine\n  run rm -rf /srv\nONBUILD RUN rm -rf /etc\n",
        [("SH301", 2, 7, 2, 18), ("SH301", 3, 13, 3, 24)],
    ),
    (  # a heredoc is a script of its own
        "Containerfile",
        "FROM alpine\nRUN <<EOF\nset -e\nrm -rf /etc\nEOF\n",
        [("SH301", 4, 1, 4, 12)],
    ),
    (
        "docker-compose.yml",
        'services:\n  db:\n    image: postgres\n    command: ["sh", "-c", "rm -rf /var/lib/postgresql/data && postgres"]\n',
        [("SH301", 4, 28, 4, 59)],
    ),
    (
        "compose.yaml",
        "services:\n  worker:\n    entrypoint: [rm, -rf]\n    command: [/]\n",
        [("SH301", 3, 18, 4, 16)],
    ),
    (
        "k8s/job.yaml",
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: wipe\nspec:\n  template:\n    spec:\n"
        "      initContainers:\n        - name: clean\n          command: [/bin/sh, -c]\n"
        "          args:\n            - rm -rf /var/lib/mysql\n",
        [("SH301", 12, 15, 12, 36)],
    ),
    (  # multi-document, Helm-rendered; a CronJob's pod template is under its job template
        "rendered.yaml",
        "---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n"
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: purge\nspec:\n  schedule: '0 0 * * *'\n"
        "  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n"
        '            - name: purge\n              command: ["rm", "-rf", "/"]\n',
        [("SH301", 20, 26, 20, 40)],
    ),
]


def _found(text: str, filename: str):
    return [
        (f.rule_id, f.region.start_line, f.region.start_column, f.region.end_line, f.region.end_column)
        for f in check_text(text, filename=filename)
    ]


@pytest.mark.parametrize(("filename", "text", "expected"), DESTRUCTIVE, ids=[c[0] for c in DESTRUCTIVE])
def test_a_destructive_command_is_found_at_its_place_in_the_host(filename, text, expected):
    assert _found(text, filename) == expected


# Everyday files of each kind: nothing in them destroys data.
CLEAN = [
    (
        "package.json",
        json.dumps(
            {
                "scripts": {
                    "clean": "rm -rf dist node_modules/.cache coverage",
                    "prebuild": "rimraf build",
                    "test": "jest --coverage",
                    "deploy:prod": "aws s3 sync build s3://shop-site --delete --dryrun",
                },
                "devDependencies": {"rimraf": "^5.0.0"},
            },
            indent=2,
        ),
    ),
    ("justfile", "clean:\n    rm -rf target dist\n\ntest *args:\n    cargo test {{args}}\n"),
    ("justfile", 'set shell := ["pwsh", "-c"]\n\nwipe:\n    Remove-Item -Recurse C:\\\n'),  # not a shell it reads
    ("justfile", '[script("ruby")]\nwipe:\n    FileUtils.rm_rf("/srv")\n'),  # Ruby is not read
    ("Taskfile.yaml", "version: '3'\ntasks:\n  clean:\n    cmds:\n      - rm -rf {{.BUILD_DIR}}\n      - task: lint\n"),
    (
        "Dockerfile",
        "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\nRUN rm -rf /tmp/* /var/tmp/* /root/.cache\n"
        'ENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["postgres"]\n',
    ),
    ("Dockerfile", "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN rmdir /s /q C:\\temp\n"),
    (
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres\n    healthcheck:\n"
        '      test: ["CMD-SHELL", "pg_isready -U $$POSTGRES_USER"]\n  web:\n    command: npm start\n',
    ),
    (
        "deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: web\n          command: [sh, -c, 'rm -rf /tmp/cache && exec node server.js']\n",
    ),
]


@pytest.mark.parametrize(("filename", "text"), CLEAN, ids=[c[0] for c in CLEAN])
def test_an_everyday_host_file_stays_clean(filename, text):
    assert _found(text, filename) == []


# The same warning-level command (a recursive S3 delete) in a host that says it runs in production.
PRODUCTION = [
    ("package.json", '{"scripts": {"%s": "aws s3 rm s3://shop-logs --recursive"}}', ("purge", "purge:prod")),
    ("justfile", "%s:\n    aws s3 rm s3://shop-logs --recursive\n", ("purge", "purge-production")),
    ("Taskfile.yml", "tasks:\n  '%s':\n    cmds: [aws s3 rm s3://shop-logs --recursive]\n", ("purge", "purge:prod")),
    ("%s", "FROM amazon/aws-cli\nRUN aws s3 rm s3://shop-logs --recursive\n", ("Dockerfile", "Dockerfile.prod")),
    (
        "%s",
        "services:\n  purge:\n    command: aws s3 rm s3://shop-logs --recursive\n",
        ("docker-compose.yml", "docker-compose.prod.yml"),
    ),
    (
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: purge\n  namespace: %s\nspec:\n  containers:\n"
        "    - name: purge\n      command: [aws, s3, rm, s3://shop-logs, --recursive]\n",
        ("shop-staging", "shop-prod"),
    ),
]


@pytest.mark.parametrize(("filename", "text", "names"), PRODUCTION, ids=[c[0] for c in PRODUCTION])
def test_a_production_context_raises_the_finding(filename, text, names):
    def check(name):
        return check_text(text.replace("%s", name), filename=filename.replace("%s", name))

    (plain,), (production,) = check(names[0]), check(names[1])
    assert (plain.rule_id, plain.severity) == ("SH501", Severity.WARNING)
    assert (production.rule_id, production.severity) == ("SH501", Severity.ERROR)
    assert "looks like production" in production.message


# A host that cannot be read: what it runs is unknown, reported as not checked (BG005) where reading stopped.
MALFORMED = [
    ("package.json", '{\n  "scripts": {\n    "wipe": "rm -rf /",\n  }\n}\n', 4),
    # an unclosed list: reading stops at the end of the file
    ("Taskfile.yml", "tasks:\n  wipe:\n    cmds: [rm -rf /\n", 3),
    ("docker-compose.yml", "services:\n  db:\n    command: [rm, -rf, /\n", 3),
    ("job.yaml", "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{command: [rm, -rf, /]\n", 4),
]


@pytest.mark.parametrize(("filename", "text", "line"), MALFORMED, ids=[c[0] for c in MALFORMED])
def test_a_host_that_cannot_be_parsed_is_reported_as_not_checked(filename, text, line):
    (finding,) = check_text(text, filename=filename)
    assert (finding.rule_id, finding.severity, finding.region.start_line) == ("BG005", Severity.WARNING, line)
    assert "could not be parsed" in finding.message


def test_an_empty_host_file_runs_nothing():
    for name in ("package.json", "justfile", "Taskfile.yml", "Dockerfile", "compose.yaml"):
        assert check_text("", filename=name) == [] and check_text("\n", filename=name) == []


@pytest.mark.parametrize(
    ("name", "text", "language"),
    [
        ("k8s/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n", "kubernetes"),
        ("out.yml", "---\n# Source: chart/templates/job.yaml\napiVersion: batch/v1\nkind: Job\n", "kubernetes"),
        (
            ".github/ISSUE_TEMPLATE/bug.yml",
            "name: Bug report\ndescription: File a bug\nbody:\n  - type: textarea\n",
            None,
        ),
        ("openapi.yaml", "openapi: 3.0.3\ninfo:\n  title: Shop API\n  version: 1.0.0\npaths: {}\n", None),
        ("chart/Chart.yaml", "apiVersion: v2\nname: shop\nversion: 0.1.0\n", None),  # Helm's chart file: no kind
        ("mkdocs.yml", "site_name: Shop\nnav:\n  - kind: guide\n    apiVersion: v1\n", None),  # not top level
        (  # a Helm template is not YAML until it is rendered
            "chart/templates/job.yaml",
            'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ include "shop.fullname" . }}\n',
            None,
        ),
        ("config.yaml", "kind: config\napiVersion: 2\n", None),
    ],
)
def test_only_yaml_whose_content_is_a_kubernetes_object_is_read_as_a_manifest(name, text, language):
    assert detect_language(name, text) == language


def test_an_agent_writing_a_package_json_whose_script_destroys_data_is_denied(project, tmp_path):
    destructive = json.dumps({"name": "shop", "scripts": {"postinstall": "rm -rf /"}}, indent=2)
    answer = call("Write", {"file_path": str(project / "package.json"), "content": destructive}, project, tmp_path)
    assert answer.decision == "deny" and "SH301" in answer.reason
    everyday = json.dumps({"name": "shop", "scripts": {"clean": "rm -rf dist", "test": "jest"}}, indent=2)
    answer = call("Write", {"file_path": str(project / "package.json"), "content": everyday}, project, tmp_path)
    assert answer.decision == "allow"


def test_an_agent_editing_a_dockerfile_into_a_destructive_one_is_denied(project, tmp_path):
    dockerfile = project / "Dockerfile"
    dockerfile.write_text("FROM debian:12\nRUN rm -rf /var/lib/apt/lists/*\n", encoding="utf-8")
    edit = {"file_path": str(dockerfile), "old_string": "/var/lib/apt/lists/*", "new_string": "/var/lib/mysql"}
    assert call("Edit", edit, project, tmp_path).decision == "deny"
    harmless = {"file_path": str(dockerfile), "old_string": "/var/lib/apt/lists/*", "new_string": "/tmp/build"}
    assert call("Edit", harmless, project, tmp_path).decision == "allow"


@pytest.mark.parametrize(("filename", "text", "expected"), DESTRUCTIVE, ids=[c[0] for c in DESTRUCTIVE])
def test_each_character_of_a_hosted_command_maps_back_in_order(filename, text, expected):
    """Every character a host hands over comes from the file, in the file's order, so a finding's span
    can always be drawn on the file."""
    from blastguard.registry import frontend_class
    from blastguard.sources import Source

    language = detect_language(filename, text)
    children = frontend_class(language)().parse(Source(filename, text, language)).children()
    assert children
    for child in children:
        assert child.anchor is None and len(child.offsets) == len(child.source.text) + 1
        assert all(0 <= a <= b <= len(text) for a, b in zip(child.offsets, child.offsets[1:]))
        plain = [i for i, ch in enumerate(child.source.text) if ch != "X" and text[child.offsets[i]] == ch]
        # a character stands for itself, or for what the host spells it with (a quote, an escape, a blank)
        assert all(
            text[child.offsets[i]] in (ch, '"', "\\", ",", "'", "\n", " ") or ch in " \n"
            for i, ch in enumerate(child.source.text)
            if ch != "X"
        ), child.source.text
        assert plain
