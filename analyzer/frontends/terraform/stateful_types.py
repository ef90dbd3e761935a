"""Terraform resource types by what deleting or replacing one loses.

`STATEFUL_TYPES` hold data: deleting or replacing one loses what is in it. Curated from the AWS, Google
and Azure providers: databases, buckets, volumes, file systems, keys, DNS zones and clusters. Extend it
with `stateful-types` in the configuration.

At the other end are the types that hold no data, whose delete or replace loses nothing a later apply
cannot recreate from the configuration (`holds_no_data`). Every other type is unknown: it may hold data
(an instance's root volume) or not, so the plan rules still report its deletes as warnings.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Collection

STATEFUL_TYPES = frozenset(
    {
        # AWS databases and caches
        "aws_db_instance",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_rds_global_cluster",
        "aws_docdb_cluster",
        "aws_docdb_cluster_instance",
        "aws_neptune_cluster",
        "aws_neptune_cluster_instance",
        "aws_redshift_cluster",
        "aws_redshiftserverless_namespace",
        "aws_dynamodb_table",
        "aws_dynamodb_global_table",
        "aws_elasticache_cluster",
        "aws_elasticache_replication_group",
        "aws_memorydb_cluster",
        "aws_opensearch_domain",
        "aws_elasticsearch_domain",
        "aws_timestreamwrite_table",
        "aws_qldb_ledger",
        "aws_keyspaces_table",
        "aws_msk_cluster",
        "aws_kinesis_stream",
        "aws_sqs_queue",
        # AWS storage, keys, DNS, clusters
        "aws_s3_bucket",
        "aws_ebs_volume",
        "aws_efs_file_system",
        "aws_fsx_lustre_file_system",
        "aws_fsx_windows_file_system",
        "aws_fsx_ontap_file_system",
        "aws_fsx_openzfs_file_system",
        "aws_backup_vault",
        "aws_glacier_vault",
        "aws_ecr_repository",
        "aws_kms_key",
        "aws_secretsmanager_secret",
        "aws_route53_zone",
        "aws_eks_cluster",
        "aws_cognito_user_pool",
        # Google
        "google_sql_database_instance",
        "google_sql_database",
        "google_bigquery_dataset",
        "google_bigquery_table",
        "google_spanner_instance",
        "google_spanner_database",
        "google_bigtable_instance",
        "google_bigtable_table",
        "google_firestore_database",
        "google_storage_bucket",
        "google_compute_disk",
        "google_compute_region_disk",
        "google_filestore_instance",
        "google_redis_instance",
        "google_alloydb_cluster",
        "google_alloydb_instance",
        "google_container_cluster",
        "google_kms_crypto_key",
        "google_kms_key_ring",
        "google_dns_managed_zone",
        "google_pubsub_topic",
        "google_secret_manager_secret",
        # Azure
        "azurerm_mssql_server",
        "azurerm_mssql_database",
        "azurerm_postgresql_server",
        "azurerm_postgresql_database",
        "azurerm_postgresql_flexible_server",
        "azurerm_postgresql_flexible_server_database",
        "azurerm_mysql_server",
        "azurerm_mysql_flexible_server",
        "azurerm_mysql_flexible_database",
        "azurerm_cosmosdb_account",
        "azurerm_cosmosdb_sql_database",
        "azurerm_storage_account",
        "azurerm_storage_container",
        "azurerm_managed_disk",
        "azurerm_key_vault",
        "azurerm_key_vault_key",
        "azurerm_redis_cache",
        "azurerm_kubernetes_cluster",
        "azurerm_dns_zone",
        "azurerm_resource_group",
    }
)


# Objects that exist only in Terraform's state: nothing outside Terraform is created or destroyed with them.
# A replaced `random_*` draws a new value; the resources that use it change in the same plan and are
# judged there. (`tls_private_key` is not here: a deployed key's private half is lost with it.)
STATE_ONLY_TYPES = frozenset(
    {
        "null_resource",
        "terraform_data",
        "random_bytes",
        "random_id",
        "random_integer",
        "random_password",
        "random_pet",
        "random_shuffle",
        "random_string",
        "random_uuid",
        "time_offset",
        "time_rotating",
        "time_sleep",
        "time_static",
    }
)

# Cloud objects that are all configuration: a firewall rule or a policy attachment holds nothing, and the
# same arguments recreate it as it was. (Deleting one still changes access; it loses no data.)
STATELESS_TYPES = frozenset(
    {
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
        "aws_network_acl_rule",
        "aws_iam_role_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
        "google_compute_firewall",
        "azurerm_network_security_rule",
    }
)


def is_stateful(resource_type: str, extra: Collection[str] = ()) -> bool:
    return resource_type in STATEFUL_TYPES or resource_type in extra


def is_state_only(resource_type: str, extra: Collection[str] = ()) -> bool:
    """Exists only in Terraform's state, unless the configuration lists the type in `stateful-types`."""
    return resource_type in STATE_ONLY_TYPES and resource_type not in extra


def holds_no_data(resource_type: str, extra: Collection[str] = ()) -> bool:
    """Deleting or replacing it loses nothing: state-only or stateless, and not listed in `stateful-types`."""
    return (resource_type in STATE_ONLY_TYPES or resource_type in STATELESS_TYPES) and resource_type not in extra
