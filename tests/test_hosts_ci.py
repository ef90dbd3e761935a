"""Files that hold commands for CI systems, Jenkins, Ansible, tox and nox: each command is found at its
exact place in the host file, a look-alike stays clean, the host's production context raises, and a
file that cannot be read is said to be not checked. Nothing here is run; the files are data."""

from __future__ import annotations

import json

import pytest
from test_hook_everyday import hook_in_process, project  # noqa: F401  (the shared project fixture)

from blastguard.config import Config
from blastguard.engine import Engine
from blastguard.sources import Source, detect_language
from hook_calls import claude


def _check(name: str, text: str, tmp_path):
    language = detect_language(name, text)
    assert language is not None, name
    return Engine(Config(), str(tmp_path)).check_source(Source(name, text, language))


def _found(name: str, text: str, tmp_path) -> list[tuple[str, str, int, int, int, int]]:
    findings, _ = _check(name, text, tmp_path)
    return [
        (
            f.rule_id,
            f.severity.label,
            f.region.start_line,
            f.region.start_column,
            f.region.end_line,
            f.region.end_column,
        )
        for f in findings
    ]


def _not_checked(name: str, text: str, tmp_path) -> bool:
    """Whether the file is reported as not checked (BG005), which fails a CI run and makes the hook ask."""
    findings, _ = _check(name, text, tmp_path)
    return [f.rule_id for f in findings] == ["BG005"]


@pytest.mark.parametrize(
    ("name", "language"),
    [
        (".circleci/config.yml", "circleci"),
        ("azure-pipelines.yml", "azure-pipelines"),
        ("azure-pipelines-release.yaml", "azure-pipelines"),
        ("ci/.azure-pipelines/deploy.yml", "azure-pipelines"),
        ("bitbucket-pipelines.yml", "bitbucket-pipelines"),
        ("Jenkinsfile", "jenkinsfile"),
        ("ci/Jenkinsfile.release", "jenkinsfile"),
        ("deploy.jenkinsfile", "jenkinsfile"),
        ("playbook.yml", "ansible"),
        ("playbook-db.yaml", "ansible"),
        ("site.yml", "ansible"),
        ("playbooks/upgrade.yml", "ansible"),
        ("roles/db/tasks/main.yml", "ansible"),
        ("roles/db/handlers/main.yml", "ansible"),
        ("tox.ini", "tox"),
        ("noxfile.py", "python"),
    ],
)
def test_each_host_is_claimed_by_its_name(name, language):
    assert detect_language(name, "") == language


@pytest.mark.parametrize("name", ["config.yml", "pipelines.yml", "tasks.yml", "mkdocs.yml", "setup.cfg", "jenkins.md"])
def test_ordinary_files_are_not_claimed(name):
    assert detect_language(name, "") is None


# --- CircleCI ------------------------------------------------------------------------------------------

CIRCLECI = """version: 2.1
commands:
  wipe:
    steps:
      - run: rm -rf << parameters.dir >>
      - run: dropdb << pipeline.parameters.db >>
jobs:
  deploy:
    environment:
      TF_IN_AUTOMATION: "1"
    steps:
      - run: terraform plan -destroy
      - run:
          name: teardown
          command: |
            terraform init
            terraform state rm aws_db_instance.main
workflows:
  release:
    jobs:
      - deploy:
          context: [aws-production]
"""


def test_circleci_run_steps_and_commands(tmp_path):
    assert _found(".circleci/config.yml", CIRCLECI, tmp_path) == [
        ("SH201", "error", 6, 14, 6, 49),  # `<< … >>` is one plain word: a named database
        ("SH102", "error", 17, 13, 17, 52),  # a warning, raised by the production context
    ]
    staging = CIRCLECI.replace("aws-production", "aws-staging")
    assert ("SH102", "warning", 17, 13, 17, 52) in _found(".circleci/config.yml", staging, tmp_path)


def test_circleci_conditional_steps_and_a_workflows_extra_steps(tmp_path):
    text = (
        "version: 2.1\njobs:\n  b:\n    steps:\n      - when:\n          condition: true\n          steps:\n"
        "            - run: dropdb orders\nworkflows:\n  w:\n    jobs:\n      - b:\n          context: prod\n"
        "          post-steps:\n            - run: terraform state rm a.b\n"
    )
    assert _found(".circleci/config.yml", text, tmp_path) == [
        ("SH201", "error", 8, 20, 8, 33),
        ("SH102", "error", 15, 20, 15, 42),  # runs where the job runs: in the production context
    ]


def test_circleci_look_alikes_stay_clean(tmp_path):
    text = "version: 2.1\njobs:\n  b:\n    steps:\n      - run: terraform plan -destroy\n      - run: rm -rf build\n"
    assert _found(".circleci/config.yml", text, tmp_path) == []


