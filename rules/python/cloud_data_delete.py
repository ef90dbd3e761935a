"""PY401 cloud-data-delete: a cloud SDK call that deletes a database, bucket, table or backup with its data."""

from __future__ import annotations

import libcst as cst

from blastguard.examples import Example
from blastguard.frontends.python.string_values import code_of
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.python._listings import listing, whole
from blastguard.rules.python._orm import chain

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.python.calls import Call
    from blastguard.frontends.python.frontend import PythonDocument

_FIX = (
    "Keep a way back: take a snapshot, backup or export first, delete only what you mean, and tear "
    "stores down through reviewed infrastructure code rather than a script."
)

_EVERY_BLOB = "every object of the Cloud Storage bucket, one by one: the listing has no `prefix`"
_EMPTY_FIX = (
    "Delete the prefix you mean (`Prefix=`/`prefix=` on the listing) and keep versioning or soft delete on, "
    "or let a lifecycle rule expire old objects."
)
_BOTO = frozenset({"boto3", "aioboto3", "botocore", "aiobotocore"})
# Collections of an S3 bucket that `.delete()` empties, and what goes.
_S3_COLLECTIONS = {"objects": "every object", "object_versions": "every version of every object"}
# Links of a collection that keep every object (`filter()` is judged separately).
_KEEPS_OBJECTS = frozenset({"all", "page_size"})
# Calls that give a bucket (boto3's `s3.Bucket("x")`, google-cloud-storage's `client.bucket("x")`).
_BUCKETS = frozenset({"Bucket", "bucket", "get_bucket", "lookup_bucket"})
# Azure management collections whose `delete`/`begin_delete` removes a store and its data.
_AZURE_COLLECTIONS = {
    "storage_accounts": "storage account and every blob, file, queue and table in it",
    "servers": "database server and every database on it",
    "databases": "database and its data",
    "resource_groups": "resource group and every resource in it",
    "managed_instances": "SQL managed instance and its databases",
    "database_accounts": "Cosmos DB account and every database in it",
}
# boto3 calls that delete a store or a backup; the keyword that names it marks the call as boto3's.
_AWS_DELETES = {
    "delete_file_system": ("FileSystemId", "the EFS file system{name} and every file on it"),
    "delete_stack": (
        "StackName",
        "the CloudFormation stack{name} and every resource it created, databases "
        "and buckets included unless they are set to `DeletionPolicy: Retain`",
    ),
    "delete_backup_vault": ("BackupVaultName", "the AWS Backup vault{name}"),
    "delete_recovery_point": ("RecoveryPointArn", "the backup recovery point{name}: that restore point is gone"),
    "delete_volume": ("VolumeId", "the EBS volume{name} and the data on it"),
}
# boto3 calls that delete a snapshot or backup: a restore point, not the live data. Only the keyword
# that names it (boto3 takes keywords only) or the client's service marks the call as boto3's.
_AWS_RESTORE_POINTS = {
    "delete_snapshot": ("SnapshotId", ("ec2",), "the EBS snapshot{name}"),
    "delete_db_snapshot": ("DBSnapshotIdentifier", ("rds",), "the RDS snapshot{name}"),
    "delete_db_cluster_snapshot": (
        "DBClusterSnapshotIdentifier",
        ("rds", "docdb", "neptune"),
        "the cluster snapshot{name}",
    ),
    "delete_cluster_snapshot": ("SnapshotIdentifier", ("redshift",), "the Redshift snapshot{name}"),
    "delete_backup": ("BackupArn", ("dynamodb",), "the DynamoDB backup{name}"),
}


