"""TF102 skip-final-snapshot: deleting the database will keep no final snapshot."""

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


def check(document: TerraformDocument, *, stateful_types: Collection[str]) -> Iterator[Hit]:
    for block, attribute in document.settings("skip_final_snapshot"):
        if attribute.value is True and holds_data(block, stateful_types):
            yield hit(
                attribute,
                f"{describe(block)} has `skip_final_snapshot = true`: when it is deleted "
                "or replaced, no final snapshot is taken and the data is gone for good. Set it to false and "
                "give a `final_snapshot_identifier`.",
            )
    for block, attribute in document.settings("delete_automated_backups"):
        if attribute.value is True and holds_data(block, stateful_types):
            yield hit(
                attribute,
                f"{describe(block)} has `delete_automated_backups = true`: deleting the "
                "instance also deletes its automated backups, so nothing is left to restore from. Keep them "
                "(false).",
                Severity.WARNING,
            )


RULE = Rule(
    id="TF102",
    name="skip-final-snapshot",
    language="terraform",
    severity=Severity.ERROR,
    summary="A database is set to be deleted without a final snapshot, or with its backups.",
    rationale=(
        "`skip_final_snapshot = true` on RDS, Aurora, DocDB, Neptune or Redshift means that the delete or "
        "replace Terraform decides on (an identifier change, a removed block) leaves no copy of the data. "
        "`delete_automated_backups = true` deletes the backups with the instance (a warning). A variable's "
        "default, a `.tfvars` value, a literal local or a module call's argument that sets them is "
        "reported where it is written."
    ),
    fix="Set `skip_final_snapshot = false` with a `final_snapshot_identifier`, and keep automated backups.",
    flag=(
        Example(
            'resource "aws_db_instance" "main" {\n  skip_final_snapshot = true\n}',
            flagged="skip_final_snapshot = true",
            severity=Severity.ERROR,
            message="aws_db_instance.main has `skip_final_snapshot = true`",
        ),
        'resource "aws_rds_cluster" "aurora" {\n  skip_final_snapshot = true\n}',
        'module "db" {\n  source              = "terraform-aws-modules/rds/aws"\n  skip_final_snapshot = true\n}',
        'resource "aws_db_instance" "main" {\n  delete_automated_backups = true\n}',
        Example(
            'variable "skip_final_snapshot" {\n  default = true\n}\nresource "aws_db_instance" "main" {\n'
            "  skip_final_snapshot = var.skip_final_snapshot\n}",
            flagged="default = true",
            message="The value is the default of variable `skip_final_snapshot`",
        ),
    ),
    clean=(
        'resource "aws_db_instance" "main" {\n  skip_final_snapshot       = false\n'
        '  final_snapshot_identifier = "main-final"\n}',
        'resource "aws_db_instance" "main" {\n  skip_final_snapshot = var.is_test\n}',
        'resource "null_resource" "x" {\n  triggers = { skip_final_snapshot = "true" }\n}',
        'variable "skip_final_snapshot" {\n  default = false\n}\nresource "aws_db_instance" "main" {\n'
        "  skip_final_snapshot = var.skip_final_snapshot\n}",
        'variable "skip_final_snapshot" {\n  type = bool\n}\nresource "aws_db_instance" "main" {\n'
        "  skip_final_snapshot = var.skip_final_snapshot\n}",
    ),
    check=check,
    options=("stateful-types",),
    escalates=True,
    precision="very-high",
    tags=("data-loss", "terraform"),
)
