"""Terraform values written away from the setting that reads them: variable defaults in another file of
the module, `.tfvars` / `.tfvars.json` files, a local module's inputs, locals and `for_each` maps. Each
is reported where the value is written, with a message naming the setting it feeds."""

from conftest import json_out, run_cli
from hook_calls import call

MAIN_TF = """resource "aws_db_instance" "orders" {
  identifier          = "orders"
  deletion_protection = var.deletion_protection
  skip_final_snapshot = var.skip_final_snapshot
  multi_az            = var.multi_az
}
"""

VARIABLES_TF = """variable "deletion_protection" {
  type    = bool
  default = false
}

variable "skip_final_snapshot" {
  type = bool
}

variable "multi_az" {
  default = false
}
"""


def reported(folder, *paths):
    result = run_cli("check", *(paths or (".",)), "--format", "json", cwd=folder)
    assert result.returncode in (0, 1), result.stderr
    return [
        (
            f["path"],
            f["region"]["start_line"],
            f["region"]["start_column"],
            f["region"]["end_column"],
            f["rule_id"],
            f["severity"],
            f["message"],
        )
        for f in json_out(result)["findings"]
    ]


def brief(findings):
    return [f[:6] for f in findings]


def test_a_default_in_another_file_is_reported_at_the_default(project):
    (project / "main.tf").write_text(MAIN_TF)
    (project / "variables.tf").write_text(VARIABLES_TF)
    found = reported(project)
    # The default is where a user fixes it; skip_final_snapshot has no default (unknown), multi_az is no
    # protection.
    assert brief(found) == [("variables.tf", 3, 3, 18, "TF101", "error")]
    assert (
        "The value is the default of variable `deletion_protection`, which `deletion_protection` of "
        "aws_db_instance.orders reads (main.tf line 3)." in found[0][6]
    )
    # Checking main.tf alone reports the same finding nowhere else: it is variables.tf's.
    assert reported(project, "main.tf") == []


def test_a_default_that_protects_is_clean(project):
    (project / "main.tf").write_text(MAIN_TF)
    (project / "variables.tf").write_text(
        VARIABLES_TF.replace("default = false\n}\n\nvariable", "default = true\n}\n\nvariable")
    )
    assert reported(project) == []


def test_a_tfvars_value_is_reported_in_the_tfvars_file(project):
    (project / "main.tf").write_text(MAIN_TF)
    (project / "variables.tf").write_text(VARIABLES_TF)
    (project / "prod.tfvars").write_text(
        '# Production\nenvironment         = "production"\ndeletion_protection = true\n'
        "skip_final_snapshot = true\nmulti_az            = false\n"
    )
    found = reported(project)
    # prod.tfvars sets deletion_protection, so the false default is not what deploys: only the
    # snapshot setting it switches off is reported, at its line, and the environment is noted.
    assert brief(found) == [
        ("prod.tfvars", 2, 1, 35, "TF107", "note"),
        ("prod.tfvars", 4, 1, 27, "TF102", "error"),
    ]
    message = found[1][6]
    assert "The value is set in prod.tfvars, which `skip_final_snapshot` of aws_db_instance.orders reads" in message
    assert "(main.tf line 4)" in message and "variables file prod.tfvars" in message


def test_a_tfvars_file_named_for_production_raises_a_warning(project):
    (project / "main.tf").write_text('resource "aws_lb" "api" {\n  enable_deletion_protection = var.protect\n}\n')
    (project / "variables.tf").write_text('variable "protect" {\n  default = true\n}\n')
    (project / "dev.tfvars").write_text("protect = false\n")
    (project / "eu-prod.tfvars").write_text("protect = false\n")
    found = {f[0]: f for f in reported(project)}
    assert found["dev.tfvars"][:6] == ("dev.tfvars", 1, 1, 16, "TF101", "warning")
    assert found["eu-prod.tfvars"][:6] == ("eu-prod.tfvars", 1, 1, 16, "TF101", "error")
    assert "The target looks like production (variables file eu-prod.tfvars)" in found["eu-prod.tfvars"][6]


def test_tfvars_json_values_keep_their_positions(project):
    (project / "main.tf").write_text(MAIN_TF)
    (project / "variables.tf").write_text(
        VARIABLES_TF.replace("default = false\n}\n\nvariable", "default = true\n}\n\nvariable")
    )
    (project / "staging.tfvars.json").write_text(
        '{\n  "multi_az": false,\n  "deletion_protection": false,\n  "skip_final_snapshot": false\n}\n'
    )
    assert brief(reported(project)) == [("staging.tfvars.json", 3, 3, 31, "TF101", "error")]


