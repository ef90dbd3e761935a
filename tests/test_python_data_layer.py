"""The data layer in Python: what only follows from a value's meaning (document-store filters, NULL-only
ORM filters, composed SQL, loops over literal table names), beyond what the rules' examples pin.

The texts are only analysed, never imported or run.
"""

from blastguard.api import check_text


def _found(text: str) -> list[tuple[str, str, str, str]]:
    """(rule, severity, snippet, message) of every finding in `text`, read as a Python file."""
    return [(f.rule_id, f.severity.name.lower(), f.snippet, f.message) for f in check_text(text, "job.py")]


def _rules(text: str) -> list[tuple[str, str, str]]:
    return [(rule, severity, snippet) for rule, severity, snippet, _ in _found(text)]


# --- SQL composed in code ---------------------------------------------------------------------------


def test_each_literal_table_of_a_loop_is_judged_with_its_name():
    text = 'def reset(cur):\n    for table in ("carts", "sessions"):\n        cur.execute(f"DELETE FROM {table}")\n'
    found = _found(text)
    assert [(rule, snippet) for rule, _, snippet, _ in found] == [("SQL101", "DELETE FROM {table}")] * 2
    assert sorted(message.split(" has no")[0] for *_, message in found) == [
        "DELETE from carts",
        "DELETE from sessions",
    ]


def test_a_loop_over_literal_tables_with_a_where_is_clean_where_a_parameter_is_unverifiable():
    bounded = "DELETE FROM {table} WHERE created_at < now() - interval '30 days'"
    looped = (
        f'TABLES = ["events", "audit"]\ndef prune(cur):\n    for table in TABLES:\n        cur.execute(f"{bounded}")\n'
    )
    assert _rules(looped) == []
    passed_in = f'def prune(cur, table):\n    cur.execute(f"{bounded}")\n'
    assert [rule for rule, _, _ in _rules(passed_in)] == ["SQL901"]


def test_a_name_bound_by_two_loops_takes_the_values_of_the_loop_around_the_call():
    text = (
        "def run(cur):\n"
        '    for table in ("orders",):\n'
        '        cur.execute(f"DELETE FROM {table} WHERE id = 1")\n'
        '    for table in ("scratch",):\n'
        '        cur.execute(f"DELETE FROM {table}")\n'
    )
    found = _found(text)
    assert [(rule, message.split(" has no")[0]) for rule, _, _, message in found] == [("SQL101", "DELETE from scratch")]


def test_a_loop_over_values_that_are_not_all_literal_stays_a_run_time_table():
    text = 'def run(cur, extra):\n    for table in ("a", extra):\n        cur.execute(f"DELETE FROM {table}")\n'
    assert [message.split(" has no")[0] for *_, message in _found(text)] == ["DELETE from {table}"]


def test_psycopg_composition_reads_as_the_sql_it_builds():
    text = (
        "from psycopg import sql\n"
        "def purge(conn, cur):\n"
        '    cur.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier("billing", "invoices")))\n'
        '    query = sql.SQL("DELETE FROM {} WHERE id = {}").format(sql.Identifier("orders"), sql.Placeholder())\n'
        "    cur.execute(query, (1,))\n"
        '    cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier("old data")).as_string(conn))\n'
    )
    found = _found(text)
    assert [rule for rule, *_ in found] == ["SQL201", "SQL202"]
    assert "billing.invoices" in found[0][3]
    assert '"old data"' in found[1][3]


def test_a_psycopg_identifier_known_only_at_run_time_is_named_by_its_variable():
    text = (
        "from psycopg2 import sql\n"
        "def purge(cur, table):\n"
        '    cur.execute(sql.SQL("DELETE FROM {} WHERE tenant = %s").format(sql.Identifier(table)), (1,))\n'
    )
    [(rule, severity, _, message)] = _found(text)
    assert (rule, severity) == ("SQL901", "warning")
    assert "({table})" in message


# --- ORM filters that only test NULLs -------------------------------------------------------------


def test_a_null_only_filter_set_in_another_statement_is_reported_at_the_filter():
    text = "STALE = Token.objects.filter(user__isnull=True)\n\ndef purge():\n    STALE.delete()\n"
    [(rule, severity, snippet, message)] = _found(text)
    assert (rule, severity, snippet) == ("PY104", "warning", "user__isnull=True")
    assert "The filter is on `STALE`, set on line 1." in message


