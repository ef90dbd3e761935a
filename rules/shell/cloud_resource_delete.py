"""SH501 cloud-resource-delete: cloud, Kubernetes and Helm commands that delete databases, buckets, disks,
snapshots, instances, clusters, namespaces and releases."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.frontends.shell.program_options import Syntax, parse
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.shell import _kubernetes_deletions as kubernetes
from blastguard.rules.shell._cloud_deletions import GCLOUD_TRACKS, SYNTAX, TABLES

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.program_options import Argv
    from blastguard.frontends.shell.unwrapped_commands import Command
    from blastguard.rules.shell._cloud_deletions import Deletion


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    severity = None
    if command.program in ("kubectl", "oc"):
        found = kubernetes.kubectl(command)
    elif command.program == "helm":
        found = kubernetes.helm(command)
    elif command.program == "argocd":
        found = kubernetes.argocd(command)
    elif command.program in TABLES:
        found, severity = _cloud(command)
    else:
        found = None
    if found is None:
        return
    message, names = found
    if command.arguments_from_stdin:  # `… | xargs aws ec2 terminate-instances --instance-ids`
        message += " What it deletes arrives on standard input, so it cannot be checked here."
    targets = tuple(f"deletes {n}" for n in names if document.source.context.names.matches(_bucket(n)))
    yield Hit(
        command.start,
        command.end,
        f"{message} Check the target and take a snapshot or backup first.",
        severity,
        production=targets,
    )


def _cloud(command: Command) -> tuple[tuple[str, list[str]] | None, Severity | None]:
    program = command.program
    argv = parse(command.words[1:], SYNTAX[program])[0]
    words = [w.value for w in argv.positionals]
    if program == "gcloud" and words[:1] and words[0] in GCLOUD_TRACKS:
        words = words[1:]
    skipped = len(argv.positionals) - len(words)
    for key, deletion in TABLES[program].items():
        if len(words) < len(key) or any(w not in k.split("|") for w, k in zip(words, key)):
            continue
        if deletion.takes_value:  # read again, so that a value of its own options is not a name
            syntax = SYNTAX[program]
            argv = parse(command.words[1:], Syntax(syntax.takes_value | deletion.takes_value, syntax.clusters))[0]
        if not _applies(deletion, argv, argv.positionals[skipped + len(key) :]):
            return None, None
        names = [w.value for w in argv.values(*deletion.names)] + [
            w.value for w in argv.positionals[skipped + len(key) :]
        ]
        shown = " ".join((program, *words[: len(key)], *names[: 2 if deletion.destination else 1]))
        if deletion.destination:  # `sync SOURCE DESTINATION`: only the destination loses anything
            names = names[1:2]
        unrecoverable = deletion.lost_for_good or argv.has(*deletion.unrecoverable)
        message = f"`{shown}` deletes {deletion.what}"
        message += ", with no snapshot or recovery window to bring it back." if unrecoverable else "."
        return (message, names), Severity.ERROR if unrecoverable else None
    return None, None


def _applies(deletion: Deletion, argv: Argv, operands: list) -> bool:
    """Whether the options and operands given make this command delete: what it requires is there, it
    is not a dry run, and a sync's destination is where it deletes."""
    if deletion.requires and not argv.has(*deletion.requires):
        return False
    if deletion.requires_value:
        option, wanted = deletion.requires_value
        given = argv.value(option)
        if given is None or (given.literal and given.value.lower() != wanted):
            return False
    if deletion.dry_run and _last_switch(argv, deletion.dry_run):
        return False
    if deletion.destination:
        if len(operands) < 2:
            return False
        source, target = operands[0], operands[1]
        # `aws s3 sync` needs a bucket on one side: from a local folder, the destination is a bucket.
        local_source = source.literal and not source.value.startswith(deletion.destination)
        return target.value.startswith(deletion.destination) or local_source
    return True


def _last_switch(argv: Argv, name: str) -> bool:
    """Whether the last of `--name` and `--no-name` given is `--name` (AWS CLI options: the last one wins)."""
    given = [o.name for o in argv.options if o.name in (name, "--no-" + name[2:])]
    return bool(given) and given[-1] == name


def _bucket(name: str) -> str:
    """`s3://prod-data/x` names the bucket prod-data; other names stand for themselves."""
    _, sep, rest = name.partition("://")
    return rest.split("/", 1)[0] if sep else name