def test_a_tfvars_value_for_a_variable_that_feeds_no_protection_is_clean(project):
    (project / "main.tf").write_text(MAIN_TF)
    (project / "variables.tf").write_text(
        VARIABLES_TF.replace("default = false\n}\n\nvariable", "default = true\n}\n\nvariable")
    )
    (project / "terraform.tfvars").write_text('multi_az = false\nunknown_variable = false\nname = "x"\n')
    assert reported(project) == []


def test_a_broken_tfvars_file_is_a_parse_problem_not_a_crash(project):
    (project / "main.tf").write_text(MAIN_TF)
    (project / "bad.tfvars").write_text("deletion_protection = \n")
    (project / "bad.tfvars.json").write_text('{"deletion_protection": false,')
    result = run_cli("check", ".", "--format", "json", cwd=project)
    assert result.returncode in (0, 1)
    assert {n["path"] for n in json_out(result)["notifications"] if n["kind"] == "parse-error"} == {
        "bad.tfvars",
        "bad.tfvars.json",
    }


MODULE_MAIN = """resource "aws_db_instance" "this" {
  identifier          = var.name
  deletion_protection = var.protect
  skip_final_snapshot = var.skip_snapshot
}
"""
MODULE_VARIABLES = """variable "name" {}

variable "protect" {
  type = bool
}

variable "skip_snapshot" {
  default = true
}
"""


def test_a_module_call_and_a_local_modules_default(project):
    (project / "modules" / "db").mkdir(parents=True)
    (project / "modules" / "db" / "main.tf").write_text(MODULE_MAIN)
    (project / "modules" / "db" / "variables.tf").write_text(MODULE_VARIABLES)
    (project / "main.tf").write_text(
        'module "orders" {\n  source  = "./modules/db"\n  name    = "orders"\n  protect = false\n}\n\n'
        'module "users" {\n  source        = "./modules/db"\n  name          = "users"\n  protect       = true\n'
        "  skip_snapshot = false\n}\n"
    )
    found = reported(project)
    assert brief(found) == [
        ("main.tf", 4, 3, 18, "TF101", "error"),
        ("modules/db/variables.tf", 8, 3, 17, "TF102", "error"),
    ]
    assert (
        "The value is passed to variable `protect` of module.orders (./modules/db), which `deletion_protection` "
        "of aws_db_instance.this reads (modules/db/main.tf line 3)." in found[0][6]
    )


def test_a_module_input_is_judged_by_what_the_local_module_does_with_it(project):
    (project / "modules" / "edge").mkdir(parents=True)
    (project / "modules" / "edge" / "main.tf").write_text(
        'variable "deletion_protection" {\n  type = bool\n}\n'
        'resource "aws_lb" "this" {\n  enable_deletion_protection = var.deletion_protection\n}\n'
    )
    (project / "main.tf").write_text(
        'module "edge" {\n  source              = "./modules/edge"\n  deletion_protection = false\n}\n'
        'module "registry" {\n  source              = "terraform-aws-modules/rds/aws"\n  deletion_protection = false\n}\n'
    )
    # One finding per input: the local module's is a load balancer (a warning), the registry module's is
    # judged by the input's name, as before.
    assert brief(reported(project)) == [
        ("main.tf", 3, 3, 30, "TF101", "warning"),
        ("main.tf", 7, 3, 30, "TF101", "error"),
    ]


def test_a_callers_variable_passed_on_to_a_local_module(project):
    (project / "modules" / "db").mkdir(parents=True)
    (project / "modules" / "db" / "main.tf").write_text(MODULE_MAIN)
    (project / "modules" / "db" / "variables.tf").write_text(
        MODULE_VARIABLES.replace("default = true", "default = false")
    )
    (project / "main.tf").write_text(
        'variable "keep" {\n  default = false\n}\nmodule "orders" {\n  source  = "./modules/db"\n'
        '  name    = "orders"\n  protect = var.keep\n}\n'
    )
    found = reported(project)
    assert brief(found) == [("main.tf", 2, 3, 18, "TF101", "error")]
    assert "the default of variable `keep`, passed to variable `protect` of module.orders" in found[0][6]


def test_locals_and_for_each_maps_in_another_file(project):
    (project / "locals.tf").write_text(
        "locals {\n  databases = {\n    orders  = { protect = true }\n    scratch = { protect = false }\n  }\n}\n"
    )
    (project / "main.tf").write_text(
        'resource "aws_rds_cluster" "db" {\n  for_each            = local.databases\n'
        "  deletion_protection = each.value.protect\n}\n"
    )
    found = reported(project)
    assert brief(found) == [("locals.tf", 4, 17, 32, "TF101", "error")]
    assert 'local `databases`, entry "scratch", key `protect`' in found[0][6]