def test_circleci_that_is_not_yaml_is_not_checked(tmp_path):
    assert _not_checked(".circleci/config.yml", "jobs: [\n", tmp_path)


# --- Azure Pipelines -------------------------------------------------------------------------------------

AZURE = """stages:
  - stage: Release
    jobs:
      - job: Prepare
        steps:
          - script: rm -rf $(Build.SourcesDirectory)/out
          - pwsh: terraform destroy -auto-approve
      - deployment: Database
        environment:
          name: production
        strategy:
          runOnce:
            deploy:
              steps:
                - bash: terraform state rm ${{ parameters.address }}
                - task: Bash@3
                  inputs:
                    targetType: inline
                    script: dropdb $[ variables.db ]
"""


def test_azure_script_bash_and_deployment_steps(tmp_path):
    assert _found("azure-pipelines.yml", AZURE, tmp_path) == [
        ("SH102", "error", 15, 25, 15, 69),  # raised: the deployment job's environment is production
        ("SH201", "error", 19, 29, 19, 53),
    ]


def test_azure_look_alikes_stay_clean(tmp_path):
    text = "steps:\n  - script: terraform plan -destroy\n  - powershell: Remove-Item -Recurse C:\\\n"
    assert _found("azure-pipelines.yml", text, tmp_path) == []
    staging = AZURE.replace("name: production", "name: staging")
    assert ("SH102", "warning", 15, 25, 15, 69) in _found("azure-pipelines.yml", staging, tmp_path)


def test_azure_that_is_not_yaml_is_not_checked(tmp_path):
    assert _not_checked("azure-pipelines.yml", "steps:\n  - script: 'unclosed\n", tmp_path)


# --- Bitbucket Pipelines ---------------------------------------------------------------------------------

BITBUCKET = """definitions:
  steps:
    - step: &forget
        name: Forget the database
        script:
          - terraform state rm aws_db_instance.main
pipelines:
  default:
    - parallel:
        - step:
            script:
              - pytest
            after-script:
              - dropdb scratch
  branches:
    main:
      - step:
          <<: *forget
          deployment: production
    develop:
      - step: *forget
"""


def test_bitbucket_scripts_parallel_and_deployment(tmp_path):
    assert _found("bitbucket-pipelines.yml", BITBUCKET, tmp_path) == [
        # the shared step, read once, where it is most dangerous: under the production deployment
        ("SH102", "error", 6, 13, 6, 52),
        ("SH201", "error", 14, 17, 14, 31),
    ]
    staging = BITBUCKET.replace("deployment: production", "deployment: staging")
    assert _found("bitbucket-pipelines.yml", staging, tmp_path)[0] == ("SH102", "warning", 6, 13, 6, 52)


def test_bitbucket_look_alikes_stay_clean(tmp_path):
    text = "pipelines:\n  default:\n    - step:\n        script:\n          - rm -rf node_modules\n          - pipe: atlassian/aws-s3-deploy:1.1.0\n"
    assert _found("bitbucket-pipelines.yml", text, tmp_path) == []


def test_bitbucket_that_is_not_yaml_is_not_checked(tmp_path):
    assert _not_checked("bitbucket-pipelines.yml", "pipelines: {default: [\n", tmp_path)


# --- Jenkinsfile ------------------------------------------------------------------------------------------

JENKINSFILE = """pipeline {
  agent any
  stages {
    stage('Build') {
      steps {
        // sh 'dropdb orders' is only a comment
        /* sh "terraform destroy -auto-approve" */
        sh 'echo "sh \\'dropdb x\\'"'
        sh "make build TAG=${env.GIT_COMMIT}"
        sh(script: 'terraform state rm aws_db_instance.main', returnStdout: true)
      }
    }
    stage('Deploy production') {
      environment {
        TARGET = 'blue'
      }
      steps {
        sh label: 'forget', script: \"\"\"
          terraform init
          terraform state rm ${params.ADDRESS}
        \"\"\".stripIndent()
        sh '''dropdb --if-exists orders'''
      }
    }
  }
}
"""


def test_jenkinsfile_sh_steps_in_every_quote_form(tmp_path):
    assert _found("Jenkinsfile", JENKINSFILE, tmp_path) == [
        ("SH102", "warning", 10, 21, 10, 60),  # stage Build: not production
        ("SH102", "error", 20, 11, 20, 47),  # `${…}` is one plain word; the stage is production
        ("SH201", "error", 22, 15, 22, 40),
    ]


