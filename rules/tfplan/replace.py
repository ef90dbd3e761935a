"""TFP102 replace: the plan destroys a resource and creates a new one in its place."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.frontends.terraform.stateful_types import holds_no_data, is_stateful
from blastguard.model import Severity
from blastguard.rule import Rule
from blastguard.rules.tfplan._examples import change, plan
from blastguard.rules.tfplan._plan import attribute_path, because, hit

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from blastguard.frontends.terraform.plan import PlanDocument
    from blastguard.rule import Hit

_ORDER = {
    "delete-then-create": "the old one is destroyed before the new one is created",
    "create-then-delete": "the new one is created before the old one is destroyed",
}


def check(document: PlanDocument, *, stateful_types: Collection[str]) -> Iterator[Hit]:
    for item in document.changes:
        if item.action not in _ORDER or holds_no_data(item.type, stateful_types):
            continue  # a replaced security-group rule or `null_resource` comes back as it was
        delete_first = item.action == "delete-then-create"
        message = f"The plan replaces {item.label}{because(item)}: {_ORDER[item.action]}."
        if item.replace_paths:
            message += f" Forced by: {', '.join(attribute_path(p) for p in item.replace_paths)}."
        if is_stateful(item.type, stateful_types):
            message += (
                f" Its type, {item.type}, holds data: the new one starts empty unless it is restored from a snapshot."
            )
            severity = Severity.ERROR if delete_first else Severity.WARNING
        else:
            severity = Severity.WARNING if delete_first else Severity.NOTE
        yield hit(item, message, severity)


RULE = Rule(
    id="TFP102",
    name="replace",
    language="terraform-plan",
    severity=Severity.ERROR,
    summary="The plan replaces a resource: it destroys the existing object and creates a new one.",
    rationale=(
        "A replace is a delete in disguise: `terraform plan` prints it as `-/+` among in-place updates, but "
        "the existing object is destroyed. It fires on each replace in `resource_changes`, by the type "
        "replaced. For a resource that holds data (the built-in list and `stateful-types`), destroying it "
        'first (`["delete", "create"]`) is an error and creating the new one first (`create_before_destroy`) '
        "a warning, since the new one still starts empty. A type known to hold no data is left alone: it "
        "comes back as it was (`null_resource`, `terraform_data`, `random_*`, `time_*`, security-group and "
        "firewall rules, IAM policy attachments). For any other type, which may hold data the list does not "
        "know (an instance's root volume), they are a warning and a note. The message gives Terraform's `action_reason` and the `replace_paths` that forced it, such as an "
        "RDS `identifier` that cannot change in place."
    ),
    fix="Revert the argument that forces the replace if it is not meant; otherwise take a snapshot first and "
    "restore the new resource from it.",
    flag=(
        Example(
            plan(
                change(
                    "aws_db_instance.orders",
                    ["delete", "create"],
                    before={"identifier": "orders"},
                    after={"identifier": "orders-v2"},
                    reason="replace_because_cannot_update",
                    replace_paths=[["identifier"]],
                )
            ),
            flagged='"aws_db_instance.orders"',
            severity=Severity.ERROR,
            message="The plan replaces aws_db_instance.orders because an argument that cannot change",
        ),
        plan(
            change(
                "aws_ebs_volume.data",
                ["create", "delete"],
                before={"size": 100},
                after={"size": 100},
                reason="replace_by_request",
            )
        ),
        Example(
            plan(
                change(
                    "aws_instance.web",
                    ["delete", "create"],
                    before={"ami": "ami-0a1b"},
                    after={"ami": "ami-0c2d"},
                    reason="replace_because_cannot_update",
                    replace_paths=[["ami"]],
                )
            ),
            severity=Severity.WARNING,
        ),
        Example(
            plan(
                change(
                    "aws_s3_bucket.assets",
                    ["delete", "create"],
                    before={"bucket": "acme-assets"},
                    after={"bucket": "acme-assets-v2"},
                    reason="replace_because_cannot_update",
                    replace_paths=[["bucket"]],
                ),
                change(
                    "aws_security_group_rule.https",
                    ["delete", "create"],
                    before={"from_port": 443},
                    after={"from_port": 443},
                    reason="replace_by_triggers",
                ),
            ),
            flagged='"aws_s3_bucket.assets"',
            severity=Severity.ERROR,
        ),
    ),
    clean=(
        plan(
            change(
                "aws_security_group_rule.https",
                ["delete", "create"],
                before={"type": "ingress", "from_port": 443, "cidr_blocks": ["10.0.0.0/16"]},
                after={"type": "ingress", "from_port": 443, "cidr_blocks": ["10.0.0.0/8"]},
                reason="replace_because_cannot_update",
                replace_paths=[["cidr_blocks"]],
            ),
            change(
                "aws_vpc_security_group_egress_rule.all",
                ["create", "delete"],
                before={"ip_protocol": "-1"},
                after={"ip_protocol": "-1"},
                reason="replace_by_triggers",
            ),
        ),
        plan(
            change(
                "null_resource.deploy",
                ["delete", "create"],
                before={"triggers": {"sha": "a1"}},
                after={"triggers": {"sha": "b2"}},
                reason="replace_because_cannot_update",
                replace_paths=[["triggers"]],
            ),
            change(
                "terraform_data.release",
                ["delete", "create"],
                before={"input": "v1"},
                after={"input": "v2"},
                reason="replace_by_triggers",
            ),
        ),
        plan(
            change(
                "aws_db_instance.orders",
                ["update"],
                before={"instance_class": "db.t3.small"},
                after={"instance_class": "db.t3.medium"},
            )
        ),
        plan(
            change(
                "aws_db_instance.orders",
                ["create", "forget"],
                before={"identifier": "orders"},
                after={"identifier": "orders-v2"},
            )
        ),
    ),
    check=check,
    options=("stateful-types",),
    escalates=True,
    precision="very-high",
    tags=("data-loss",),
)
