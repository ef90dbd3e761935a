"""SQL run on a database the program has just created in memory (`sqlite3.connect(":memory:")`,
`duckdb.connect()`): no table in it existed before. Samples are only ever parsed, never run."""

from blastguard.api import check_text


def rules(code):
    return sorted({f.rule_id for f in check_text(code, filename="load.py") if f.suppression is None})


REPLACE = "conn.execute(\"CREATE OR REPLACE TABLE quality AS SELECT * FROM read_parquet('q.parquet')\")"
DROP = 'conn.execute("DROP TABLE quality")'


def program(connect, *lines, imports="import duckdb\nimport sqlite3\n"):
    body = "".join(f"    {line}\n" for line in lines)
    return f"{imports}\ndef load(path):\n    conn = {connect}\n{body}"


def test_replacing_or_dropping_a_table_of_a_fresh_in_memory_database_is_clean():
    assert rules(program('duckdb.connect(database=":memory:")', REPLACE)) == []
    assert rules(program("duckdb.connect()", REPLACE, DROP)) == []
    assert rules(program('sqlite3.connect(":memory:")', DROP)) == []
    cursor = 'cursor = conn.cursor()\n    cursor.execute("DELETE FROM quality")'
    assert rules(program('sqlite3.connect(":memory:")', cursor)) == []


def test_a_database_on_disk_or_an_attached_one_still_reports():
    assert rules(program('duckdb.connect("warehouse.duckdb")', REPLACE)) == ["SQL206"]
    assert rules(program('sqlite3.connect("app.db")', DROP)) == ["SQL202"]
    attached = 'conn.execute("ATTACH DATABASE \'app.db\' AS app")\n    conn.execute("DROP TABLE app.users")'
    assert rules(program('sqlite3.connect(":memory:")', attached)) == ["SQL202"]
    assert rules(program("make_connection()", DROP)) == ["SQL202"]


def test_guardrails_are_still_read_in_memory():
    assert rules(program('sqlite3.connect(":memory:")', 'conn.execute("PRAGMA foreign_keys = OFF")')) == ["SQL301"]
