"""TFP105 blast-radius: the plan deletes more than `max-destroy` resources, or everything it manages."""

from __future__ import annotations

from collections import Counter

from blastguard.examples import Example
from blastguard.frontends.terraform.plan import ACTIONS
from blastguard.frontends.terraform.stateful_types import is_state_only
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.tfplan._examples import change, plan, prior

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from blastguard.frontends.terraform.plan import PlanDocument


def _counts(document) -> str:
    counts = Counter(item.action for item in document.changes)
    order = [*ACTIONS.values(), "unrecognised"]
    return "Counts by action: " + ", ".join(f"{action} {counts[action]}" for action in order if counts[action]) + "."


def check(document: PlanDocument, *, max_destroy: int | None, stateful_types: Collection[str]) -> Iterator[Hit]:
    if not document.complete or document.changes_key is None:
        return  # counts from a plan that broke off, or one without changes, would mislead
    # A `null_resource` or `random_id` is bookkeeping in the state: deleting it destroys nothing outside.
    deleted = [item for item in document.changes if item.deletes and not is_state_only(item.type, stateful_types)]
    limit = max_destroy
    if limit is not None and len(deleted) > limit:
        replaced = sum(item.action != "delete" for item in deleted)
        of_them = f" ({replaced} of them replaced)" if replaced else ""
        yield Hit(
            *document.changes_key,
            f"The plan deletes {len(deleted)} resources{of_them}, more than "
            f"max-destroy = {limit}. {_counts(document)} Split it into smaller plans, or raise max-destroy "
            "if this is meant.",
        )
    managed = document.prior_addresses
    gone = {item.address for item in document.changes if item.action == "delete" and not item.deposed}
    if managed and managed <= gone and any(item.action == "delete" for item in deleted):
        assert document.prior_key is not None  # where the prior state it lists was read
        yield Hit(
            *document.prior_key,
            f"The plan deletes all {len(managed)} managed resources in its prior state, "
            f"as `terraform destroy` does. {_counts(document)} Make sure the whole stack is meant to go.",
        )


RULE = Rule(
    id="TFP105",
    name="blast-radius",
    language="terraform-plan",
    severity=Severity.WARNING,
    summary="The plan deletes more resources than `max-destroy` allows, or every resource in its prior state.",
    rationale=(
        "One bad edit can make a plan delete dozens of resources, and a long plan hides that among its "
        "updates. With `max-destroy` set, a plan whose deletes (replaces included) exceed it is reported "
        "with its counts by action; without it there is no limit. Independently, a plan that deletes every "
        "managed resource in its `prior_state` is a `terraform destroy`, whatever command made it. Both "
        "leave out types that exist only in Terraform's state (`null_resource`, `terraform_data`, "
        "`random_*`, `time_*`): they are not counted toward `max-destroy`, and a plan that deletes only "
        "those is not a finding. Every other type counts, security-group rules included."
    ),
    fix="Split the change into smaller plans, or raise `max-destroy` when a large delete is really meant.",
    flag=(
        Example(
            plan(
                change("aws_db_instance.orders", ["delete"], before={"identifier": "orders"}),
                change("aws_security_group.db", ["delete"], before={"name": "orders-db"}),
                prior_state=prior("aws_db_instance.orders", "aws_security_group.db"),
            ),
            flagged='"prior_state"',
            severity=Severity.WARNING,
            message="The plan deletes all 2 managed resources in its prior state",
        ),
        Example(
            plan(
                change("aws_db_instance.orders", ["delete"], before={"identifier": "orders"}),
                change("aws_security_group.db", ["delete"], before={"name": "orders-db"}),
                change("aws_iam_role.app", ["delete", "create"], before={"name": "app"}, after={"name": "app-v2"}),
            ),
            config={"max-destroy": 2},
            flagged='"resource_changes"',
            severity=Severity.WARNING,
            message="The plan deletes 3 resources (1 of them replaced), more than max-destroy = 2.",
        ),
        Example(
            plan(
                change("aws_db_instance.orders", ["delete"], before={"identifier": "orders"}),
                change("null_resource.migrate", ["delete"], before={"triggers": {"v": "3"}}),
                prior_state=prior("aws_db_instance.orders", "null_resource.migrate"),
            ),
            flagged='"prior_state"',
            message="The plan deletes all 2 managed resources in its prior state",
        ),
    ),
    clean=(
        plan(
            change("null_resource.migrate", ["delete"], before={"triggers": {"v": "3"}}),
            change("terraform_data.seed", ["delete"], before={"input": "v1"}),
            prior_state=prior("null_resource.migrate", "terraform_data.seed"),
        ),
        Example(
            plan(
                change("aws_db_instance.orders", ["delete"], before={"identifier": "orders"}),
                change("null_resource.migrate", ["delete"], before={"triggers": {"v": "3"}}),
                change("random_id.suffix", ["delete"], before={"byte_length": 4}),
            ),
            config={"max-destroy": 1},
        ),
        Example(
            plan(
                change("aws_db_instance.orders", ["delete"], before={"identifier": "orders"}),
                change("aws_security_group.db", ["delete"], before={"name": "orders-db"}),
                change("aws_iam_role.app", ["delete", "create"], before={"name": "app"}, after={"name": "app-v2"}),
            ),
            config={"max-destroy": 5},
        ),
        plan(
            change(
                "aws_db_instance.orders", ["no-op"], before={"identifier": "orders"}, after={"identifier": "orders"}
            ),
            change("aws_security_group.db", ["delete"], before={"name": "orders-db"}),
            prior_state=prior("aws_db_instance.orders", "aws_security_group.db"),
        ),
        plan(
            change(
                "aws_db_instance.orders",
                ["delete", "create"],
                before={"identifier": "orders"},
                after={"identifier": "orders-v2"},
                reason="replace_because_cannot_update",
            ),
            prior_state=prior("aws_db_instance.orders"),
        ),
    ),
    check=check,
    options=("max-destroy", "stateful-types"),
    escalates=True,
    precision="high",
    tags=("data-loss",),
)