def test_jenkinsfile_stage_and_environment_are_context():
    from blastguard.frontends.jenkinsfile import JenkinsfileFrontend

    children = JenkinsfileFrontend().parse(Source("Jenkinsfile", JENKINSFILE, "jenkinsfile")).children()
    assert [c.source.text.strip().split("\n")[0] for c in children] == [
        "echo \"sh 'dropdb x'\"",
        "make build TAG=XXXXXXXXXXXXXXXXX",
        "terraform state rm aws_db_instance.main",
        "terraform init",
        "dropdb --if-exists orders",
    ]
    deploy = children[3].source.context
    assert deploy.production == ("stage 'Deploy production'",) and deploy.env == {"TARGET": "blue"}
    assert children[0].source.context.production == () and children[0].source.context.env == {}
    # each character maps back to where it is written; an escaped quote to its backslash
    assert "".join(JENKINSFILE[o] for o in children[2].offsets[:-1]) == "terraform state rm aws_db_instance.main"
    assert "".join(JENKINSFILE[o] for o in children[0].offsets[:-1]) == 'echo "sh \\dropdb x\\"'


def test_jenkinsfile_environment_named_production_raises(tmp_path):
    text = "pipeline {\n  environment {\n    DEPLOY_ENV = 'production'\n  }\n  stages {\n    stage('x') {\n      steps {\n        sh 'terraform state rm a.b'\n      }\n    }\n  }\n}\n"
    assert _found("Jenkinsfile", text, tmp_path) == [("SH102", "error", 8, 13, 8, 35)]


def test_jenkinsfile_environment_values_only_the_run_knows_are_skipped():
    from blastguard.frontends.jenkinsfile import JenkinsfileFrontend

    text = (
        "pipeline {\n  environment {\n    AWS = credentials('aws-key')\n    TAG = \"v${BUILD_ID}\"\n"
        "    STAGE = 'prod'\n  }\n  stages { stage('x') { steps { sh 'make' } } }\n}\n"
    )
    [child] = JenkinsfileFrontend().parse(Source("Jenkinsfile", text, "jenkinsfile")).children()
    assert child.source.context.env == {"STAGE": "prod"}
    assert child.source.context.production == ("environment sets STAGE = 'prod'",)


def test_jenkinsfile_script_that_is_not_a_literal_is_not_checked(tmp_path):
    for step in ["sh cmd", "sh 'terraform ' + action", "sh(script: command, returnStdout: true)"]:
        text = f"node {{\n  {step}\n}}\n"
        findings, _ = _check("Jenkinsfile", text, tmp_path)
        assert [(f.rule_id, f.region.start_line, f.region.start_column) for f in findings] == [("BG005", 2, 3)], step


def test_jenkinsfile_that_cannot_be_scanned_is_not_checked(tmp_path):
    assert _not_checked("Jenkinsfile", "node {\n  sh 'terraform destroy\n}\n", tmp_path)
    assert _not_checked("Jenkinsfile", "node {\n  /* sh 'x'\n}\n", tmp_path)


def test_jenkinsfile_look_alikes_stay_clean(tmp_path):
    text = (
        "def sh = null\nnode {\n  echo 'sh \"terraform destroy -auto-approve\"'\n  sh 'terraform plan -destroy'\n"
        "  bat 'rmdir /s /q C:\\\\data'\n  this.steps.sh 'make clean'\n}\n"
    )
    assert _found("Jenkinsfile", text, tmp_path) == []


# --- Ansible ---------------------------------------------------------------------------------------------

PLAYBOOK = """- hosts: prod:&db
  environment:
    PGHOST: db1
  tasks:
    - name: read
      ansible.builtin.command: psql -c "SELECT 1"
    - name: forget
      shell:
        cmd: terraform state rm aws_db_instance.main
    - block:
        - name: drop
          ansible.builtin.command:
            argv: [dropdb, "{{ db_name }}", orders]
        - name: remove data
          file: path=/var/lib/mysql state=absent
    - name: remove a build folder
      ansible.builtin.file:
        path: "{{ app_dir }}/build"
        state: absent
"""


def test_ansible_shell_command_and_file_absent(tmp_path):
    assert _found("site.yml", PLAYBOOK, tmp_path) == [
        ("SH102", "error", 9, 14, 9, 53),  # raised: the play runs on the prod group
        ("SH201", "error", 13, 19, 13, 52),  # a rebuilt argv points at the whole list
        ("SH301", "error", 15, 11, 15, 36),  # `file: state=absent` is `rm -rf` of its path
    ]


def test_ansible_tasks_file_and_look_alikes(tmp_path):
    tasks = "- name: cache\n  file:\n    path: /tmp/cache\n    state: absent\n- raw: dropdb orders\n"
    assert _found("roles/db/tasks/main.yml", tasks, tmp_path) == [("SH201", "error", 5, 8, 5, 21)]
    staging = PLAYBOOK.replace("prod:&db", "staging")
    assert ("SH102", "warning", 9, 14, 9, 53) in _found("site.yml", staging, tmp_path)
    # A list that is neither plays nor tasks of a module it reads is not Ansible: nothing in it is read.
    other = "- name: a\n  value: dropdb orders\n- file: {path: /var/lib/mysql, state: directory}\n"
    assert _found("roles/x/tasks/main.yml", other, tmp_path) == []


