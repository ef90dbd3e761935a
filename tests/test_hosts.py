"""Where shell hides: workflows, Makefiles and Terraform provisioners hand exact scripts to the shell pack."""

import pytest

from blastguard.api import check_text
from blastguard.context import Context, Production
from blastguard.frontends.makefile import MakefileFrontend
from blastguard.frontends.terraform.hcl import TerraformFrontend
from blastguard.frontends.workflows import GitHubActionsFrontend, GitLabCIFrontend
from blastguard.sources import Source

WORKFLOW = """name: deploy
on: [push]
env:
  TF_IN_AUTOMATION: "1"
jobs:
  release:
    environment: production
    runs-on: ubuntu-latest
    env:
      TF_WORKSPACE: blue
    steps:
      - uses: actions/checkout@v4
      - run: terraform destroy -auto-approve
      - name: multi
        run: |
          echo "start"
            indented ${{ inputs.args }}
      - run: >
          psql -c "DELETE FROM users"
      - run: "rm -rf \\"$HOME\\""
      - shell: python
        run: print("terraform destroy -auto-approve")
  test:
    environment:
      name: staging
    runs-on: ubuntu-latest
    steps:
      - run: make test
"""


def _children(frontend, text, name):
    return frontend.parse(Source(name, text, frontend.language, Context())).children()


def _mapped(child, text):
    """The host characters each child character came from."""
    return "".join(text[o] for o in child.offsets[:-1])


def test_github_run_steps_map_back_character_by_character():
    children = _children(GitHubActionsFrontend(), WORKFLOW, ".github/workflows/deploy.yml")
    scripts = [(c.source.language, c.source.text) for c in children]
    assert scripts == [
        ("shell", "terraform destroy -auto-approve"),
        ("shell", 'echo "start"\n  indented XXXXXXXXXXXXXXXXXX\n'),  # GitHub expressions become one plain word
        ("shell", 'psql -c "DELETE FROM users"\n'),
        ("shell", 'rm -rf "$HOME"'),
        ("python", 'print("terraform destroy -auto-approve")'),  # `shell: python`: printed, so clean
        ("shell", "make test"),
    ]
    assert _mapped(children[0], WORKFLOW) == "terraform destroy -auto-approve"
    assert _mapped(children[1], WORKFLOW) == 'echo "start"\n  indented ${{ inputs.args }}\n'
    assert _mapped(children[2], WORKFLOW) == 'psql -c "DELETE FROM users"\n'
    # In a quoted scalar each character maps to itself; an escaped quote maps past its backslash.
    assert _mapped(children[3], WORKFLOW) == 'rm -rf "$HOME"'
    assert [c.source.text for c in children if c.anchor] == []


def test_github_job_context_production_and_env():
    children = _children(GitHubActionsFrontend(), WORKFLOW, ".github/workflows/deploy.yml")
    release, test = children[0].source.context, children[-1].source.context
    assert release.production == ("job release deploys to environment 'production'",)
    assert release.env == {"TF_IN_AUTOMATION": "1", "TF_WORKSPACE": "blue"}
    assert test.production == ()


def test_workflow_that_is_not_yaml_is_a_problem_not_a_crash():
    doc = GitHubActionsFrontend().parse(Source("w.yml", "jobs: [unclosed\n", "github-actions", Context()))
    assert doc.children() == [] and "could not be parsed as YAML" in doc.problems[0].message


GITLAB = """variables:
  AWS_PROFILE: ops
stages: [deploy]
default:
  before_script:
    - terraform init
.teardown:
  script:
    - terraform destroy -auto-approve
deploy-prod:
  stage: deploy
  environment:
    name: prd-eu
  script:
    - make deploy
    - |
      psql -c "TRUNCATE audit"
"""


def test_gitlab_scripts_and_context():
    children = _children(GitLabCIFrontend(), GITLAB, ".gitlab-ci.yml")
    assert [c.source.text for c in children] == [
        "terraform init",
        "terraform destroy -auto-approve",
        "make deploy",
        'psql -c "TRUNCATE audit"\n',
    ]
    assert all(_mapped(c, GITLAB) == c.source.text for c in children)
    assert children[-1].source.context.production == ("job deploy-prod deploys to environment 'prd-eu'",)
    assert children[0].source.context.env == {"AWS_PROFILE": "ops"}


