"""SH501 cloud-resource-delete: cloud CLI commands that delete databases, buckets, disks, clusters and namespaces."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.frontends.shell.program_options import GLOBAL_OPTIONS, Syntax, options, parse
from blastguard.model import Severity
from blastguard.records import Record, record
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command


@record(frozen=True)
class Deletion(Record):
    what: str  # "the RDS instance"
    names: tuple[str, ...] = ()  # options naming what is deleted (positionals always do)
    requires: tuple[str, ...] = ()  # only a finding with one of these options (`s3 rm --recursive`)
    unrecoverable: tuple[str, ...] = ()  # with one of these it is an error (`--skip-final-snapshot`)
    lost_for_good: bool = False  # an error whatever the options (`az keyvault purge`)
    dry_run: str = ""  # the CLI's own option for a run that deletes nothing (`s3 rm --dryrun`)


# Keyed by the command's leading positionals after the program: ("rds", "delete-db-instance").
_AWS = {
    ("rds", "delete-db-instance"): Deletion(
        "the RDS instance", ("--db-instance-identifier",), unrecoverable=("--skip-final-snapshot",)
    ),
    ("rds", "delete-db-cluster"): Deletion(
        "the RDS cluster", ("--db-cluster-identifier",), unrecoverable=("--skip-final-snapshot",)
    ),
    ("docdb", "delete-db-cluster"): Deletion(
        "the DocumentDB cluster", ("--db-cluster-identifier",), unrecoverable=("--skip-final-snapshot",)
    ),
    ("redshift", "delete-cluster"): Deletion(
        "the Redshift cluster", ("--cluster-identifier",), unrecoverable=("--skip-final-cluster-snapshot",)
    ),
    ("s3", "rm"): Deletion("every object under that prefix", requires=("--recursive",), dry_run="--dryrun"),
    ("s3", "rb"): Deletion("the bucket and every object in it", requires=("--force",), unrecoverable=("--force",)),
    ("dynamodb", "delete-table"): Deletion("the DynamoDB table", ("--table-name",)),
    # EC2's `--dry-run` only checks permissions; a later `--no-dry-run` undoes it.
    ("ec2", "delete-volume"): Deletion("the EBS volume", ("--volume-id",), dry_run="--dry-run"),
    ("efs", "delete-file-system"): Deletion("the EFS file system", ("--file-system-id",)),
    ("elasticache", "delete-replication-group"): Deletion(
        "the ElastiCache replication group", ("--replication-group-id",)
    ),
    ("elasticache", "delete-cache-cluster"): Deletion("the ElastiCache cluster", ("--cache-cluster-id",)),
    ("opensearch", "delete-domain"): Deletion("the OpenSearch domain", ("--domain-name",)),
    ("eks", "delete-cluster"): Deletion("the EKS cluster", ("--name",)),
    ("cloudformation", "delete-stack"): Deletion("the CloudFormation stack and its resources", ("--stack-name",)),
    ("ecr", "delete-repository"): Deletion(
        "the ECR repository and its images", ("--repository-name",), requires=("--force",)
    ),
    ("secretsmanager", "delete-secret"): Deletion(
        "the secret",
        ("--secret-id",),
        requires=("--force-delete-without-recovery",),
        unrecoverable=("--force-delete-without-recovery",),
    ),
    ("kms", "schedule-key-deletion"): Deletion("the KMS key, and with it everything encrypted under it", ("--key-id",)),
}
_GCLOUD = {
    ("sql", "instances", "delete"): Deletion("the Cloud SQL instance and its backups"),
    ("sql", "databases", "delete"): Deletion("the Cloud SQL database"),
    ("storage", "rm"): Deletion("every object under that prefix", requires=("-r", "--recursive")),
    ("projects", "delete"): Deletion("the project and every resource in it"),
    ("compute", "disks", "delete"): Deletion("the persistent disk"),
    ("container", "clusters", "delete"): Deletion("the GKE cluster"),
    ("spanner", "instances", "delete"): Deletion("the Spanner instance"),
    ("spanner", "databases", "delete"): Deletion("the Spanner database"),
    ("bigtable", "instances", "delete"): Deletion("the Bigtable instance"),
    ("redis", "instances", "delete"): Deletion("the Memorystore instance"),
    ("firestore", "databases", "delete"): Deletion("the Firestore database"),
    ("filestore", "instances", "delete"): Deletion("the Filestore instance"),
    ("alloydb", "clusters", "delete"): Deletion("the AlloyDB cluster"),
}
_GSUTIL = {("rm",): Deletion("every object under that prefix", requires=("-r", "-R"))}
_BQ = {("rm",): Deletion("the BigQuery dataset and its tables", requires=("-r", "--recursive"))}
_AZ = {
    ("group", "delete"): Deletion(
        "the resource group and every resource in it", ("-n", "--name", "-g", "--resource-group")
    ),
    ("sql", "db", "delete"): Deletion("the Azure SQL database", ("-n", "--name")),
    ("sql", "server", "delete"): Deletion("the Azure SQL server and its databases", ("-n", "--name")),
    ("postgres", "flexible-server", "delete"): Deletion("the PostgreSQL server", ("-n", "--name")),
    ("postgres", "server", "delete"): Deletion("the PostgreSQL server", ("-n", "--name")),
    ("mysql", "flexible-server", "delete"): Deletion("the MySQL server", ("-n", "--name")),
    ("mysql", "server", "delete"): Deletion("the MySQL server", ("-n", "--name")),
    ("cosmosdb", "delete"): Deletion("the Cosmos DB account", ("-n", "--name")),
    ("storage", "account", "delete"): Deletion("the storage account and its data", ("-n", "--name")),
    ("storage", "container", "delete"): Deletion("the storage container and its blobs", ("-n", "--name")),
    ("aks", "delete"): Deletion("the AKS cluster", ("-n", "--name")),
    ("redis", "delete"): Deletion("the Azure Cache for Redis", ("-n", "--name")),
    ("keyvault", "purge"): Deletion("the key vault for good (purged)", ("-n", "--name"), lost_for_good=True),
}
_TABLES = {"aws": _AWS, "gcloud": _GCLOUD, "gsutil": _GSUTIL, "bq": _BQ, "az": _AZ}
_SYNTAX = {
    "aws": Syntax(
        GLOBAL_OPTIONS["aws"].takes_value
        | {o for d in _AWS.values() for o in d.names}
        | options(
            "--exclude",
            "--include",
            "--request-payer",
            "--expected-bucket-owner",
            "--final-db-snapshot-identifier",
            "--recovery-window-in-days",
            "--pending-window-in-days",
        ),
        clusters=False,
    ),
    "gcloud": GLOBAL_OPTIONS["gcloud"],
    "gsutil": GLOBAL_OPTIONS["gsutil"],
    "bq": GLOBAL_OPTIONS["bq"],
    "az": Syntax(
        GLOBAL_OPTIONS["az"].takes_value | options("-n", "--name", "-g", "--resource-group", "-s", "--server"),
        clusters=False,
    ),
}
# kubectl resources whose deletion loses data, by every name kubectl accepts for them.
_KUBERNETES = {
    "namespace": "the namespace and everything in it",
    "namespaces": "the namespace and everything in it",
    "ns": "the namespace and everything in it",
    "pv": "the persistent volume",
    "persistentvolume": "the persistent volume",
    "persistentvolumes": "the persistent volume",
    "pvc": "the persistent volume claim (and, usually, its volume)",
    "persistentvolumeclaim": "the persistent volume claim (and, usually, its volume)",
    "persistentvolumeclaims": "the persistent volume claim (and, usually, its volume)",
}


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    if command.program in ("kubectl", "oc"):
        found = _kubectl(command)
    elif command.program in _TABLES:
        found = _cloud(command)
    else:
        found = None
    if found is None:
        return
    message, severity, names = found
    targets = tuple(f"deletes {n}" for n in names if document.source.context.names.matches(_bucket(n)))
    yield Hit(
        command.start,
        command.end,
        f"{message} Check the target and take a snapshot or backup first.",
        severity,
        production=targets,
    )


def _cloud(command):
    program = command.program
    argv = parse(command.words[1:], _SYNTAX[program])[0]
    words = [w.value for w in argv.positionals]
    for key, deletion in _TABLES[program].items():
        if tuple(words[: len(key)]) != key:
            continue
        if deletion.requires and not argv.has(*deletion.requires):
            return None
        if deletion.dry_run and _last_switch(argv, deletion.dry_run):
            return None
        names = [w.value for w in argv.positionals[len(key) :]] + [w.value for w in argv.values(*deletion.names)]
        unrecoverable = deletion.lost_for_good or argv.has(*deletion.unrecoverable)
        shown = " ".join((program, *key, *names[:1]))
        message = f"`{shown}` deletes {deletion.what}"
        message += ", with no snapshot or recovery window to bring it back." if unrecoverable else "."
        return message, Severity.ERROR if unrecoverable else None, names
    return None


def _kubectl(command):
    argv = parse(command.words[1:], GLOBAL_OPTIONS["kubectl"])[0]
    words = argv.positionals
    if not words or words[0].value != "delete" or _kubectl_dry_run(argv):
        return None
    kinds, names = [], []
    for word in words[1:]:
        kind, slash, name = word.value.partition("/")
        if slash:
            kinds.append(kind.lower())
            names.append(name)
        elif not kinds:
            kinds += word.value.lower().split(",")
        else:
            names.append(word.value)
    losses = [_KUBERNETES[k] for k in kinds if k in _KUBERNETES]
    every = argv.has("--all", "-A", "--all-namespaces")
    if not losses and not every:
        return None
    scope = "every namespace" if argv.has("-A", "--all-namespaces") else "the namespace"
    what = losses[0] if losses else f"all {', '.join(kinds) or 'resources'} in {scope}"
    shown = " ".join((command.program, "delete", *kinds[:1], *names[:1]))
    return f"`{shown}` removes {what}.", None, names


def _last_switch(argv, name: str) -> bool:
    """Whether the last of `--name` and `--no-name` given is `--name` (AWS CLI options: the last one wins)."""
    given = [o.name for o in argv.options if o.name in (name, "--no-" + name[2:])]
    return bool(given) and given[-1] == name


# kubectl's `--dry-run` values that still delete: `none`, and the old boolean false (Go's ParseBool).
_KUBECTL_DELETES = frozenset({"none", "false", "False", "FALSE", "f", "F", "0"})


def _kubectl_dry_run(argv) -> bool:
    """`--dry-run`, `=client`, `=server` or `=true` deletes nothing; `=none`, `=false` or an unknown value may."""
    given = [o for o in argv.options if o.name == "--dry-run"]
    if not given:
        return False
    value = given[-1].value  # a bare `--dry-run` is the old spelling of `--dry-run=client`
    return value is None or (value.literal and value.value not in _KUBECTL_DELETES)


def _bucket(name: str) -> str:
    """`s3://prod-data/x` names the bucket prod-data; other names stand for themselves."""
    _, sep, rest = name.partition("://")
    return rest.split("/", 1)[0] if sep else name


RULE = Rule(
    id="SH501",
    name="cloud-resource-delete",
    language="shell",
    severity=Severity.WARNING,
    summary="A cloud or Kubernetes CLI command that deletes a database, bucket, disk, cluster or namespace.",
    rationale=(
        "Cloud CLIs delete data-holding resources at once: `aws rds delete-db-instance`, `aws s3 rm "
        "--recursive`, `aws dynamodb delete-table`, `gcloud sql instances delete`, `gsutil rm -r`, `az group "
        "delete`, `kubectl delete namespace|pv|pvc` and any `kubectl delete … --all`. They are warnings, and "
        "errors where nothing can bring the data back (`--skip-final-snapshot`, `s3 rb --force`, `keyvault "
        "purge`) or where the target is production (`--profile prod`, AWS_PROFILE, `--context prod`, "
        "`-n production`, `--project prod-…`, or a resource named like production). Read-only commands "
        "(`kubectl get -n production`, `aws s3 ls`) are not findings, and nor are dry runs, which delete "
        "nothing: `aws s3 rm --dryrun`, `aws ec2 delete-volume --dry-run` (unless a later `--no-dry-run` "
        "undoes it) and `kubectl delete --dry-run` alone or `=client`, `=server` or `=true`. `kubectl "
        "--dry-run=none` or `=false`, or a value held in a variable, still deletes and still reports. "
        "(`gsutil rm`, `gcloud storage rm`, `bq rm` and the `az` deletes have no dry run.)"
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
    ),
    clean=(
        "kubectl get pods -n production",
        "kubectl delete pod web-7d9f -n production",
        "aws s3 ls s3://prod-data",
        "aws s3 rm s3://assets/tmp/file.txt",
        "aws s3 rb s3://empty-bucket",
        "gcloud sql instances list --project prod-123",
        "kubectl delete namespace payments --dry-run=client",
        "kubectl delete namespace payments --dry-run=server",
        "kubectl delete pvc data-postgres-0 -n production --dry-run",
        "aws s3 rm s3://assets/uploads --recursive --dryrun",
        "aws --profile prod s3 rm --dryrun s3://prod-data/exports --recursive",
        "aws ec2 delete-volume --volume-id vol-0a1b2c --dry-run",
        "echo 'kubectl delete namespace payments'",
    ),
    check=check,
    escalates=True,
    keywords=("aws", "gcloud", "gsutil", "bq", "az", "kubectl", "oc"),
    precision="high",
    tags=("cloud", "data-loss"),
)