RULE = Rule(
    id="SH501",
    name="cloud-resource-delete",
    language="shell",
    severity=Severity.WARNING,
    summary=(
        "A cloud, Kubernetes or Helm command that deletes what holds data: a database, bucket, disk, snapshot, "
        "instance, cluster, namespace or release."
    ),
    rationale=(
        "Cloud CLIs delete data-holding resources at once. AWS: `rds delete-db-instance|cluster|snapshot`, "
        "`s3 rm --recursive`, `s3 rb`, `s3api delete-bucket|delete-objects`, `s3 sync --delete` into a "
        "bucket, `dynamodb delete-table`, `ec2 terminate-instances|delete-volume|delete-snapshot`, EFS, "
        "ElastiCache, OpenSearch, EKS (and `eksctl delete cluster`), CloudFormation, ECR, Secrets Manager, KMS, AWS Backup. gcloud (any "
        "release track): Cloud SQL instances, databases and backups, `storage rm -r`, `storage buckets "
        "delete`, projects, `compute instances|disks|snapshots delete`, GKE, Spanner, Bigtable, Memorystore, "
        "Firestore, Filestore, AlloyDB, Pub/Sub subscriptions, secrets, Artifact Registry; `gsutil rm -r`, "
        "`bq rm -r`. az: resource groups, a deployment in Complete mode (it deletes what the template "
        "leaves out), SQL, PostgreSQL, MySQL, MariaDB, Cosmos DB accounts, databases and containers, storage "
        "accounts, containers, shares, file systems and `blob delete-batch`, VMs, disks, snapshots, AKS, "
        "ACR, Redis, Recovery Services vaults, key vaults. doctl: Droplets, volumes, snapshots, Kubernetes "
        "clusters, database clusters and databases, registries. Kubernetes: `kubectl delete "
        "namespace|pv|pvc|crd` (a CRD takes every custom resource of its kind), `kubectl delete -f|-k` "
        "(whatever the manifests declare), any `kubectl delete … --all` or across every namespace, `oc "
        "delete project`, `helm uninstall|delete` (the release's resources, and the volume claims its "
        "chart declares), and `argocd app delete` unless `--cascade=false` (the application's resources). Deleting a pod, a deployment or a service is not a finding: a controller brings "
        "pods back, and data lives in volumes. A bucket that must be empty still takes its configuration "
        "and its name, which any other account can then claim. What a command deletes may arrive on "
        "standard input (`… | xargs aws ec2 terminate-instances --instance-ids`): it is still a delete. "
        "They are warnings, and errors where nothing can bring the data back (`--skip-final-snapshot`, "
        "`s3 rb --force`, `keyvault purge`, `doctl kubernetes cluster delete --dangerous`) or where the "
        "target is production (`--profile prod`, AWS_PROFILE, `--context prod`, `--kube-context prod`, "
        "`-n production`, `--project prod-…`, a doctl `--context`, or a resource named like production). "
        "Read-only commands (`kubectl get -n production`, `aws s3 ls`, `helm list`) are not findings; nor "
        "is `aws s3 sync` without `--delete`, or with it into a local folder (it only trims a local copy). "
        "(A sync from a local folder goes into a bucket, even when a variable names it: one side is always "
        "a bucket.) Nor are dry runs, which delete nothing: `aws s3 rm|sync --dryrun`, `aws ec2 … --dry-run` (unless "
        "a later `--no-dry-run` undoes it), `az deployment group create --what-if`, `az storage blob "
        "delete-batch --dryrun`, `helm uninstall --dry-run`, and `kubectl delete --dry-run` alone or "
        "`=client`, `=server` or `=true`. `kubectl --dry-run=none` or `=false`, or a value held in a "
        "variable, still deletes and still reports. (`gsutil rm`, `gcloud storage rm`, `bq rm`, doctl and "
        "the other `az` deletes have no dry run.)"
    ),
    fix="Check the target, take a snapshot or backup, and delete by hand with the console's safeguards.",
    flag=(
        Example(
            "aws rds delete-db-instance --db-instance-identifier app --skip-final-snapshot",
            region=(1, 1, 1, 78),
            severity=Severity.ERROR,
            message="`aws rds delete-db-instance app` deletes the RDS instance",
        ),
        "aws --profile prod s3 rm s3://assets/uploads --recursive",
        "AWS_PROFILE=production aws dynamodb delete-table --table-name orders",
        "aws s3 rb s3://prod-data --force",
        "gcloud sql instances delete main-db --project prod-123 --quiet",
        "gsutil -m rm -r gs://backups/2024",
        "gcloud storage rm --recursive gs://exports/",
        "az group delete --name rg-app --yes",
        "kubectl delete namespace payments",
        "kubectl --context prod-eu delete ns/payments",
        "kubectl delete pvc data-postgres-0 -n production",
        "kubectl delete pods --all -n staging",
        Example(
            "aws --profile prod s3 rm s3://prod-data/exports --recursive",
            severity=Severity.ERROR,
            message="`aws s3 rm s3://prod-data/exports` deletes every object under that prefix.",
        ),
        "kubectl delete namespace payments --dry-run=none",
        "kubectl delete namespace payments --dry-run=false",
        'kubectl delete namespace payments --dry-run="$MODE"',
        "aws ec2 delete-volume --volume-id vol-0a1b2c --dry-run --no-dry-run",
        "aws ec2 delete-volume --volume-id vol-0a1b2c",
        # helm
        Example(
            "helm uninstall web -n staging",
            severity=Severity.WARNING,
            message="`helm uninstall web` removes the release and every resource its chart created",
        ),
        "helm delete --purge web",
        "helm --kube-context dev uninstall web --keep-history",
        "helm uninstall web --dry-run=false",
        Example("helm uninstall web -n production", severity=Severity.ERROR),
        # kubectl: manifests, definitions, scope
        Example("kubectl delete -f k8s/", message="removes every resource those manifests declare"),
        "kubectl delete -k overlays/staging",
        "kubectl delete --filename=https://example.com/app.yaml",
        "cat app.yaml | kubectl delete -f -",
        Example(
            "kubectl delete crd certificates.cert-manager.io",
            message="every custom resource of its kind, in every namespace",
        ),
        "kubectl delete customresourcedefinitions.apiextensions.k8s.io/backups.velero.io",
        "kubectl delete pv,pvc --all -n data",
        "kubectl delete pods --all-namespaces --field-selector=status.phase=Running",
        Example("kubectl delete all --all -n staging", message="removes all resources in the namespace"),
        "oc delete project payments",
        Example("argocd app delete payments --yes", message="every Kubernetes resource it manages"),
        "argocd app delete -l team=payments --cascade",
        Example("argocd --kube-context prod-eu app delete payments -y", severity=Severity.ERROR),
        "eksctl delete cluster --name dev --region eu-west-1",
        Example("eksctl delete cluster -n payments --profile prod", severity=Severity.ERROR),
        # aws
        Example(
            "aws ec2 terminate-instances --instance-ids i-0abc i-0def",
            message="`aws ec2 terminate-instances i-0abc` deletes the EC2 instances",
        ),
        Example(
            "aws ec2 describe-instances --filters Name=tag:env,Values=ci --output text | "
            "xargs aws ec2 terminate-instances --instance-ids",
            message="arrives on standard input",
        ),
        "aws ec2 delete-snapshot --snapshot-id snap-0a1b",
        "aws ec2 terminate-instances --instance-ids i-0abc --dry-run --no-dry-run",
        "aws rds delete-db-snapshot --db-snapshot-identifier app-2024-01-01",
        "aws s3api delete-bucket --bucket old-logs",
        "aws s3 rb s3://old-logs",
        "aws s3api delete-objects --bucket logs --delete file://keys.json",
        Example(
            "aws s3 sync ./dist s3://site-bucket --delete",
            message="`aws s3 sync ./dist s3://site-bucket` deletes every object in the bucket",
        ),
        "aws s3 sync --delete --acl public-read ./dist s3://site-bucket/app",
        'aws s3 sync ./dist "$SITE_BUCKET" --delete',  # from a local folder, the destination is a bucket
        Example("aws s3 sync ./dist s3://prod-site --delete", severity=Severity.ERROR),
        # gcloud
        "gcloud compute instances delete vm-1 --zone europe-west1-b --quiet",
        "gcloud beta sql instances delete main-db",
        "gcloud sql backups delete 1700000000000 --instance main-db",
        "gcloud storage buckets delete gs://old-exports",
        "gcloud pubsub subscriptions delete orders-worker",
        "gcloud compute snapshots delete disk-1-nightly",
        # az
        "az vm delete -g rg-app -n vm-1 --yes",
        "az sql db delete -g rg-app -s sql-app -n app --yes",
        "az cosmosdb sql container delete -a cosmos-app -d app -n orders --yes",
        "az postgres flexible-server delete -g rg-app -n pg-app --yes",
        "az storage blob delete-batch --account-name stapp -s uploads",
        "az deployment group create -g rg-app -f main.bicep --mode Complete",
        "az deployment group create -g rg-app -f main.bicep --mode complete --confirm-with-what-if",
        # doctl
        "doctl compute droplet delete web-1 --force",
        "doctl compute volume delete 7724db7c --force",
        "doctl databases delete 9cc10173 --force",
        "doctl databases db delete 9cc10173 app",
        Example("doctl kubernetes cluster delete dev --dangerous", severity=Severity.ERROR),
        "doctl k8s cluster rm dev",
        Example("doctl --context prod compute volume delete 7724db7c", severity=Severity.ERROR),
    ),
    clean=(
        "kubectl get pods -n production",
        "kubectl delete pod web-7d9f -n production",
        "aws s3 ls s3://prod-data",
        "aws s3 rm s3://assets/tmp/file.txt",
        "gcloud sql instances list --project prod-123",
        "kubectl delete namespace payments --dry-run=client",
        "kubectl delete namespace payments --dry-run=server",
        "kubectl delete pvc data-postgres-0 -n production --dry-run",
        "aws s3 rm s3://assets/uploads --recursive --dryrun",
        "aws --profile prod s3 rm --dryrun s3://prod-data/exports --recursive",
        "aws ec2 delete-volume --volume-id vol-0a1b2c --dry-run",
        "echo 'kubectl delete namespace payments'",
        # helm
        "helm uninstall web --dry-run",
        "helm list -n production",
        "helm status web -n production",
        "helm upgrade --install web ./chart -n production",
        "helm rollback web 3",
        "helm plugin uninstall diff",
        "argocd app delete payments --cascade=false",
        "argocd app sync payments",
        "argocd app diff payments",
        "eksctl get cluster",
        "eksctl delete nodegroup --cluster dev --name spot-1",
        "kind delete cluster --name dev",
        "minikube delete",
        # kubectl
        "kubectl apply -f k8s/",
        "kubectl diff -k overlays/prod",
        "kubectl delete -f k8s/ --dry-run=client",
        "kubectl delete -k overlays/staging --dry-run=server",
        "kubectl delete pod web-7d9f --grace-period=0 --force",
        "kubectl delete deployment web -n staging",
        "kubectl delete job migrate-42",
        "kubectl get crd",
        "kubectl logs deploy/web --all-containers",
        "kubectl get pods --all-namespaces",
        # aws
        "aws ec2 describe-instances --filters Name=tag:env,Values=ci",
        "aws ec2 terminate-instances --instance-ids i-0abc --dry-run",
        "aws ec2 delete-snapshot --snapshot-id snap-0a1b --dry-run",
        "aws ec2 describe-snapshots --owner-ids self",
        "aws s3api list-objects-v2 --bucket logs",
        "aws s3api get-bucket-policy --bucket logs",
        "aws s3api delete-object --bucket logs --key tmp/one.txt",
        "aws s3 sync ./dist s3://site-bucket",
        "aws s3 sync s3://site-bucket ./mirror --delete",
        'aws s3 sync "$SOURCE" ./mirror --delete',
        "aws s3 sync ./dist --delete",
        "aws s3 sync ./dist s3://site-bucket --delete --dryrun",
        "aws s3 cp ./dist/index.html s3://site-bucket/index.html",
        # gcloud
        "gcloud compute instances list",
        "gcloud compute instances stop vm-1 --zone europe-west1-b",
        "gcloud storage buckets describe gs://exports",
        "gcloud sql backups list --instance main-db",
        "gcloud beta sql instances describe main-db",
        "gcloud pubsub topics delete orders",  # subscriptions keep their messages
        # az
        "az vm list -g rg-app",
        "az vm deallocate -g rg-app -n vm-1",
        "az deployment group create -g rg-app -f main.bicep",
        "az deployment group create -g rg-app -f main.bicep --mode Incremental",
        "az deployment group create -g rg-app -f main.bicep --mode Complete --what-if",
        "az deployment group what-if -g rg-app -f main.bicep --mode Complete",
        "az storage blob delete-batch --account-name stapp -s uploads --dryrun",
        "az storage blob list --account-name stapp -c uploads",
        # doctl
        "doctl compute droplet list",
        "doctl databases list",
        "doctl kubernetes cluster kubeconfig save dev",
        "doctl compute droplet-action reboot 123",
    ),
    check=check,
    escalates=True,
    keywords=("aws", "gcloud", "gsutil", "bq", "az", "doctl", "eksctl", "kubectl", "oc", "helm", "argocd"),
    precision="high",
    tags=("cloud", "data-loss"),
)
