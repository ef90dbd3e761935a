"""What each cloud CLI deletes, as SH501 reads it: the commands, the options that name the target,
and the options that make a delete unrecoverable, conditional, or a dry run.

A table is keyed by the command's leading positionals after the program, ("rds", "delete-db-instance");
a key word may list the CLI's aliases for it, "delete|rm" (doctl). Each entry says what is lost.
"""

from __future__ import annotations

from blastguard.frontends.shell.program_options import GLOBAL_OPTIONS, Syntax, options
from blastguard.records import Record, record


@record(frozen=True)
class Deletion(Record):
    what: str  # "the RDS instance"
    names: tuple[str, ...] = ()  # options naming what is deleted (positionals always do)
    requires: tuple[str, ...] = ()  # only a finding with one of these options (`s3 rm --recursive`)
    unrecoverable: tuple[str, ...] = ()  # with one of these it is an error (`--skip-final-snapshot`)
    lost_for_good: bool = False  # an error whatever the options (`az keyvault purge`)
    dry_run: str = ""  # the CLI's own option for a run that deletes nothing (`s3 rm --dryrun`)
    # Only a finding when this option has this value, in any case: ("--mode", "complete").
    requires_value: tuple[str, str] | None = None
    # Only a finding when the destination (the second path) starts with this: `s3 sync … s3://b --delete`.
    destination: str = ""
    takes_value: frozenset[str] = frozenset()  # this command's own options that take a value