def test_a_computed_value_stays_unknown(project):
    (project / "main.tf").write_text(
        'variable "env" {\n  default = "dev"\n}\nlocals {\n  protect = var.env == "prod"\n}\n'
        'resource "aws_db_instance" "m" {\n  deletion_protection = local.protect\n}\n'
    )
    assert reported(project) == []


def test_the_hook_denies_writing_a_prod_tfvars_that_switches_protection_off(project, tmp_path):
    (project / "main.tf").write_text(MAIN_TF)
    (project / "variables.tf").write_text(
        VARIABLES_TF.replace("default = false\n}\n\nvariable", "default = true\n}\n\nvariable")
    )
    off = call(
        "Write",
        {"file_path": str(project / "prod.tfvars"), "content": "deletion_protection = false\n"},
        project,
        tmp_path,
    )
    assert off.decision == "deny" and "TF101" in off.reason
    on = call(
        "Write",
        {"file_path": str(project / "prod.tfvars"), "content": "deletion_protection = true\nmulti_az = false\n"},
        project,
        tmp_path,
    )
    assert on.decision == "allow", on


def test_the_hook_denies_a_default_that_switches_protection_off(project, tmp_path):
    (project / "main.tf").write_text(MAIN_TF)
    answer = call("Write", {"file_path": str(project / "variables.tf"), "content": VARIABLES_TF}, project, tmp_path)
    assert answer.decision == "deny" and "default of variable `deletion_protection`" in answer.reason


def test_the_hook_asks_before_an_edit_wires_protection_to_a_default_that_is_off(project, tmp_path):
    guarded = MAIN_TF.replace("var.deletion_protection", "true")
    (project / "main.tf").write_text(guarded)
    (project / "variables.tf").write_text(VARIABLES_TF)
    edit = {
        "file_path": str(project / "main.tf"),
        "old_string": "deletion_protection = true",
        "new_string": "deletion_protection = var.deletion_protection",
    }
    answer = call("Edit", edit, project, tmp_path)
    assert answer.decision == "ask" and "TF109" in answer.reason
    assert "now reads the default of variable `deletion_protection` (variables.tf line 3)" in answer.reason
    (project / "variables.tf").write_text(
        VARIABLES_TF.replace("default = false\n}\n\nvariable", "default = true\n}\n\nvariable")
    )
    assert call("Edit", edit, project, tmp_path).decision == "allow"


def test_a_default_is_reported_when_some_variables_file_leaves_it_in_use(project):
    (project / "main.tf").write_text(MAIN_TF)
    (project / "variables.tf").write_text(VARIABLES_TF)
    (project / "dev.tfvars").write_text("deletion_protection = true\n")
    (project / "prod.tfvars").write_text('environment = "live"\n')  # a run with it uses the default
    assert brief(reported(project)) == [
        ("prod.tfvars", 1, 1, 21, "TF107", "note"),
        ("variables.tf", 3, 3, 18, "TF101", "error"),
    ]
    (project / "prod.tfvars").write_text("deletion_protection = true\n")
    assert reported(project) == []
    (project / "prod.tfvars").unlink()
    (project / "terraform.tfvars").write_text("deletion_protection = true\n")  # loaded by every run
    assert reported(project) == []


def test_a_backend_configuration_that_names_production_is_reported_as_the_target(project):
    """`terraform init -backend-config=prod.tfbackend`: where the state lives says which environment
    the module is applied to. Its keys are the backend's, never variable values."""
    (project / "main.tf").write_text('terraform {\n  backend "s3" {}\n}\nvariable "bucket" {\n  default = "x"\n}\n')
    (project / "prod.tfbackend").write_text('bucket = "acme-tfstate"\nkey    = "api.tfstate"\n')
    (project / "eu.tfbackend").write_text('bucket = "acme-prod-tfstate"\n')
    (project / "staging.tfbackend").write_text('bucket = "acme-staging-tfstate"\n')
    found = reported(project)
    assert [(f[0], f[1], f[4], f[5]) for f in found] == [
        ("eu.tfbackend", 1, "TF107", "note"),
        ("prod.tfbackend", 1, "TF107", "note"),
    ]
    assert 'backend setting bucket = "acme-prod-tfstate"' in found[0][6]
    assert "backend configuration prod.tfbackend" in found[1][6]
