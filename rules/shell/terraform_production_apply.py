"""SH102 terraform-production-apply: unreviewed applies to production, state surgery, and forced
replacement of resources that hold data."""

from __future__ import annotations

import re

from blastguard.examples import Example
from blastguard.frontends.terraform.stateful_types import is_stateful
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.shell._terraform import TerraformCall, terraform_call

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command

_INDEX = re.compile(r"\[[^\]]*\]")


def check(command: Command, document: ShellDocument, *, stateful_types: Collection[str]) -> Iterator[Hit]:
    call = terraform_call(command)
    if call is None:
        return
    for message in _findings(call, command, document, stateful_types):
        yield Hit(command.start, command.end, message)


def _findings(call: TerraformCall, command: Command, document: ShellDocument, stateful_types: Collection[str]):
    tool, positionals = call.tool, [w.value for w in call.argv.positionals]
    if call.subcommand == "apply" and not call.flag("destroy"):
        unreviewed = call.source_of("auto-approve") is not None or call.every_module
        if unreviewed and not positionals and (document.source.context.production or document.evidence(command)):
            yield (
                f"`{tool} apply -auto-approve` changes production without showing the plan for review. "
                f"Save a plan (`{tool} plan -out=tfplan`), review it, and apply that file."
            )
        for address in call.values("replace"):
            if _stateful(address.value, stateful_types):
                yield (
                    f"`-replace={address.value}` destroys and recreates a resource that holds data; what is "
                    "stored in it is lost. Replace it only after a backup, or migrate the data instead."
                )
    elif call.subcommand == "taint" and positionals and _stateful(positionals[0], stateful_types):
        yield (
            f"`{tool} taint {positionals[0]}` makes the next apply destroy and recreate a resource that holds "
            "data; what is stored in it is lost. Use `-replace` in a reviewed plan after a backup instead."
        )
    elif call.subcommand == "state" and positionals[:1] == ["rm"]:
        yield (
            f"`{tool} state rm` makes Terraform forget {', '.join(positionals[1:]) or 'resources'}: they keep "
            "running unmanaged, and a later apply may create duplicates. Use a `removed` block in a reviewed "
            "change."
        )
    elif call.subcommand == "state" and positionals[:1] == ["push"] and call.flag("force"):
        yield (
            f"`{tool} state push -force` overwrites the stored state even when it is newer, so Terraform loses "
            "track of resources. Pull, fix and push without -force."
        )
    elif call.subcommand == "force-unlock":
        yield (
            f"`{tool} force-unlock` removes a lock another run may still hold; two runs writing the same state "
            "can corrupt it. Make sure no run is in progress first."
        )
    elif call.subcommand == "workspace" and positionals[:1] == ["delete"]:
        yield (
            f"`{tool} workspace delete` deletes the workspace's state; the resources it tracked keep running "
            "but are no longer managed. Destroy or move them deliberately first."
        )


def _stateful(address: str, stateful_types: Collection[str]) -> bool:
    """`module.db.aws_db_instance.main[0]` is an aws_db_instance; data sources hold nothing."""
    parts = _INDEX.sub("", address).split(".")
    while parts[:1] == ["module"]:
        parts = parts[2:]
    return bool(parts) and parts[0] != "data" and is_stateful(parts[0], stateful_types)


RULE = Rule(
    id="SH102",
    name="terraform-production-apply",
    language="shell",
    severity=Severity.WARNING,
    summary=(
        "An unreviewed Terraform apply to production, state surgery, or forced replacement of a resource "
        "that holds data."
    ),
    rationale=(
        "`terraform apply -auto-approve` applies whatever the plan turns out to be; against production "
        "(a workspace selected earlier in the chain, TF_WORKSPACE, `-var-file=prod.tfvars`, `-chdir=…/prod`, "
        "`cd …/prod`, or a host job that deploys to production) nobody sees the replacements and deletions "
        "before they happen. State surgery (`state rm`, `state push -force`, `force-unlock`, `workspace "
        "delete`) desynchronises Terraform from what runs, and `-replace` / `taint` of a database, bucket "
        "or volume destroys its data. Findings are warnings, and errors when the target is production."
    ),
    fix=(
        "Save a plan, review it, and apply the plan file; make state changes with `removed`/`moved` blocks in a "
        "reviewed change."
    ),
    flag=(
        Example(
            "terraform workspace select prod && terraform apply -auto-approve",
            flagged="terraform apply -auto-approve",
            severity=Severity.ERROR,
            message="`terraform apply -auto-approve` changes production without showing the plan",
        ),
        "TF_WORKSPACE=production terraform apply -auto-approve",
        "terraform apply -auto-approve -var-file=envs/prod.tfvars",
        "terraform -chdir=live/prod apply -auto-approve",
        "cd infra/prod\nterraform apply --auto-approve",
        "terraform state rm aws_db_instance.main",
        "terraform state push -force terraform.tfstate",
        "terraform force-unlock -force 6638e0ef",
        "terraform workspace delete staging",
        "terraform apply -replace=module.db.aws_db_instance.main",
        "tofu taint 'aws_s3_bucket.assets'",
    ),
    clean=(
        "terraform apply -auto-approve",
        "terraform workspace select staging && terraform apply -auto-approve",
        "terraform workspace select prod && terraform plan -out=tfplan",
        "terraform -chdir=envs/prod apply tfplan",
        "terraform apply -replace=aws_instance.web",
        "terraform state list",
        "terraform apply -auto-approve -var-file=product-images.tfvars",
        "echo 'terraform workspace select prod && terraform apply -auto-approve'",
    ),
    check=check,
    options=("stateful-types",),
    escalates=True,
    keywords=("terraform", "tofu", "terragrunt"),
    precision="high",
    tags=("infrastructure",),
)
