"""TFP103 accidental-delete: a delete whose reason is how mistakes look (a removed block, a renamed key)."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.frontends.terraform.stateful_types import holds_no_data
from blastguard.model import Severity
from blastguard.rule import Rule
from blastguard.rules.tfplan._examples import change, plan
from blastguard.rules.tfplan._plan import because, hit

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from blastguard.frontends.terraform.plan import PlanDocument
    from blastguard.rule import Hit

# Reasons that come from editing the configuration rather than asking for a delete, and what keeps the object.
_ADVICE = {
    "delete_because_no_resource_config": (
        "Removing the block also removed any `prevent_destroy` it had, so that guard did not stop this. If it "
        "was renamed or moved, add a `moved` block; to stop managing it without destroying it, use a `removed` "
        "block with `lifecycle { destroy = false }`; otherwise restore the block."
    ),
    "delete_because_no_module": (
        "If the module call was renamed or moved, add a `moved` block for it; to keep its resources running, "
        "use a `removed` block with `lifecycle { destroy = false }`."
    ),
    "delete_because_count_index": (
        "If `count` shrank by mistake, restore it; if the list was reordered, add `moved` blocks for the "
        "indexes or switch to `for_each`."
    ),
    "delete_because_each_key": "If the key was renamed, add a `moved` block from the old key to the new one.",
    "delete_because_wrong_repetition": "Add a `moved` block from the old address to the new one.",
    "delete_because_no_move_target": "Fix the `moved` block's `to` so it names a resource in the configuration.",
}


def check(document: PlanDocument, *, stateful_types: Collection[str]) -> Iterator[Hit]:
    for item in document.changes:
        if item.action == "delete" and item.reason in _ADVICE and not holds_no_data(item.type, stateful_types):
            yield hit(
                item,
                f"The plan deletes {item.label}{because(item)}, which is how an accidental "
                f"delete looks. {_ADVICE[item.reason]}",
            )


RULE = Rule(
    id="TFP103",
    name="accidental-delete",
    language="terraform-plan",
    severity=Severity.WARNING,
    summary="The plan deletes a resource because of an edit that is often a mistake (a removed block, a renamed key).",
    rationale=(
        "Terraform says why it deletes. `delete_because_no_resource_config` means the block was removed, "
        "which also removes its `lifecycle { prevent_destroy = true }`: the known way around that guard. "
        "A removed module call, a shrunk `count`, a renamed `for_each` key or a switch between `count` and "
        "`for_each` delete objects that were usually meant to be kept, moved or renamed. It fires on a "
        '`["delete"]` with one of these reasons, unless the type is known to hold no data (`null_resource`, '
        "`terraform_data`, `random_*`, `time_*`, security-group and firewall rules, IAM policy attachments: "
        "restoring the block brings them back as they were). `forget` (a `removed` block with `destroy = "
        "false`) carries the same reason but destroys nothing."
    ),
    fix="Add a `moved` block for a rename, a `removed` block with `destroy = false` to stop managing it, or "
    "restore the configuration.",
    flag=(
        Example(
            plan(
                change(
                    "aws_s3_bucket.assets",
                    ["delete"],
                    before={"bucket": "acme-assets"},
                    reason="delete_because_no_resource_config",
                )
            ),
            flagged='"aws_s3_bucket.assets"',
            severity=Severity.WARNING,
            message="The plan deletes aws_s3_bucket.assets because its resource block is no longer",
        ),
        plan(
            change(
                "aws_instance.worker[2]",
                ["delete"],
                before={"instance_type": "t3.large"},
                reason="delete_because_count_index",
            )
        ),
        plan(
            change(
                'aws_sqs_queue.jobs["billing"]',
                ["delete"],
                before={"name": "billing"},
                reason="delete_because_each_key",
            )
        ),
    ),
    clean=(
        plan(
            change(
                "null_resource.seed",
                ["delete"],
                before={"triggers": {"v": "1"}},
                reason="delete_because_no_resource_config",
            ),
            change(
                'aws_security_group_rule.office["berlin"]',
                ["delete"],
                before={"cidr_blocks": ["203.0.113.0/24"]},
                reason="delete_because_each_key",
            ),
        ),
        plan(
            change(
                "aws_s3_bucket.assets",
                ["forget"],
                before={"bucket": "acme-assets"},
                reason="delete_because_no_resource_config",
            )
        ),
        plan(change("aws_s3_bucket.assets", ["delete"], before={"bucket": "acme-assets"})),
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
    ),
    check=check,
    options=("stateful-types",),
    escalates=True,
    precision="high",
    tags=("data-loss",),
)