def test_ansible_that_is_not_yaml_is_not_checked(tmp_path):
    assert _not_checked("playbook.yml", "- hosts: all\n  tasks: [\n", tmp_path)


# --- tox and nox -----------------------------------------------------------------------------------------

TOX = """[tox]
envlist = py312

[testenv]
commands =
    pytest {posargs:tests}
    - rm -rf {envtmpdir}
# a comment between sections
[testenv:reset-prod]
setenv =
    PGDATABASE = orders
commands_pre = terraform plan
commands =
    -dropdb --if-exists orders  # inline comment
    terraform state rm \\
        aws_db_instance.main
"""


def test_tox_commands(tmp_path):
    assert _found("tox.ini", TOX, tmp_path) == [
        ("SH201", "error", 14, 6, 14, 31),  # after the leading `-`, without the inline comment
        ("SH102", "error", 15, 5, 16, 29),  # raised: the environment's name says production
    ]
    staging = TOX.replace("reset-prod", "reset-dev")
    assert ("SH102", "warning", 15, 5, 16, 29) in _found("tox.ini", staging, tmp_path)


def test_tox_context_and_substitutions():
    from blastguard.frontends.tox_ini import ToxFrontend

    children = ToxFrontend().parse(Source("tox.ini", TOX, "tox")).children()
    assert children[1].source.text == "rm -rf XXXXXXXXXXX"
    assert children[3].source.context.env == {"PGDATABASE": "orders"}


def test_tox_that_cannot_be_read_is_not_checked(tmp_path):
    assert _not_checked("tox.ini", "[testenv\ncommands = dropdb orders\n", tmp_path)
    assert _not_checked("tox.ini", "[testenv]\ncommands = dropdb {env:DB\n", tmp_path)


def test_nox_session_run_is_an_argv(tmp_path):
    text = (
        "import nox\n\n\n@nox.session\ndef reset(session):\n"
        '    session.run("rm", "-rf", "build")\n'
        '    session.run("dropdb", "orders", external=True)\n'
        '    session.run("dropdb orders")\n'  # one word: a program of that name, not a command line
    )
    assert _found("noxfile.py", text, tmp_path) == [("SH201", "error", 7, 18, 7, 34)]
    assert _found("noxfile.py", text.replace("import nox", "import other"), tmp_path) == []


def test_suppressions_are_written_in_each_hosts_comments(tmp_path):
    jenkinsfile = "node {\n  sh 'dropdb scratch' // blastguard: ignore[SH201] rebuilt nightly\n  sh 'dropdb other'\n}\n"
    findings, _ = _check("Jenkinsfile", jenkinsfile, tmp_path)
    assert [(f.region.start_line, f.suppression is not None) for f in findings] == [(2, True), (3, False)]
    tox = "[testenv]\ncommands =\n    dropdb scratch  # blastguard: ignore[SH201] rebuilt nightly\n    dropdb other\n"
    findings, _ = _check("tox.ini", tox, tmp_path)
    assert [(f.region.start_line, f.suppression is not None) for f in findings] == [(3, True), (4, False)]


# --- the agent hook ---------------------------------------------------------------------------------------


def _decision(code: int, text: str) -> str:
    assert code == 0
    return json.loads(text)["hookSpecificOutput"].get("permissionDecision", "allow") if text.strip() else "allow"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "Jenkinsfile",
            "pipeline {\n  stages {\n    stage('x') {\n      steps {\n        sh 'terraform destroy -auto-approve'\n      }\n    }\n  }\n}\n",
            "deny",
        ),
        (
            "Jenkinsfile",
            "pipeline {\n  stages {\n    stage('x') {\n      steps {\n        sh 'make test'\n        sh \"docker build -t app:${env.BUILD_ID} .\"\n      }\n    }\n  }\n}\n",
            "allow",
        ),
        (".circleci/config.yml", "version: 2.1\njobs:\n  t:\n    steps:\n      - run: terraform state rm a.b\n", "ask"),
        ("tox.ini", "[testenv]\ncommands = pytest {posargs}\n", "allow"),
        ("bitbucket-pipelines.yml", "pipelines: {default: [\n", "ask"),  # not checked: a person looks
        ("site.yml", "- hosts: web\n  tasks:\n    - file: {path: /var/lib/postgresql, state: absent}\n", "deny"),
    ],
)
def test_the_hook_checks_a_write_of_a_host_file(name, content, expected, project):  # noqa: F811
    payload = claude("Write", {"file_path": str(project / name), "content": content}, project)
    assert _decision(*hook_in_process(payload, project)) == expected