def check(call: Call, document: PythonDocument) -> Iterator[Hit]:
    method = call.method
    if method in ("delete_db_instance", "delete_db_cluster"):
        yield from _rds(call, document)
    elif method == "delete_cluster":
        if _is_true(_keyword(call, document, "SkipFinalClusterSnapshot"), call, document):
            name = _named(call, document, "ClusterIdentifier")
            yield Hit(
                *call.span(),
                f"`delete_cluster(…, SkipFinalClusterSnapshot=True)` deletes the Redshift "
                f"cluster{name} without a final snapshot: nothing is left to restore from. "
                f"Set `SkipFinalClusterSnapshot=False` with a `FinalClusterSnapshotIdentifier`.",
                severity=Severity.ERROR,
            )
    elif method == "delete_bucket":
        if call.keyword("Bucket") is not None or _service(call, document) == "s3":
            name = _named(call, document, "Bucket")
            yield Hit(
                *call.span(),
                f"`delete_bucket` deletes the S3 bucket{name}: S3 only refuses while objects "
                f"remain, so this usually follows a step that emptied it, and the name is "
                f"released for any account to claim. {_FIX}",
            )
    elif method in ("delete", "begin_delete"):
        yield from _delete(call, document)
    elif method == "delete_table":
        yield from _delete_table(call, document)
    elif method == "terminate_instances":
        if document.production:
            yield Hit(
                *call.span(),
                "`terminate_instances` in a file that targets production terminates EC2 "
                "instances: their instance-store data and every EBS volume set to delete on "
                "termination are gone. Stop the instances instead, or enable termination "
                "protection and terminate through reviewed infrastructure code.",
            )
    elif method in _AWS_RESTORE_POINTS:
        keyword, services, what = _AWS_RESTORE_POINTS[method]
        if _keyword(call, document, keyword) is not None or _service(call, document) in services:
            name = _named(call, document, keyword)
            yield Hit(
                *call.span(),
                f"`{method}` deletes {what.format(name=name)}: a point the data could be restored to is gone. "
                f"Let a retention policy (AWS Backup, a lifecycle rule) retire old restore points, and check "
                f"a newer one exists first.",
            )
    elif method == "delete_objects":
        yield from _listed_objects(call, document)
    elif method == "delete_blobs":
        listed = listing(call.argument(0, "blobs"), call, document)
        if listed is not None and _google(document) and whole(listed, call, document):
            yield Hit(*call.span(), f"`{call.code()}` deletes {_EVERY_BLOB}. {_EMPTY_FIX}", severity=Severity.ERROR)
    elif method in _AWS_DELETES:
        keyword, what = _AWS_DELETES[method]
        if call.keyword(keyword) is not None or _uses(document, _BOTO) or _service(call, document):
            name = _named(call, document, keyword)
            yield Hit(*call.span(), f"`{method}` deletes {what.format(name=name)}. {_FIX}")
        elif method == "delete_file_system" and _uses(document, {"azure"}):
            yield Hit(
                *call.span(),
                f"`delete_file_system` deletes the Azure Data Lake file system and every file in it. {_FIX}",
            )
    elif method == "delete_dataset":
        if _is_true(_keyword(call, document, "delete_contents"), call, document):
            name = _named(call, document, "dataset", position=0)
            yield Hit(
                *call.span(),
                f"`delete_dataset(…, delete_contents=True)` deletes the BigQuery dataset{name} "
                f"and every table in it. Delete the tables you mean one by one, and keep a "
                f"copy or rely on time travel only after checking its window.",
                severity=Severity.ERROR,
            )
    elif method == "drop":
        if not call.node.args and _google(document) and _spanner_database(call, document):
            yield Hit(
                *call.span(),
                "`database.drop()` drops the Cloud Spanner database and all its data. "
                "Back it up first (`database.backup(...)`) and drop it through reviewed "
                "infrastructure code.",
                severity=Severity.ERROR,
            )
    elif method == "recursive_delete":
        if _google(document) or _uses(document, {"firebase_admin"}):
            yield Hit(
                *call.span(),
                "`recursive_delete` deletes the Firestore document or collection and every "
                "document beneath it. Export the collection first and delete only the "
                "documents you mean.",
            )
    elif method == "delete_database":
        if _uses(document, {"azure"}):
            name = _named(call, document, "database", position=0)
            yield Hit(
                *call.span(),
                f"`delete_database` deletes the Cosmos DB database{name} with every container and item in it. {_FIX}",
            )
    elif method == "delete_container":
        if _uses(document, {"azure"}):
            name = _named(call, document, "container", "name", position=0)
            yield Hit(
                *call.span(),
                f"`delete_container` deletes the Azure container{name} and everything stored in it. {_FIX}",
            )


