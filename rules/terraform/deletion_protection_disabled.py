"""TF101 deletion-protection-disabled: the switch that stops Terraform deleting a database is off."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Rule
from blastguard.rules.terraform._tf import describe, hit, holds_data

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from blastguard.frontends.terraform.hcl import TerraformDocument
    from blastguard.rule import Hit

# attribute -> value that switches the protection off
_SWITCHES = {
    "deletion_protection": False,  # RDS, Aurora, DocDB, Neptune, Cloud SQL, GKE, BigQuery, Spanner, Bigtable
    "deletion_protection_enabled": False,  # DynamoDB
    "enable_deletion_protection": False,  # load balancers
    "disable_api_termination": False,  # EC2 instances: termination protection
}


def check(document: TerraformDocument, *, stateful_types: Collection[str]) -> Iterator[Hit]:
    for name, off in _SWITCHES.items():
        for block, attribute in document.settings(name):
            if attribute.value is not off:
                continue
            where = describe(block)
            if holds_data(block, stateful_types):
                yield hit(
                    attribute,
                    f"Deletion protection is switched off on {where} (`{name} = false`), "
                    "so a destroy, a replace or a removed block deletes it and its data without any guard. "
                    "Keep it true; turn it off only in a reviewed change that deletes the resource on purpose.",
                )
            else:
                yield hit(
                    attribute,
                    f"Deletion protection is switched off on {where} (`{name} = false`), "
                    "so Terraform can delete it without a second step. Keep it on for anything that serves "
                    "traffic or holds state.",
                    Severity.WARNING,
                )


RULE = Rule(
    id="TF101",
    name="deletion-protection-disabled",
    language="terraform",
    severity=Severity.ERROR,
    summary="Deletion protection is switched off on a resource that holds data.",
    rationale=(
        "`deletion_protection` (RDS, Aurora, DocDB, Neptune, Cloud SQL, GKE, BigQuery, Spanner, Bigtable), "
        "`deletion_protection_enabled` (DynamoDB), `enable_deletion_protection` (load balancers) and "
        "`disable_api_termination` (instances) make the provider refuse to delete the resource. Turning "
        "one off is the first half of the two-step 'disable protection, then delete'. The same inputs "
        "passed to a module are checked too. On a resource that holds no data it is a warning. A value "
        "read from elsewhere in the module is followed while it stays literal, and reported where it is "
        "written: a variable's default (unless `terraform.tfvars` or every `.tfvars` file of the folder "
        "sets the variable), a "
        "`.tfvars` value, a local, a `for_each` map entry or a `count` list element, or the argument a "
        "module call passes to a local module's variable."
    ),
    fix="Keep the protection on; switch it off only in a reviewed change that deletes the resource on purpose.",
    flag=(
        Example(
            'resource "aws_db_instance" "main" {\n  engine              = "postgres"\n  deletion_protection = false\n}',
            flagged="deletion_protection = false",
            severity=Severity.ERROR,
            message="Deletion protection is switched off on aws_db_instance.main",
        ),
        'resource "aws_dynamodb_table" "events" {\n  name                        = "events"\n'
        "  deletion_protection_enabled = false\n}",
        'resource "google_sql_database_instance" "db" {\n  deletion_protection = false\n}',
        'module "db" {\n  source              = "terraform-aws-modules/rds/aws"\n  deletion_protection = false\n}',
        'resource "aws_lb" "api" {\n  enable_deletion_protection = false\n}',
        # The value lives in the module: reported where it is written, naming the setting that reads it.
        Example(
            'variable "deletion_protection" {\n  type    = bool\n  default = false\n}\n\n'
            'resource "aws_db_instance" "main" {\n  deletion_protection = var.deletion_protection\n}',
            flagged="default = false",
            region=(3, 3, 3, 18),
            severity=Severity.ERROR,
            message="The value is the default of variable `deletion_protection`, which `deletion_protection` of "
            "aws_db_instance.main reads (main.tf line 7).",
        ),
        Example(
            'locals {\n  protect = false\n}\nresource "aws_rds_cluster" "main" {\n'
            "  deletion_protection = local.protect\n}",
            flagged="protect = false",
            message="The value is local `protect`",
        ),
        Example(
            'resource "aws_dynamodb_table" "tables" {\n  for_each = {\n    orders = { protect = true }\n'
            "    scratch = { protect = false }\n  }\n  name                        = each.key\n"
            "  deletion_protection_enabled = each.value.protect\n}",
            flagged="protect = false",
            region=(4, 17, 4, 32),
            message='the `for_each` map, entry "scratch", key `protect`',
        ),
        Example(
            'locals {\n  dbs = [{ name = "a", protect = false }]\n}\nresource "aws_db_instance" "db" {\n'
            "  count               = length(local.dbs)\n  deletion_protection = local.dbs[count.index].protect\n}",
            flagged="protect = false",
        ),
        'variable "settings" {\n  default = { protect = false }\n}\nresource "aws_db_instance" "db" {\n'
        "  deletion_protection = var.settings.protect\n}",
    ),
    clean=(
        'resource "aws_db_instance" "main" {\n  deletion_protection = true\n}',
        'resource "aws_db_instance" "main" {\n  deletion_protection = var.protect\n}',
        'variable "deletion_protection" {\n  description = "Set deletion_protection = false only for tests"\n'
        "  default     = true\n}",
        '# deletion_protection = false\nresource "aws_db_instance" "main" {\n  deletion_protection = true\n}',
        'variable "protect" {\n  default = true\n}\nresource "aws_db_instance" "main" {\n'
        "  deletion_protection = var.protect\n}",
        # No default: the value is given at run time, unknown here.
        'variable "protect" {\n  type = bool\n}\nresource "aws_db_instance" "main" {\n'
        "  deletion_protection = var.protect\n}",
        # A variable set false that feeds no protection.
        'variable "multi_az" {\n  default = false\n}\nresource "aws_db_instance" "main" {\n'
        "  multi_az            = var.multi_az\n  deletion_protection = true\n}",
        'variable "protect" {\n  default = false\n}\nresource "aws_db_instance" "main" {\n'
        '  deletion_protection = var.protect || var.environment == "prod"\n}',
        'locals {\n  dbs = { a = { protect = true } }\n}\nresource "aws_db_instance" "db" {\n'
        "  for_each            = local.dbs\n  deletion_protection = each.value.protect\n}",
    ),
    check=check,
    options=("stateful-types",),
    escalates=True,
    precision="very-high",
    tags=("data-loss", "terraform"),
)
