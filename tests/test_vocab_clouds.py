"""Cluster and cloud deletes (SH501) and repository deletes (SH502) where the rules' own examples cannot
say enough: the same delete in every disguise the shell frontend looks through, what `xargs` feeds
from a `describe` call, the production evidence that raises a finding, and the hook's answers under
a production kube context. Every command here is analysed, never executed."""

from __future__ import annotations

import io
import json
import os
import tempfile

import pytest

from blastguard.api import check_text
from blastguard.config import Config
from blastguard.context import Context
from blastguard.engine import Engine
from blastguard.frontends.shell.frontend import ShellFrontend
from blastguard.interfaces import hook
from blastguard.model import Severity
from blastguard.sources import Source
from hook_calls import claude


def _found(text, context=Context()):
    found, _ = Engine(Config(), ".").check_source(Source("x.sh", text, "shell", context))
    return [f for f in found if f.rule_id in ("SH501", "SH502")]


def _one(text, context=Context()):
    (finding,) = _found(text, context)
    return finding


DELETES = [
    "helm uninstall web -n staging",
    "kubectl delete -f k8s/",
    "kubectl delete crd widgets.example.com",
    "aws s3 sync ./dist s3://site-bucket --delete",
    "aws ec2 terminate-instances --instance-ids i-0abc",
    "doctl compute volume delete 7724db7c --force",
    "gcloud compute instances delete vm-1 --quiet",
    "az vm delete -g rg-app -n vm-1 --yes",
    "gh repo delete acme/api --yes",
    "argocd app delete payments -y",
    "eksctl delete cluster --name dev",
]
DISGUISES = [
    "{}",
    "cd deploy && {}",
    "({})",
    "bash -c '{}'",
    "sudo -E {}",
    "echo go | xargs {}",
    "f() {{ {}; }}; f",
    "for i in 1; do {}; done",
]


@pytest.mark.parametrize("delete", DELETES)
@pytest.mark.parametrize("disguise", DISGUISES)
def test_a_delete_is_found_in_every_disguise_at_the_command_itself(delete, disguise):
    text = disguise.format(delete)
    finding = _one(text)
    start = text.index(delete.split()[0])
    assert (finding.region.start_line, finding.region.start_column) == (1, start + 1)
    assert finding.severity == Severity.WARNING


def test_what_xargs_feeds_from_a_describe_call_is_still_a_delete():
    text = (
        "aws ec2 describe-instances --filters Name=tag:env,Values=ci "
        "--query 'Reservations[].Instances[].InstanceId' --output text |\n"
        "  xargs -r -n 10 aws ec2 terminate-instances --instance-ids\n"
    )
    document = ShellFrontend().parse(Source("x.sh", text, "shell", Context()))
    terminate = document.commands[-1]
    assert terminate.program == "aws" and terminate.arguments_from_stdin
    finding = _one(text)
    assert (finding.region.start_line, finding.region.start_column, finding.region.end_line) == (2, 18, 2)
    assert finding.region.end_column == len("  xargs -r -n 10 aws ec2 terminate-instances --instance-ids") + 1
    assert "`aws ec2 terminate-instances` deletes the EC2 instances" in finding.message
    assert "arrives on standard input" in finding.message
    assert finding.severity == Severity.WARNING


def test_xargs_with_a_placeholder_and_a_production_profile():
    text = "aws ec2 describe-snapshots --owner-ids self --output text | xargs -I{} aws --profile prod ec2 delete-snapshot --snapshot-id {}"
    finding = _one(text)
    assert finding.severity == Severity.ERROR and "aws --profile prod" in finding.message


def test_a_describe_call_alone_is_not_a_finding():
    assert _found("aws ec2 describe-instances --output text | xargs -n1 echo") == []
    assert _found("aws ec2 describe-instances --output text | xargs aws ec2 describe-volumes --volume-ids") == []


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("helm uninstall web -n production", "helm -n production"),
        ("helm --kube-context prod-eu uninstall web", "helm --kube-context prod-eu"),
        ("HELM_KUBECONTEXT=prod helm uninstall web", "HELM_KUBECONTEXT=prod"),
        ("kubectl --context prod delete -f k8s/", "kubectl --context prod"),
        ("kubectl config use-context prod-us\nkubectl delete crd widgets.example.com", "use-context prod-us"),
        ("AWS_PROFILE=prod aws ec2 terminate-instances --instance-ids i-1", "AWS_PROFILE=prod"),
        ("aws s3 sync ./dist s3://prod-site --delete", "deletes s3://prod-site"),
        ("doctl --context prod compute droplet delete web-1 -f", "doctl --context prod"),
        ("DIGITALOCEAN_CONTEXT=production doctl databases delete 9cc1 -f", "DIGITALOCEAN_CONTEXT=production"),
        ("gcloud config set project acme-prod\ngcloud compute instances delete vm-1", "set project acme-prod"),
        ("gh repo delete acme/prod-config --yes", "deletes acme/prod-config"),
        ("argocd --argocd-context prod app delete payments -y", "argocd --argocd-context prod"),
        ("AWS_PROFILE=production eksctl delete cluster --name payments", "AWS_PROFILE=production"),
    ],
)
def test_production_evidence_raises_a_warning_to_an_error(text, evidence):
    finding = _one(text)
    assert finding.severity == Severity.ERROR
    assert evidence in finding.message