def _listed_objects(call, document):
    """`s3.delete_objects(Bucket=b, Delete={"Objects": [...]})` with the keys of a listing of the whole bucket."""
    request = _resolve(_keyword(call, document, "Delete"), call, document)
    if not isinstance(request, cst.Dict):
        return
    for element in request.elements:
        key = document.string(element.key, call) if isinstance(element, cst.DictElement) else None
        if key is None or not key.literal or key.text != "Objects":
            continue
        listed = listing(element.value, call, document)
        if listed is not None and whole(listed, call, document):
            name = _named(call, document, "Bucket")
            yield Hit(
                *call.span(),
                f"`{call.code()}` deletes every object a listing of the whole S3 bucket{name} returned "
                f"(`{listed.func.attr.value if isinstance(listed.func, cst.Attribute) else 'list'}` with no "
                f"`Prefix`), a thousand at a time: the bucket is emptied. {_EMPTY_FIX}",
                severity=Severity.ERROR,
            )


def _rds(call, document):
    if not _is_true(_keyword(call, document, "SkipFinalSnapshot"), call, document):
        return  # a final snapshot is kept (the API then requires FinalDBSnapshotIdentifier)
    if call.method == "delete_db_instance":
        what = "the RDS instance" + _named(call, document, "DBInstanceIdentifier")
    else:
        what = "the database cluster" + _named(call, document, "DBClusterIdentifier")
    backups = _keyword(call, document, "DeleteAutomatedBackups")
    if _is_true(backups, call, document):
        also = ", and `DeleteAutomatedBackups=True` removes its automated backups with it"
        keep = " and `DeleteAutomatedBackups=False`"
    elif backups is None:
        also = ", and its automated backups go with it by default"
        keep = " and `DeleteAutomatedBackups=False`"
    else:
        also, keep = "", ""
    yield Hit(
        *call.span(),
        f"`{call.method}(…, SkipFinalSnapshot=True)` deletes {what} with no final snapshot{also}: "
        f"nothing may be left to restore from. Set `SkipFinalSnapshot=False` with a "
        f"`FinalDBSnapshotIdentifier`{keep}.",
        severity=Severity.ERROR,
    )


def _delete(call, document):
    """`.delete()` / `.begin_delete()`: S3 collections and buckets, DynamoDB tables, storage buckets, Azure stores."""
    links = chain(call.node, call, document)
    names = [link.name for link in links]
    collection = names[-2] if len(names) >= 2 else ""
    if collection in _AZURE_COLLECTIONS and _uses(document, {"azure"}):
        yield Hit(
            *call.span(), f"`{collection}.{call.method}` deletes an Azure {_AZURE_COLLECTIONS[collection]}. {_FIX}"
        )
        return
    if call.method != "delete" or any(a.keyword is None for a in call.node.args):
        return  # `blob.delete()`-style single objects take no positional arguments here; others are not ours
    if isinstance(call.receiver, cst.Name) and _google(document):  # `for blob in bucket.list_blobs(): blob.delete()`
        loop = document.model.loop_of(call.receiver, call)
        every = loop is not None and document.model.every_turn(loop[0], loop[2], call)  # not `if blob.updated < …`
        listed = listing(loop[1], call, document) if loop is not None and every else None
        if loop is not None and listed is not None and whole(listed, call, document):
            yield Hit(
                *call.span(),
                f"`{call.code()}` in a loop over `{code_of(loop[1])}` deletes {_EVERY_BLOB}. {_EMPTY_FIX}",
                severity=Severity.ERROR,
            )
            return
    for i in range(len(links) - 2, -1, -1):
        if names[i] in _S3_COLLECTIONS:
            if _s3_bucket(links[:i]) and _every_object(links[i + 1 : -1], call, document):
                shown = call.code()
                yield Hit(
                    *call.span(),
                    f"`{shown}` deletes {_S3_COLLECTIONS[names[i]]} in the S3 bucket"
                    f"{_bucket_name(links[:i], call, document)}. Delete a prefix you mean "
                    f"(`objects.filter(Prefix=...)`) and keep versioning with a lifecycle "
                    f"rule instead of emptying the bucket.",
                    severity=Severity.ERROR,
                )
            return
    last = links[-2] if len(links) >= 2 else None
    if last is not None and last.name == "Table" and _dynamodb_table(last, call, document):
        yield Hit(
            *call.span(),
            f"`Table(…).delete()` deletes the DynamoDB table"
            f"{_string_of(last, call, document, 'name')} and every item in it. "
            f"Enable deletion protection and point-in-time recovery, and delete tables "
            f"through reviewed infrastructure code.",
            severity=Severity.ERROR,
        )
        return
    name = _bucket_name(links[:-1], call, document)
    if _is_true(_keyword(call, document, "force"), call, document):
        if any("bucket" in n.lower() for n in names[:-1]):  # `client.bucket("x")`, `get_bucket`, a `bucket` name
            yield Hit(
                *call.span(),
                f"`bucket.delete(force=True)` deletes the Cloud Storage bucket{name} and "
                f"every object in it. Delete the objects you mean and keep the bucket's soft "
                f"delete or object versioning on.",
                severity=Severity.ERROR,
            )
        return
    if last is not None and last.name in _BUCKETS and last.call is not None:
        if _uses(document, _BOTO) or _google(document):
            yield Hit(
                *call.span(),
                f"`bucket.delete()` deletes the bucket{name}: it only refuses while objects "
                f"remain, so this usually follows a step that emptied it. {_FIX}",
            )