def test_null_tests_are_named_with_how_they_combine():
    text = "from sqlalchemy import and_\nsession.query(User).filter(and_(User.a.is_(None), User.b != None)).delete()\n"
    [(rule, _, snippet, message)] = _found(text)
    assert (rule, snippet) == ("PY104", "and_(User.a.is_(None), User.b != None)")
    assert "where `User.a` is NULL and `User.b` is set:" in message
    either = "User.objects.filter(Q(email=None) | Q(phone__isnull=True)).delete()\n"
    assert "where (`email` is NULL or `phone` is NULL):" in _found(either)[0][3]
    # not (a set and b set) is: a NULL or b NULL
    negated = "User.objects.exclude(email__isnull=False, phone__isnull=False).delete()\n"
    assert "where (`email` is NULL or `phone` is NULL):" in _found(negated)[0][3]


def test_a_null_only_delete_raises_to_an_error_where_the_file_connects_to_production():
    text = (
        "from sqlalchemy import create_engine\n"
        'engine = create_engine("postgresql://app@prod-db/app")\n'
        "session.query(User).filter(User.last_login.is_(None)).delete()\n"
    )
    assert [(rule, severity) for rule, severity, _ in _rules(text)] == [("PY104", "error")]


def test_an_unfiltered_delete_is_not_also_a_null_only_one():
    assert [rule for rule, _, _ in _rules("User.objects.all().delete()\n")] == ["PY101"]


# --- document stores and caches --------------------------------------------------------------------


def test_an_empty_mongo_filter_is_reported_where_it_is_written_with_where_it_came_from():
    text = "from pymongo import MongoClient\nALL = {}\ndef wipe(db):\n    db.events.delete_many(filter=ALL)\n"
    [(rule, severity, snippet, message)] = _found(text)
    assert (rule, severity, snippet) == ("PY101", "error", "{}")
    assert "(`ALL`, set on line 2)" in message


def test_a_scan_of_every_key_in_a_pipeline_is_reported_once_at_the_delete():
    text = (
        "import redis\n"
        "r = redis.Redis()\n"
        "pipe = r.pipeline()\n"
        "for key in r.scan_iter(count=1000):\n"
        "    pipe.unlink(key)\n"
        "pipe.execute()\n"
    )
    assert _rules(text) == [("PY402", "warning", "pipe.unlink(key)")]


def test_an_every_index_pattern_is_an_error_and_a_prefix_pattern_a_warning():
    wildcard = 'from elasticsearch import Elasticsearch\nes.indices.delete(index="*,-.kibana")\n'
    assert [severity for _, severity, _ in _rules(wildcard)] == ["error"]  # every index but one
    every = 'from elasticsearch import Elasticsearch\nes.indices.delete(index="logs-*,_all")\n'
    assert [severity for _, severity, _ in _rules(every)] == ["error"]
    prefix = 'from elasticsearch import Elasticsearch\nes.indices.delete(index="logs-2023.*")\n'
    assert [severity for _, severity, _ in _rules(prefix)] == ["warning"]


# --- cluster and cloud SDKs ------------------------------------------------------------------------


def test_a_namespace_delete_raises_to_an_error_under_a_production_kube_context():
    text = (
        "from kubernetes import client, config\n"
        "def teardown():\n"
        '    config.load_kube_config(context="prod-eks")\n'
        '    client.CoreV1Api().delete_namespace("shop")\n'
    )
    assert [(rule, severity) for rule, severity, _ in _rules(text)] == [("PY403", "error")]


def test_a_bucket_listing_followed_through_a_page_loop_and_a_name_empties_the_bucket():
    text = (
        "import boto3\n"
        's3 = boto3.client("s3")\n'
        'for page in s3.get_paginator("list_object_versions").paginate(Bucket="b", Prefix=""):\n'
        '    batch = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in page.get("Versions", [])]\n'
        '    s3.delete_objects(Bucket="b", Delete={"Objects": batch})\n'
    )
    assert [(rule, severity) for rule, severity, _ in _rules(text)] == [("PY401", "error")]


def test_every_use_of_a_loop_variable_takes_the_same_value():
    text = 'def reset(cur):\n    for t in ("a", "b"):\n        cur.execute(f"DELETE FROM {t}; DROP TABLE {t}")\n'
    messages = sorted(message.split(" has no")[0].split(" with all")[0] for *_, message in _found(text))
    assert messages == ["DELETE from a", "DELETE from b", "DROP TABLE destroys a", "DROP TABLE destroys b"]