_SNAPSHOT = ("--skip-final-snapshot",)
AWS: dict[tuple[str, ...], Deletion] = {
    ("rds", "delete-db-instance"): Deletion("the RDS instance", ("--db-instance-identifier",), unrecoverable=_SNAPSHOT),
    ("rds", "delete-db-cluster"): Deletion("the RDS cluster", ("--db-cluster-identifier",), unrecoverable=_SNAPSHOT),
    ("rds", "delete-db-snapshot"): Deletion("the RDS snapshot, a backup", ("--db-snapshot-identifier",)),
    ("rds", "delete-db-cluster-snapshot"): Deletion(
        "the RDS cluster snapshot, a backup", ("--db-cluster-snapshot-identifier",)
    ),
    ("docdb", "delete-db-cluster"): Deletion(
        "the DocumentDB cluster", ("--db-cluster-identifier",), unrecoverable=_SNAPSHOT
    ),
    ("redshift", "delete-cluster"): Deletion(
        "the Redshift cluster", ("--cluster-identifier",), unrecoverable=("--skip-final-cluster-snapshot",)
    ),
    ("s3", "rm"): Deletion("every object under that prefix", requires=("--recursive",), dry_run="--dryrun"),
    # Without `--force` the bucket has to be empty, but its policy, lifecycle and replication go with it,
    # and its name is free for any other account to claim (and then to receive what still points at it).
    ("s3", "rb"): Deletion(
        "the bucket, its configuration and its name (with --force, every object in it first)",
        unrecoverable=("--force",),
    ),
    # `sync --delete` removes from the destination what the source lacks: in a bucket, objects for good
    # (unless versioned); into a local folder it only trims a local copy.
    ("s3", "sync"): Deletion(
        "every object in the bucket that the source does not have",
        requires=("--delete",),
        dry_run="--dryrun",
        destination="s3://",
    ),
    # Like `s3 rb` without `--force`: the bucket has to be empty.
    ("s3api", "delete-bucket"): Deletion("the bucket, its configuration, and its name", ("--bucket",)),
    ("s3api", "delete-objects"): Deletion(
        "every object listed in --delete (with a VersionId, that version for good)",
        ("--bucket",),
        takes_value=options("--delete", "--mfa", "--bypass-governance-retention", "--checksum-algorithm"),
    ),
    ("dynamodb", "delete-table"): Deletion("the DynamoDB table", ("--table-name",)),
    ("dynamodb", "delete-backup"): Deletion("the DynamoDB backup", ("--backup-arn",)),
    # EC2's `--dry-run` only checks permissions; a later `--no-dry-run` undoes it.
    ("ec2", "delete-volume"): Deletion("the EBS volume", ("--volume-id",), dry_run="--dry-run"),
    ("ec2", "delete-snapshot"): Deletion("the EBS snapshot, a backup", ("--snapshot-id",), dry_run="--dry-run"),
    ("ec2", "terminate-instances"): Deletion(
        "the EC2 instances, their instance-store data, and every volume set to delete on termination "
        "(the root volume, by default)",
        ("--instance-ids",),
        dry_run="--dry-run",
    ),
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
    ("backup", "delete-recovery-point"): Deletion("the AWS Backup recovery point", ("--recovery-point-arn",)),
}
GCLOUD: dict[tuple[str, ...], Deletion] = {
    ("sql", "instances", "delete"): Deletion("the Cloud SQL instance and its backups"),
    ("sql", "databases", "delete"): Deletion("the Cloud SQL database"),
    ("sql", "backups", "delete"): Deletion("the Cloud SQL backup"),
    ("storage", "rm"): Deletion("every object under that prefix", requires=("-r", "--recursive")),
    # Like `s3api delete-bucket`: it must be empty, and its name is then free for anyone.
    ("storage", "buckets", "delete"): Deletion("the bucket, its configuration, and its name"),
    ("projects", "delete"): Deletion("the project and every resource in it"),
    ("compute", "instances", "delete"): Deletion(
        "the VM instance and the disks set to auto-delete with it (the boot disk, by default)"
    ),
    ("compute", "disks", "delete"): Deletion("the persistent disk"),
    ("compute", "snapshots", "delete"): Deletion("the disk snapshot, a backup"),
    ("container", "clusters", "delete"): Deletion("the GKE cluster"),
    ("spanner", "instances", "delete"): Deletion("the Spanner instance"),
    ("spanner", "databases", "delete"): Deletion("the Spanner database"),
    ("bigtable", "instances", "delete"): Deletion("the Bigtable instance"),
    ("redis", "instances", "delete"): Deletion("the Memorystore instance"),
    ("firestore", "databases", "delete"): Deletion("the Firestore database"),
    ("filestore", "instances", "delete"): Deletion("the Filestore instance"),
    ("alloydb", "clusters", "delete"): Deletion("the AlloyDB cluster"),
    ("pubsub", "subscriptions", "delete"): Deletion("the subscription and its unacknowledged messages"),
    ("secrets", "delete"): Deletion("the secret and every version of it"),
    ("artifacts", "repositories", "delete"): Deletion("the Artifact Registry repository and its packages"),
}
# gcloud's release tracks come before the command group: `gcloud beta sql instances delete`.
GCLOUD_TRACKS = frozenset({"alpha", "beta", "preview"})
GSUTIL: dict[tuple[str, ...], Deletion] = {("rm",): Deletion("every object under that prefix", requires=("-r", "-R"))}
BQ: dict[tuple[str, ...], Deletion] = {
    ("rm",): Deletion("the BigQuery dataset and its tables", requires=("-r", "--recursive"))
}
_NAME = ("-n", "--name")
_COMPLETE = ("--mode", "complete")
AZ: dict[tuple[str, ...], Deletion] = {
    ("group", "delete"): Deletion("the resource group and every resource in it", (*_NAME, "-g", "--resource-group")),
    # Complete mode deletes every resource of the group that the template does not declare.
    ("deployment", "group", "create"): Deletion(
        "every resource in the resource group that the template does not declare",
        ("-g", "--resource-group"),
        requires_value=_COMPLETE,
        dry_run="--what-if",
    ),
    ("group", "deployment", "create"): Deletion(
        "every resource in the resource group that the template does not declare",
        ("-g", "--resource-group"),
        requires_value=_COMPLETE,
    ),
    ("sql", "db", "delete"): Deletion("the Azure SQL database", _NAME),
    ("sql", "server", "delete"): Deletion("the Azure SQL server and its databases", _NAME),
    ("sql", "mi", "delete"): Deletion("the SQL managed instance and its databases", _NAME),
    ("postgres", "flexible-server", "delete"): Deletion("the PostgreSQL server", _NAME),
    ("postgres", "server", "delete"): Deletion("the PostgreSQL server", _NAME),
    ("postgres", "flexible-server", "db", "delete"): Deletion("the PostgreSQL database", ("-d", "--database-name")),
    ("mysql", "flexible-server", "delete"): Deletion("the MySQL server", _NAME),
    ("mysql", "server", "delete"): Deletion("the MySQL server", _NAME),
    ("mysql", "flexible-server", "db", "delete"): Deletion("the MySQL database", ("-d", "--database-name")),
    ("mariadb", "server", "delete"): Deletion("the MariaDB server", _NAME),
    ("cosmosdb", "delete"): Deletion("the Cosmos DB account", _NAME),
    ("cosmosdb", "sql", "database", "delete"): Deletion("the Cosmos DB database and its containers", _NAME),
    ("cosmosdb", "sql", "container", "delete"): Deletion("the Cosmos DB container and its items", _NAME),
    ("cosmosdb", "mongodb", "database", "delete"): Deletion("the Cosmos DB database and its collections", _NAME),
    ("cosmosdb", "mongodb", "collection", "delete"): Deletion("the Cosmos DB collection and its documents", _NAME),
    ("storage", "account", "delete"): Deletion("the storage account and its data", _NAME),
    ("storage", "container", "delete"): Deletion("the storage container and its blobs", _NAME),
    ("storage", "share", "delete"): Deletion("the file share and its files", _NAME),
    ("storage", "fs", "delete"): Deletion("the Data Lake file system and its files", _NAME),
    ("storage", "blob", "delete-batch"): Deletion(
        "every blob in the container that matches (all of them, without --pattern)",
        ("-s", "--source"),
        dry_run="--dryrun",
    ),
    ("vm", "delete"): Deletion("the virtual machine and the disks set to be deleted with it", _NAME),
    ("disk", "delete"): Deletion("the managed disk", _NAME),
    ("snapshot", "delete"): Deletion("the disk snapshot, a backup", _NAME),
    ("aks", "delete"): Deletion("the AKS cluster", _NAME),
    ("acr", "delete"): Deletion("the container registry and its images", _NAME),
    ("redis", "delete"): Deletion("the Azure Cache for Redis", _NAME),
    ("backup", "vault", "delete"): Deletion("the Recovery Services vault", _NAME),
    ("keyvault", "delete"): Deletion("the key vault (soft-deleted: it can be recovered until purged)", _NAME),
    ("keyvault", "purge"): Deletion("the key vault for good (purged)", _NAME, lost_for_good=True),
}
_REMOVE = "delete|rm|d|del"
DOCTL: dict[tuple[str, ...], Deletion] = {
    ("compute", "droplet|d", _REMOVE): Deletion("the Droplet and its disk"),
    ("compute", "volume", _REMOVE): Deletion("the block storage volume"),
    ("compute", "snapshot", _REMOVE): Deletion("the snapshot, a backup"),
    # `--dangerous` deletes the cluster's volumes, volume snapshots and load balancers with it.
    ("kubernetes|k8s|k", "cluster|c", _REMOVE): Deletion(
        "the Kubernetes cluster (with `--dangerous`, its volumes, volume snapshots and load balancers too)",
        unrecoverable=("--dangerous",),
    ),
    ("databases|database|db|dbs", "db", _REMOVE): Deletion("the database in that cluster"),
    ("databases|database|db|dbs", _REMOVE): Deletion("the managed database cluster and its databases"),
    ("registry|reg|r", _REMOVE): Deletion("the container registry and its images"),
}
EKSCTL: dict[tuple[str, ...], Deletion] = {
    ("delete", "cluster"): Deletion(
        "the EKS cluster, its node groups and the stacks eksctl made for them", ("-n", "--name")
    ),
}
TABLES: dict[str, dict[tuple[str, ...], Deletion]] = {
    "aws": AWS,
    "gcloud": GCLOUD,
    "gsutil": GSUTIL,
    "bq": BQ,
    "az": AZ,
    "doctl": DOCTL,
    "eksctl": EKSCTL,
}
SYNTAX = {
    "aws": Syntax(
        GLOBAL_OPTIONS["aws"].takes_value
        | {o for d in AWS.values() for o in d.names}
        | options(
            "--exclude",
            "--include",
            "--request-payer",
            "--expected-bucket-owner",
            "--final-db-snapshot-identifier",
            "--recovery-window-in-days",
            "--pending-window-in-days",
            "--backup-vault-name",
            # `s3 sync`'s, so that a value is not read as one of its two paths
            "--acl",
            "--storage-class",
            "--sse",
            "--sse-kms-key-id",
            "--sse-c",
            "--sse-c-key",
            "--cache-control",
            "--content-type",
            "--content-encoding",
            "--content-language",
            "--content-disposition",
            "--metadata",
            "--metadata-directive",
            "--expires",
            "--grants",
            "--website-redirect",
            "--source-region",
            "--page-size",
            "--sse-c-copy-source",
            "--sse-c-copy-source-key",
            "--checksum-algorithm",
        ),
        clusters=False,
    ),
    "gcloud": GLOBAL_OPTIONS["gcloud"],
    "gsutil": GLOBAL_OPTIONS["gsutil"],
    "bq": GLOBAL_OPTIONS["bq"],
    "az": Syntax(
        GLOBAL_OPTIONS["az"].takes_value
        | options(
            *_NAME,
            "-g",
            "--resource-group",
            "-s",
            "--server",
            "--source",
            "-d",
            "--database-name",
            "-a",
            "--account-name",
            "--account-key",
            "--connection-string",
            "--sas-token",
            "--pattern",
            "--mode",
            "-f",
            "--template-file",
            "-u",
            "--template-uri",
            "-p",
            "--parameters",
            "--vault-name",
            "--ids",
            "-l",
            "--location",
        ),
        clusters=False,
    ),
    "doctl": GLOBAL_OPTIONS["doctl"],
    "eksctl": GLOBAL_OPTIONS["eksctl"],
}
