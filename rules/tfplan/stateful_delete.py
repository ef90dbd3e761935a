"""TFP101 stateful-delete: the plan deletes a resource; one that holds data is an error, one that holds none is fine."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.frontends.terraform.stateful_types import holds_no_data, is_stateful
from blastguard.model import Severity
from blastguard.rule import Rule
from blastguard.rules.tfplan._examples import change, plan
from blastguard.rules.tfplan._plan import because, hit

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from blastguard.frontends.terraform.plan import PlanDocument
    from blastguard.rule import Hit


def check(document: PlanDocument, *, stateful_types: Collection[str]) -> Iterator[Hit]:
    for item in document.changes:
        if item.action != "delete":
            continue  # replaces are TFP102's; `forget` leaves the object running
        if holds_no_data(item.type, stateful_types):
            continue  # a `null_resource`, a security-group rule: nothing is lost
        if is_stateful(item.type, stateful_types):
            yield hit(
                item,
                f"The plan deletes {item.label}{because(item)}. Its type, {item.type}, "
                "holds data: what is in it is lost unless it was backed up. Make sure the delete is meant, "
                "and take a snapshot or backup first.",
            )
        else:
            yield hit(
                item, f"The plan deletes {item.label}{because(item)}. Make sure the delete is meant.", Severity.WARNING
            )


RULE = Rule(
    id="TFP101",
    name="stateful-delete",
    language="terraform-plan",
    severity=Severity.ERROR,
    summary="The plan deletes a resource; deleting one that holds data (a database, bucket, volume, key) is an error.",
    rationale=(
        "A delete in a plan is carried out by the next `terraform apply` of it. It fires on each "
        '`["delete"]` in `resource_changes`, by the type deleted. A database, bucket, volume, file system, '
        "key or DNS zone loses what it holds, and no later apply brings it back: an error. The list of types "
        "that hold data is built in and extended with `stateful-types`. A type known to hold no data is left "
        "alone: those that exist only in Terraform's state (`null_resource`, `terraform_data`, `random_*`, "
        "`time_*`) and pure configuration (security-group and firewall rules, IAM policy attachments). Any "
        "other type is a warning, since it may hold data the list does not know (an instance's root "
        "volume). `forget` (a `removed` block with `destroy = false`) leaves the object "
        "running and is not a delete, replaces are TFP102's, and deletions in `resource_drift` already "
        "happened outside Terraform."
    ),
    fix="Make sure the delete is meant; take a snapshot or backup first, or keep the resource with `prevent_destroy`.",
    flag=(
        Example(
            plan(
                change(
                    "aws_db_instance.orders",
                    ["delete"],
                    before={"identifier": "orders", "engine": "postgres"},
                    reason="delete_because_no_resource_config",
                )
            ),
            flagged='"aws_db_instance.orders"',
            severity=Severity.ERROR,
            message="The plan deletes aws_db_instance.orders because its resource block is no longer",
        ),
        plan(change("google_storage_bucket.exports", ["delete"], before={"name": "acme-exports"})),
        plan(change("aws_instance.bastion", ["delete"], before={"instance_type": "t3.micro"})),
        Example(
            plan(
                change("null_resource.migrate", ["delete"], before={"triggers": {"v": "3"}}),
                change("aws_db_instance.orders", ["delete"], before={"identifier": "orders"}),
            ),
            flagged='"aws_db_instance.orders"',
            severity=Severity.ERROR,
        ),
        Example(
            plan(change("aws_iam_role.app", ["delete"], before={"name": "app"})),
            flagged='"aws_iam_role.app"',
            severity=Severity.WARNING,
        ),
        Example(
            plan(change("random_password.ledger", ["delete"], before={"length": 32})),
            config={"stateful-types": ["random_password"]},
            severity=Severity.ERROR,
        ),
        Example(
            plan(change("acme_ledger.main", ["delete"], before={"name": "main"})),
            config={"stateful-types": ["acme_ledger"]},
            flagged='"acme_ledger.main"',
            severity=Severity.ERROR,
            message="Its type, acme_ledger, holds data",
        ),
        Example(
            plan(change("acme_ledger.main", ["delete"], before={"name": "main"})),
            flagged='"acme_ledger.main"',
            severity=Severity.WARNING,
            message="The plan deletes acme_ledger.main. Make sure the delete is meant.",
        ),
    ),
    clean=(
        plan(
            change(
                "aws_db_instance.orders",
                ["forget"],
                before={"identifier": "orders"},
                reason="delete_because_no_resource_config",
            )
        ),
        plan(
            change(
                "aws_db_instance.orders", ["update"], before={"allocated_storage": 20}, after={"allocated_storage": 50}
            )
        ),
        plan(
            change("null_resource.migrate", ["delete"], before={"triggers": {"v": "3"}}),
            change("terraform_data.bootstrap", ["delete"], before={"input": "v3"}),
            change("random_id.suffix", ["delete"], before={"byte_length": 4}),
            change("time_sleep.settle", ["delete"], before={"create_duration": "30s"}),
        ),
        plan(
            change(
                "aws_security_group_rule.https",
                ["delete"],
                before={"type": "ingress", "from_port": 443},
                reason="delete_because_no_resource_config",
            ),
            change("aws_vpc_security_group_ingress_rule.ssh", ["delete"], before={"from_port": 22}),
            change("aws_iam_role_policy_attachment.read", ["delete"], before={"role": "app"}),
        ),
        plan(
            change("aws_s3_bucket.logs", ["no-op"], before={"bucket": "acme-logs"}, after={"bucket": "acme-logs"}),
            resource_drift=[change("aws_s3_bucket.scratch", ["delete"], before={"bucket": "acme-scratch"})],
        ),
    ),
    check=check,
    options=("stateful-types",),
    escalates=True,
    precision="very-high",
    tags=("data-loss",),
)