def _delete_table(call, document):
    service = _service(call, document)
    if service in ("dynamodb", "timestream-write") or (service is None and call.keyword("TableName") is not None):
        name = _named(call, document, "TableName")  # DynamoDB (Glue's delete_table takes `Name`: metadata only)
        yield Hit(
            *call.span(),
            f"`delete_table` deletes the table{name} and every item in it. Enable deletion "
            f"protection and point-in-time recovery, take a backup (`create_backup`) and "
            f"delete tables through reviewed infrastructure code.",
            severity=Severity.ERROR,
        )
    elif service is None and _google(document):
        name = _named(call, document, "table", position=0)
        yield Hit(
            *call.span(),
            f"`delete_table` deletes the BigQuery table{name} and its data. Copy or snapshot "
            f"it first, and delete through reviewed infrastructure code.",
        )
    elif service is None and _uses(document, {"azure"}):
        name = _named(call, document, "table_name", position=0)
        yield Hit(*call.span(), f"`delete_table` deletes the Azure table{name} and every entity in it. {_FIX}")


# --- reading arguments ---------------------------------------------------------------------------


def _keyword(call, document, name: str) -> cst.BaseExpression | None:
    """The value given for keyword `name`, also through `**{...}`, `**dict(...)` or a dict bound once."""
    value = call.keyword(name)
    if value is not None:
        return value
    for arg in call.node.args:
        if arg.star != "**":
            continue
        mapping = _resolve(arg.value, call, document)
        if isinstance(mapping, cst.Dict):
            for element in mapping.elements:
                if isinstance(element, cst.DictElement):
                    key = document.string(element.key, call)
                    if key is not None and key.literal and key.text == name:
                        return element.value
        elif isinstance(mapping, cst.Call) and isinstance(mapping.func, cst.Name) and mapping.func.value == "dict":
            for item in mapping.args:
                if item.keyword is not None and item.keyword.value == name:
                    return item.value
    return None


def _resolve(node, call, document, depth: int = 4):
    """`node`, or what a name bound once to it holds."""
    while isinstance(node, cst.Name) and depth:
        bound = document.model.binding(node, call.scope)
        if bound is None:
            return node
        node, depth = bound[0], depth - 1
    return node


def _is_true(node, call, document) -> bool:
    node = _resolve(node, call, document) if node is not None else None
    return isinstance(node, cst.Name) and node.value == "True"


def _named(call, document, *keywords: str, position: int | None = None) -> str:
    """ " 'orders-db'" when the argument naming the target folds to a literal, else ""."""
    node = call.argument(position, *keywords)
    value = document.string(node, call) if node is not None else None
    return f" '{value.text}'" if value is not None and value.literal and value.text else ""


def _string_of(link, call, document, *keywords: str) -> str:
    """The first argument of a link's call (or one of `keywords`), as `_named` shows it."""
    if link.call is None:
        return ""
    node = next((a.value for a in link.call.args if a.keyword is None and not a.star), None)
    if node is None:
        node = next((a.value for a in link.call.args if a.keyword is not None and a.keyword.value in keywords), None)
    value = document.string(node, call) if node is not None else None
    return f" '{value.text}'" if value is not None and value.literal and value.text else ""