def test_a_name_that_only_contains_prod_is_not_production():
    assert _one("helm uninstall product-api -n products").severity == Severity.WARNING
    assert _one("gh repo delete acme/product-site --yes").severity == Severity.WARNING


@pytest.mark.parametrize(
    ("dry", "wet"),
    [
        ("helm uninstall web --dry-run", "helm uninstall web --dry-run=false"),
        ("kubectl delete -f k8s/ --dry-run=server", "kubectl delete -f k8s/ --dry-run=none"),
        ("aws s3 sync ./dist s3://site --delete --dryrun", "aws s3 sync ./dist s3://site --delete"),
        (
            "aws ec2 terminate-instances --instance-ids i-1 --dry-run",
            "aws ec2 terminate-instances --instance-ids i-1 --dry-run --no-dry-run",
        ),
        (
            "az deployment group create -g rg -f main.bicep --mode Complete --what-if",
            "az deployment group create -g rg -f main.bicep --mode Complete",
        ),
        (
            "az storage blob delete-batch --account-name st -s uploads --dryrun",
            "az storage blob delete-batch --account-name st -s uploads",
        ),
    ],
)
def test_a_dry_run_is_clean_and_the_same_command_without_it_is_not(dry, wet):
    assert _found(dry) == []
    assert len(_found(wet)) == 1


def test_sync_deletes_only_at_its_destination():
    assert _found("aws s3 sync s3://site ./mirror --delete") == []  # trims a local copy
    assert _found("aws s3 sync ./dist s3://site") == []  # uploads, deletes nothing
    assert len(_found('aws s3 sync ./dist "s3://$BUCKET/app" --delete')) == 1  # a bucket, whichever
    assert len(_found("aws s3 sync s3://a s3://b --delete")) == 1
    # sync needs a bucket on one side: from a local folder, a destination in a variable is a bucket
    assert len(_found('aws s3 sync ./dist "$TARGET" --delete')) == 1
    assert _found('aws s3 sync s3://site "$TARGET" --delete') == []  # a local folder or a bucket: unknown
    assert _found('aws s3 sync "$SOURCE" ./mirror --delete') == []


def test_helm_says_what_is_lost_and_what_stays():
    message = _one("helm uninstall web").message
    assert "PersistentVolumeClaim the chart declares" in message
    assert "volumeClaimTemplates" in message and "helm.sh/resource-policy: keep" in message


def test_a_crd_delete_says_every_custom_resource_goes():
    assert (
        "every custom resource of its kind, in every namespace" in _one("kubectl delete crd backups.velero.io").message
    )


def test_only_the_repository_itself_is_a_repository_delete():
    assert len(_found("gh api -X DELETE repos/acme/api?x=1")) == 1
    assert _found("gh api -X DELETE repos/acme/api/git/refs/heads/old") == []
    assert _found("gh api -X DELETE orgs/acme/members/someone") == []
    assert _found("gh api -X POST repos/acme/api/dispatches") == []


def _hook_answer(command: str, environ: dict) -> str:
    with tempfile.TemporaryDirectory() as folder:
        payload = json.dumps(claude("Bash", {"command": command}, folder)).encode()
        with tempfile.TemporaryFile("w+", encoding="utf-8") as answer:
            code = hook.run(None, None, stdin=io.BytesIO(payload), stdout=answer, environ=environ)
            answer.seek(0)
            text = answer.read()
    assert code == 0
    return json.loads(text)["hookSpecificOutput"]["permissionDecision"] if text.strip() else "allow"


@pytest.mark.parametrize(
    "command", ["helm uninstall web", "kubectl delete -f k8s/", "kubectl delete pvc data-0", "kubectl delete crd x.io"]
)
def test_the_hook_denies_a_cluster_delete_when_the_current_kube_context_is_production(command, tmp_path):
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\ncurrent-context: prod-eu\n", encoding="utf-8")
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    assert _hook_answer(command, environ) == "ask"
    assert _hook_answer(command, {**environ, "KUBECONFIG": str(kubeconfig)}) == "deny"


def test_the_api_reports_the_rule_by_name():
    (finding,) = check_text("gh repo delete acme/api --yes", filename="x.sh")
    assert (finding.rule_id, finding.rule_name) == ("SH502", "repository-delete")
