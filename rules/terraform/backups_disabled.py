"""TF103 backups-disabled: automated backups are turned off on a data store."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Rule
from blastguard.rules.terraform._tf import describe, hit, holds_data, literal_is

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from blastguard.frontends.terraform.hcl import TerraformDocument
    from blastguard.rule import Hit


def check(document: TerraformDocument, *, stateful_types: Collection[str]) -> Iterator[Hit]:
    for block, attribute in document.settings("backup_retention_period"):
        if literal_is(attribute.value, 0) and holds_data(block, stateful_types):
            yield hit(
                attribute,
                f"{describe(block)} keeps no automated backups "
                "(`backup_retention_period = 0`), so there is no point in time to restore to after a bad "
                "DELETE or a lost instance. Keep at least 7 days.",
            )
    for block, attribute in document.settings("snapshot_retention_limit"):
        if literal_is(attribute.value, 0) and holds_data(block, stateful_types):
            yield hit(
                attribute,
                f"{describe(block)} keeps no snapshots (`snapshot_retention_limit = 0`). "
                "Keep at least one day if the data matters.",
                Severity.WARNING,
            )
    for block, attribute in document.settings("enabled"):
        if block is not None and block.type == "backup_configuration" and attribute.value is False:
            yield hit(
                attribute,
                f"Backups are disabled on {describe(block)} "
                "(`backup_configuration { enabled = false }`), so a lost or corrupted database cannot be "
                "restored. Enable them, with point-in-time recovery.",
            )


RULE = Rule(
    id="TF103",
    name="backups-disabled",
    language="terraform",
    severity=Severity.ERROR,
    summary="Automated backups are turned off on a database or data store.",
    rationale=(
        "`backup_retention_period = 0` (RDS, Aurora, DocDB, Neptune), Cloud SQL "
        "`backup_configuration { enabled = false }` and `snapshot_retention_limit = 0` (ElastiCache, a "
        "warning) leave nothing to restore from: the next bad migration or deleted instance is final."
    ),
    fix="Keep automated backups on, with a retention period of at least 7 days.",
    flag=(
        Example(
            'resource "aws_db_instance" "main" {\n  backup_retention_period = 0\n}',
            flagged="backup_retention_period = 0",
            severity=Severity.ERROR,
            message="aws_db_instance.main keeps no automated backups (`backup_retention_period = 0`)",
        ),
        'resource "google_sql_database_instance" "db" {\n  settings {\n    backup_configuration {\n'
        "      enabled = false\n    }\n  }\n}",
        'resource "aws_elasticache_cluster" "cache" {\n  snapshot_retention_limit = 0\n}',
        Example(
            'variable "backup_days" {\n  default = 0\n}\nresource "aws_db_instance" "main" {\n'
            "  backup_retention_period = var.backup_days\n}",
            flagged="default = 0",
            message="The value is the default of variable `backup_days`",
        ),
    ),
    clean=(
        'resource "aws_db_instance" "main" {\n  backup_retention_period = 14\n}',
        'resource "google_sql_database_instance" "db" {\n  settings {\n    backup_configuration {\n'
        "      enabled = true\n    }\n  }\n}",
        'resource "aws_autoscaling_group" "web" {\n  min_size = 0\n}',
        'resource "aws_cloudwatch_log_group" "logs" {\n  retention_in_days = 0\n}',
        'variable "backup_days" {\n  default = 7\n}\nresource "aws_db_instance" "main" {\n'
        "  backup_retention_period = var.backup_days\n}",
        'variable "min_size" {\n  default = 0\n}\nresource "aws_autoscaling_group" "web" {\n'
        "  min_size = var.min_size\n}",
    ),
    check=check,
    options=("stateful-types",),
    escalates=True,
    precision="very-high",
    tags=("data-loss", "terraform"),
)