# --- what a call is applied to -------------------------------------------------------------------


def _service(call, document) -> str | None:
    """The AWS service of the client or resource a call is made on (`boto3.client("rds")` -> "rds")."""
    for link in chain(call.node, call, document):
        if link.name in ("client", "resource") and link.call is not None:
            service = _string_of(link, call, document, "service_name")
            if service:
                return service.strip(" '").lower()
    return None


def _uses(document, modules) -> bool:
    return bool(document.model.imported_modules & set(modules))


def _google(document) -> bool:
    """The file imports a google-cloud library (`from google.cloud import storage`, `import google.cloud.x`)."""
    return any(name == "google" or name.startswith("google.cloud") for name in document.model.imports.values())


def _s3_bucket(links) -> bool:
    """What an `objects` collection hangs from is an S3 bucket: `s3.Bucket("x")` or a name saying bucket."""
    if any(link.name == "Bucket" and link.call is not None for link in links):
        return True
    if not links or any(link.call is not None for link in links):
        return False
    name = links[-1].name  # `bucket`, `self.bucket`, `src_bucket`; not a Django model such as `BucketPolicy`
    return name[:1].islower() and "bucket" in name


def _every_object(links, call, document) -> bool:
    """The links between a collection and `.delete()` keep every object (`all()`, `filter(Prefix="")`)."""
    for link in links:
        if link.name in _KEEPS_OBJECTS:
            continue
        if link.name != "filter" or link.call is None:
            return False
        for arg in link.call.args:
            value = document.string(arg.value, call)
            if arg.keyword is None or arg.keyword.value != "Prefix" or value is None or not value.literal or value.text:
                return False  # a real filter
    return True


def _bucket_name(links, call, document) -> str:
    for link in links:
        if link.name in _BUCKETS and link.call is not None:
            return _string_of(link, call, document, "bucket_name", "name")
    return ""


def _dynamodb_table(link, call, document) -> bool:
    """`dynamodb.Table("x")` from boto3, not SQLAlchemy's `Table("users", metadata)`."""
    if not isinstance(link.call.func, cst.Attribute):
        return False
    return _service(call, document) == "dynamodb" or (_uses(document, _BOTO) and len(link.call.args) == 1)


def _spanner_database(call, document) -> bool:
    """`instance.database("d").drop()`, or `.drop()` on a name that says database."""
    links = chain(call.node, call, document)
    if any(link.name == "database" and link.call is not None for link in links[:-1]):
        return True
    root = links[0].name.lower() if len(links) == 2 else ""
    return "database" in root or root == "db" or root.endswith("_db")