MAKEFILE = """TF := terraform
ENV ?= prod

# teardown of the stack
destroy: plan
\t@$(TF) destroy -auto-approve -var env=$(ENV)
\t-rm -rf $$HOME/tmp \\
\t  build
clean:
\trm -rf dist $(wildcard *.o)
"""


def test_makefile_recipes_expand_variables_and_keep_positions():
    children = _children(MakefileFrontend(), MAKEFILE, "Makefile")
    assert [c.source.text for c in children] == [
        "terraform destroy -auto-approve -var env=prod\nrm -rf $HOME/tmp \\\n\t  build\n",
        "rm -rf dist MAKEVALUE\n",
    ]
    destroy = children[0]
    # `terraform` comes from `$(TF)`: its characters point into the reference, the last at its `)`.
    assert "".join(MAKEFILE[o] for o in destroy.offsets[:9]) == "$(TF)))))"
    assert _mapped(destroy, MAKEFILE)[9:31] == " destroy -auto-approve"
    doc = MakefileFrontend().parse(Source("Makefile", MAKEFILE, "makefile", Context()))
    assert [c.body for c in doc.comments] == [" teardown of the stack"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ('command = "terraform destroy -auto-approve"', "terraform destroy -auto-approve"),
        ('command = "echo \\"hi\\" && rm -rf /tmp/x"', 'echo "hi" && rm -rf /tmp/x'),
        ("command = <<-EOT\n      psql -c 'DELETE FROM t'\n    EOT", "psql -c 'DELETE FROM t'\n"),
    ],
)
def test_local_exec_commands(command, expected):
    hcl = f'resource "terraform_data" "x" {{\n  provisioner "local-exec" {{\n    {command}\n  }}\n}}\n'
    (child,) = TerraformFrontend().parse(Source("main.tf", hcl, "terraform", Context())).children()
    assert child.source.text == expected
    assert all(hcl[o] == ch or hcl[o] == "\\" for o, ch in zip(child.offsets, expected))


def test_provisioners_that_run_python_are_read_as_python():
    hcl = (
        'resource "terraform_data" "x" {\n  provisioner "local-exec" {\n    interpreter = ["python3", "-c"]\n'
        "    command = \"import shutil; shutil.rmtree('/')\"\n  }\n}\n"
    )
    [child] = TerraformFrontend().parse(Source("main.tf", hcl, "terraform", Context())).children()
    assert (child.source.language, child.source.text) == ("python", "import shutil; shutil.rmtree('/')")
    [finding] = check_text(hcl, filename="main.tf")
    assert (finding.rule_id, finding.region.start_line, finding.region.start_column) == ("PY301", 4, 31)
    script = hcl.replace('["python3", "-c"]', '["python3"]')  # without -c the command is a file name
    assert TerraformFrontend().parse(Source("main.tf", script, "terraform", Context())).children() == []
    other = hcl.replace('["python3", "-c"]', '["pwsh", "-Command"]')
    assert TerraformFrontend().parse(Source("main.tf", other, "terraform", Context())).children() == []


def test_external_program_and_remote_exec():
    hcl = (
        'data "external" "a" {\n  program = ["bash", "-c", "terraform state rm aws_db_instance.x"]\n}\n'
        'data "external" "b" {\n  program = ["terraform", "destroy", "-auto-approve"]\n}\n'
        'resource "terraform_data" "r" {\n  provisioner "remote-exec" {\n    inline = ["dropdb orders", "echo ok"]\n  }\n}\n'
    )
    children = TerraformFrontend().parse(Source("main.tf", hcl, "terraform", Context())).children()
    assert [c.source.text for c in children] == [
        "terraform state rm aws_db_instance.x",
        "terraform destroy -auto-approve",
        "dropdb orders",
        "echo ok",
    ]
    assert children[1].anchor is not None and children[0].anchor is None


def test_children_carry_the_module_production_context():
    hcl = (
        'provider "aws" {\n  profile = "live-admin"\n}\nresource "terraform_data" "x" {\n'
        '  provisioner "local-exec" {\n    command = "make clean"\n  }\n}\n'
    )
    source = Source("main.tf", hcl, "terraform", Context(names=Production()))
    (child,) = TerraformFrontend().parse(source).children()
    assert child.source.context.production == ('provider aws profile = "live-admin"',)