RULE = Rule(
    id="PY401",
    name="cloud-data-delete",
    language="python",
    severity=Severity.WARNING,
    summary="A cloud SDK call deletes a database, bucket, table or backup together with its data.",
    rationale=(
        "boto3, google-cloud and Azure SDK calls delete stores outright, with no undo: "
        "`delete_db_instance(SkipFinalSnapshot=True)` and Redshift's `delete_cluster(SkipFinalClusterSnapshot=True)` "
        "leave no snapshot, `s3.Bucket(...).objects.all().delete()` and `object_versions.delete()` empty a bucket, "
        "DynamoDB's `delete_table` and `Table(...).delete()`, BigQuery's `delete_dataset(delete_contents=True)`, "
        "Cloud Storage's `bucket.delete(force=True)` and Spanner's `database.drop()` take all their data with them "
        "(errors). Deleting a bucket, a BigQuery table, an EFS file system, a CloudFormation stack, a backup vault "
        "or recovery point, an EBS volume, a Firestore tree or an Azure storage account, server, database or "
        "container is a warning, and so is `terminate_instances` in a file that targets production. Deleting a "
        "restore point is a warning too: an EBS snapshot, an RDS instance or cluster snapshot, a Redshift snapshot "
        "or a DynamoDB backup (`delete_snapshot`, `delete_db_snapshot`, `delete_db_cluster_snapshot`, "
        "`delete_cluster_snapshot`, `delete_backup`, told apart from other libraries by the keyword naming it). "
        "Emptying a bucket through batch deletes is an error: `s3.delete_objects` with the keys of a listing "
        "(`list_objects_v2`, a paginator) that has no `Prefix`, and Cloud Storage's `blob.delete()` in a loop "
        "over `list_blobs()` or `delete_blobs(...)` of it with no `prefix`; a listing with a prefix, or named "
        "keys, is a scoped cleanup. A client or "
        "resource kept in a variable is followed to tell services apart: Glue's `delete_table` only drops "
        "metadata, a delete that keeps a final snapshot, an S3 delete limited to a prefix and single-object "
        "deletes are not findings."
    ),
    fix=_FIX,
    flag=(
        Example(
            'from azure.mgmt.sql import SqlManagementClient\nclient.servers.begin_delete("rg", "orders-sql")',
            flagged='client.servers.begin_delete("rg", "orders-sql")',
            severity=Severity.WARNING,
            message="`servers.begin_delete` deletes an Azure database server and every database",
        ),
        'from google.cloud import firestore\ndb.recursive_delete(db.collection("users"))',
        'import boto3\nrds = boto3.client("rds")\n'
        'rds.delete_db_instance(DBInstanceIdentifier="orders", SkipFinalSnapshot=True)',
        'rds.delete_db_instance(DBInstanceIdentifier="orders", SkipFinalSnapshot=True, DeleteAutomatedBackups=True)',
        'boto3.client("rds").delete_db_cluster(DBClusterIdentifier="aurora-main", SkipFinalSnapshot=True)',
        "SKIP = True\nrds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=SKIP)",
        'def teardown(rds):\n    params = {"DBInstanceIdentifier": "orders", "SkipFinalSnapshot": True}\n'
        "    rds.delete_db_instance(**params)",
        'rds.delete_db_instance(**dict(DBInstanceIdentifier="orders", SkipFinalSnapshot=True))',
        'redshift = boto3.client("redshift")\n'
        'redshift.delete_cluster(ClusterIdentifier="dw", SkipFinalClusterSnapshot=True)',
        'import boto3\ns3 = boto3.client("s3")\ns3.delete_bucket(Bucket="customer-uploads")',
        'boto3.client("s3").delete_bucket(Bucket=bucket_name)',
        'import boto3\ns3 = boto3.resource("s3")\ns3.Bucket("customer-uploads").objects.all().delete()',
        'import boto3\nbucket = boto3.resource("s3").Bucket("logs")\nbucket.objects.delete()',
        'import boto3\nbucket = boto3.resource("s3").Bucket("logs")\nbucket.object_versions.all().delete()',
        'import boto3\nbucket = boto3.resource("s3").Bucket("logs")\nbucket.object_versions.delete()',
        's3.Bucket("logs").objects.filter(Prefix="").delete()',
        'BUCKET = "logs"\nEVERYTHING = ""\ns3.Bucket(BUCKET).objects.filter(Prefix=EVERYTHING).delete()',
        "def purge(bucket):\n    bucket.objects.all().delete()",
        "class Cleaner:\n    def run(self):\n        self.bucket.object_versions.delete()",
        'import boto3\nboto3.resource("s3").Bucket("old-site").delete()',
        'import boto3\nddb = boto3.client("dynamodb")\nddb.delete_table(TableName="orders")',
        "dynamodb.delete_table(TableName=TABLE)",
        'import boto3\ntable = boto3.resource("dynamodb").Table("orders")\ntable.delete()',
        'import boto3\ndynamodb = boto3.resource("dynamodb")\ndynamodb.Table("sessions").delete()',
        'import boto3\nsession = boto3.Session(profile_name="prod")\nec2 = session.client("ec2")\n'
        "ec2.terminate_instances(InstanceIds=ids)",
        'import boto3\nefs = boto3.client("efs")\nefs.delete_file_system(FileSystemId="fs-0123")',
        'cfn.delete_stack(StackName="payments-prod")',
        'import boto3\nboto3.client("backup").delete_backup_vault(BackupVaultName="nightly")',
        'backup.delete_recovery_point(BackupVaultName="nightly", RecoveryPointArn=arn)',
        'ec2.delete_volume(VolumeId="vol-0abc")',
        'from google.cloud import storage\nbucket = storage.Client().bucket("media")\nbucket.delete(force=True)',
        "def drop_bucket(bucket):\n    bucket.delete(force=True)",
        "from google.cloud import bigquery\nclient = bigquery.Client()\n"
        'client.delete_dataset("proj.analytics", delete_contents=True, not_found_ok=True)',
        'from google.cloud import bigquery\nclient = bigquery.Client()\nclient.delete_table("proj.analytics.events")',
        'from google.cloud import spanner\ninstance = spanner.Client().instance("main")\n'
        'database = instance.database("orders")\ndatabase.drop()',
        "from google.cloud import spanner\ndef reset(database):\n    database.drop()",
        "from azure.mgmt.storage import StorageManagementClient\nclient = StorageManagementClient(cred, sub)\n"
        'client.storage_accounts.delete("rg", "prodstore")',
        "from azure.mgmt.resource import ResourceManagementClient\n"
        'ResourceManagementClient(cred, sub).resource_groups.delete("prod-rg")',
        "from azure.cosmos import CosmosClient\nclient = CosmosClient(url, credential=key)\n"
        'client.delete_database("orders")',
        "from azure.storage.blob import BlobServiceClient\nservice = BlobServiceClient.from_connection_string(conn)\n"
        'service.delete_container("backups")',
        'from azure.data.tables import TableServiceClient\nTableServiceClient(endpoint).delete_table("events")',
        # Snapshots and backups: restore points.
        Example(
            'import boto3\nec2 = boto3.client("ec2")\nec2.delete_snapshot(SnapshotId="snap-0abc")',
            severity=Severity.WARNING,
            message="deletes the EBS snapshot 'snap-0abc': a point the data could be restored to is gone",
        ),
        'rds.delete_db_snapshot(DBSnapshotIdentifier="orders-2024-01-01")',
        'rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier="aurora-weekly")',
        'redshift.delete_cluster_snapshot(SnapshotIdentifier="dw-nightly")',
        "dynamodb.delete_backup(BackupArn=arn)",
        'import boto3\nrds = boto3.client("rds")\nrds.delete_db_snapshot(**params)',
        # Buckets emptied through batch deletes of a whole listing.
        Example(
            'import boto3\ns3 = boto3.client("s3")\nresp = s3.list_objects_v2(Bucket="exports")\n'
            's3.delete_objects(Bucket="exports", Delete={"Objects": [{"Key": o["Key"]} for o in resp["Contents"]]})',
            severity=Severity.ERROR,
            message="deletes every object a listing of the whole S3 bucket 'exports' returned",
        ),
        'def empty(s3, bucket):\n    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)\n'
        '    for page in pages:\n        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]\n'
        '        s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})',
        Example(
            "from google.cloud import storage\nclient = storage.Client()\n"
            'for blob in client.list_blobs("media"):\n    blob.delete()',
            flagged="blob.delete()",
            severity=Severity.ERROR,
            message='in a loop over `client.list_blobs("media")` deletes every object of the Cloud Storage bucket',
        ),
        "from google.cloud import storage\nbucket.delete_blobs(list(bucket.list_blobs()))",
    ),
    clean=(
        'rds.delete_db_instance(DBInstanceIdentifier="orders", SkipFinalSnapshot=False, '
        'FinalDBSnapshotIdentifier="orders-final")',
        'rds.delete_db_instance(DBInstanceIdentifier="orders", FinalDBSnapshotIdentifier="orders-final")',
        'rds.delete_db_instance(DBInstanceIdentifier="orders", FinalDBSnapshotIdentifier="f", '
        "DeleteAutomatedBackups=True)",
        'rds.delete_db_instance(DBInstanceIdentifier="orders", SkipFinalSnapshot=skip_snapshot)',
        'redshift.delete_cluster(ClusterIdentifier="dw", FinalClusterSnapshotIdentifier="dw-final")',
        'eks.delete_cluster(name="ci")',
        'import boto3\ns3 = boto3.client("s3")\ns3.delete_object(Bucket="uploads", Key="tmp/a.csv")',
        'import boto3\nbucket = boto3.resource("s3").Bucket("logs")\nbucket.objects.filter(Prefix="tmp/").delete()',
        's3.Bucket("logs").objects.limit(10).delete()',
        's3.Object("logs", "a.txt").delete()',
        "BucketPolicy.objects.all().delete()",
        "Bucket.objects.all().delete()",
        'registry.delete_bucket("tmp")',
        'import boto3\nglue = boto3.client("glue")\nglue.delete_table(DatabaseName="lake", Name="events")',
        'glue.delete_table(DatabaseName="lake", Name="events")',
        'ddb.delete_item(TableName="orders", Key={"id": {"S": "1"}})',
        'from sqlalchemy import Table\nusers = Table("users", metadata)\nconn.execute(users.delete())',
        'db.delete_table("scratch")',
        'import boto3\nec2 = boto3.client("ec2")\nec2.terminate_instances(InstanceIds=ids)',
        'import boto3\nsession = boto3.Session(profile_name="staging")\n'
        'session.client("ec2").terminate_instances(InstanceIds=ids)',
        "undo.delete_stack(frame)",
        'from google.cloud import storage\nstorage.Client().bucket("media").blob("a.png").delete()',
        'from google.cloud import bigquery\nbigquery.Client().delete_dataset("proj.scratch")',
        'df.drop(columns=["tmp"])',
        "from google.cloud import spanner\ntable.drop()",
        "users.drop()",
        "repo.delete(force=True)",
        "from google.cloud import storage\nrelease.delete(force=True)",
        'cache.delete("key")',
        "requests.delete(url)",
        'client.storage_accounts.delete("rg", "prodstore")',
        'client.delete_container("backups")',
        "docker_client.containers.get(cid).remove(force=True)",
        "print(\"s3.Bucket('x').objects.all().delete()\")",
        'ec2.describe_snapshots(OwnerIds=["self"])',
        "backups.delete_snapshot(path)",
        "manager.delete_backup(backup_id)",
        'import boto3\ns3 = boto3.client("s3")\n'
        's3.delete_objects(Bucket="b", Delete={"Objects": [{"Key": "tmp/a.csv"}, {"Key": "tmp/b.csv"}]})',
        'import boto3\ns3 = boto3.client("s3")\nresp = s3.list_objects_v2(Bucket="exports", Prefix="tmp/")\n'
        's3.delete_objects(Bucket="exports", Delete={"Objects": [{"Key": o["Key"]} for o in resp["Contents"]]})',
        's3.delete_objects(Bucket="b", Delete={"Objects": [{"Key": k} for k in stale_keys]})',
        'import boto3\ns3 = boto3.client("s3")\nresp = s3.list_objects_v2(Bucket="exports")\n'
        's3.delete_objects(Bucket="exports", Delete={"Objects": [{"Key": o["Key"]} for o in resp["Contents"] '
        'if o["LastModified"] < cutoff]})',
        'from google.cloud import storage\nfor blob in bucket.list_blobs(prefix="tmp/"):\n    blob.delete()',
        "from google.cloud import storage\nfor blob in blobs:\n    blob.delete()",
        "from google.cloud import storage\nfor blob in bucket.list_blobs():\n    print(blob.name)",
        # Objects chosen in the loop: a retention policy, not an emptied bucket.
        "from google.cloud import storage\nfor blob in bucket.list_blobs():\n    if blob.updated < cutoff:\n"
        "        blob.delete()",
    ),
    check=check,
    escalates=True,
    keywords=(
        "delete",
        "drop",
        "delete_db_instance",
        "delete_db_cluster",
        "delete_cluster",
        "delete_bucket",
        "delete_table",
        "terminate_instances",
        "delete_file_system",
        "delete_stack",
        "delete_backup_vault",
        "delete_recovery_point",
        "delete_volume",
        "delete_dataset",
        "recursive_delete",
        "begin_delete",
        "delete_database",
        "delete_container",
        "delete_snapshot",
        "delete_db_snapshot",
        "delete_db_cluster_snapshot",
        "delete_cluster_snapshot",
        "delete_backup",
        "delete_objects",
        "delete_blobs",
    ),
    precision="high",
    tags=("data-loss", "cloud"),
)
