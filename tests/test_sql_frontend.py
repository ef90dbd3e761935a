"""The SQL frontend and rules on the tricky inputs: exact spans, comments and strings, dialects,
disguises that must flag and look-alikes that must not."""

import pytest

from blastguard.api import check_text
from blastguard.config import Config
from blastguard.frontends.sql.frontend import SqlFrontend
from blastguard.sources import Source


def findings(sql, **kw):
    return [
        (f.rule_id, f.region.start_line, f.region.start_column, f.region.end_line, f.region.end_column)
        for f in check_text(sql, filename="t.sql", **kw)
        if f.suppression is None
    ]


def rules(sql):
    return sorted({f[0] for f in findings(sql)})


def parse(sql):
    return SqlFrontend().parse(Source("t.sql", sql, "sql"))


def test_statement_spans_are_exact_and_exclude_the_semicolon():
    doc = parse("SELECT 1;\n  -- note\n  DELETE\n  FROM users ;  TRUNCATE t")
    spans = [(s.start, s.end) for s in doc.statements]
    text = doc.text
    assert [text[a:b] for a, b in spans] == ["SELECT 1", "DELETE\n  FROM users", "TRUNCATE t"]


def test_multi_line_span_in_host_coordinates():
    assert findings("SELECT 1;\n\nDELETE\n  FROM\n    users;\n") == [("SQL101", 3, 1, 5, 10)]


def test_nested_delete_span_points_at_the_nested_statement():
    sql = "WITH gone AS (\n  DELETE FROM sessions RETURNING id\n)\nSELECT count(*) FROM gone;"
    assert findings(sql) == [("SQL101", 2, 3, 2, 23)]


def test_where_clause_span_stops_before_returning():
    sql = "DELETE FROM users WHERE 1 = 1 RETURNING id;"
    assert findings(sql) == [("SQL103", 1, 19, 1, 30)]


def test_where_clause_span_keeps_its_parentheses():
    assert [
        f.snippet for f in check_text("DELETE FROM users WHERE id IN (SELECT id FROM users);", filename="t.sql")
    ] == ["WHERE id IN (SELECT id FROM users)"]
    nested = "WITH d AS (DELETE FROM t WHERE (1=1) RETURNING *) SELECT 1;"
    assert [f.snippet for f in check_text(nested, filename="t.sql")] == ["WHERE (1=1)"]


def test_columns_count_code_points():
    assert findings("SELECT 'ünïcødé';  DELETE FROM users;") == [("SQL101", 1, 20, 1, 37)]


def test_comments_and_strings_are_never_code():
    sql = (
        "-- DELETE FROM users;\n"
        "/* TRUNCATE users; DROP TABLE users; */\n"
        "SELECT 'DELETE FROM users; DROP TABLE x' AS s, \"drop table\" FROM t;\n"
        "INSERT INTO audit (sql) VALUES ($$TRUNCATE users$$), (E'DROP TABLE \\' x');\n"
        "COMMENT ON TABLE users IS 'DROP TABLE users; DELETE FROM users;';\n"
    )
    assert findings(sql) == []


def test_nested_block_comments_postgres():
    assert findings("/* outer /* inner */ DELETE FROM users; */ SELECT 1;") == []


def test_comment_positions_come_from_the_gaps_only():
    doc = parse("SELECT '-- not a comment' /* real */, 1; -- trailing\n")
    assert [c.body for c in doc.comments] == [" real ", " trailing"]


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM `users`;",  # MySQL identifier quotes
        "DELETE FROM users # WHERE id = 1\n;",  # MySQL comment hides the WHERE
        "DELETE FROM users WHERE id = %s OR 1=1;",  # pyformat parameter
        'delete from "Users";',
        "DELETE FROM public.users;",
        "/* leading */ DELETE FROM users;",
        "SELECT 1; DELETE FROM users;",
        "WITH x AS (SELECT 1) DELETE FROM users;",
        "\\c production\nDELETE FROM users;",  # psql meta-command before it
        "EXPLAIN (ANALYZE, BUFFERS) DELETE FROM users;",
        "EXPLAIN ANALYSE VERBOSE DELETE FROM users;",
        "DELETE FROM users WHERE (1=1);",
        "DELETE FROM users WHERE TRUE AND TRUE;",
        "DELETE FROM users WHERE 1 = 1 -- AND id = 42\n;",
        "DELETE FROM users WHERE COALESCE(flag, 0) = COALESCE(flag, 0);",
        "SELECT 'unterminated;\nDELETE FROM users;",  # the file does not tokenize
    ],
)
def test_disguises_are_flagged(sql):
    assert {"SQL101", "SQL103"} & set(rules(sql)), sql


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM users WHERE deleted_at IS NULL;",
        "INSERT INTO audit (action) VALUES ('DELETE FROM users');",
        "CREATE TABLE orders (id int, user_id int REFERENCES users ON DELETE CASCADE ON UPDATE CASCADE);",
        "COMMENT ON COLUMN users.email IS 'drop after the migration';",
        "DELETE FROM users WHERE id = ANY($1);",
        "UPDATE users SET x = 1 WHERE id = :id;",
        "CREATE TRIGGER audit AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION log_delete();",
        "EXPLAIN (ANALYZE false) DELETE FROM users;",
        "EXPLAIN DELETE FROM users;",
        "-- TODO: DELETE FROM users once the export is done\nSELECT 1;",
        "DELETE FROM users WHERE id = random();",
        "DELETE FROM users u WHERE u.id = 1 AND u.id = u.id;",
        "CREATE TEMP TABLE ids AS SELECT id FROM users;\nDELETE FROM ids;\nTRUNCATE ids;\nDROP TABLE ids;",
        "SELECT id INTO TEMP stale FROM users WHERE last_login < '2020-01-01';\nDROP TABLE stale;",
        "WITH doomed AS (SELECT id FROM events ORDER BY id LIMIT 500)\nDELETE FROM events WHERE id IN (SELECT id FROM doomed);",
        "BEGIN;\nDELETE FROM carts WHERE updated_at < now() - interval '30 days';\nCOMMIT;",
        "ALTER TABLE users ADD COLUMN nickname text;\nUPDATE users SET nickname = '';\nALTER TABLE users DROP COLUMN nickname;",
    ],
)
def test_look_alikes_stay_clean(sql):
    assert rules(sql) == [], sql


def test_explain_analyze_message_says_it_executes():
    (f,) = check_text("EXPLAIN ANALYZE DELETE FROM users;", filename="t.sql")
    assert f.message.endswith("EXPLAIN ANALYZE executes the statement it explains.")


def test_token_level_fallback_when_the_file_does_not_tokenize():
    doc = parse("SELECT 'oops;\nDROP TABLE users;\n")
    assert [s.error is None for s in doc.statements] == [False, True]
    assert rules("SELECT 'oops;\nDROP TABLE users;\n") == ["SQL202"]


def test_missing_semicolon_between_statements_is_still_judged():
    # Two statements run together do not parse; each verb that opens a line is judged on its words.
    assert rules("UPDATE users SET a = WHERE id = 2\nDELETE FROM users\n") == ["SQL101"]


def test_create_if_not_exists_does_not_make_a_table_script_local():
    assert rules("CREATE TABLE IF NOT EXISTS users (id int);\nTRUNCATE users;") == ["SQL201"]


def test_drop_before_create_is_flagged():
    assert rules("DROP TABLE IF EXISTS users;\nCREATE TABLE users (id int);") == ["SQL202"]


def test_mysql_dump_executable_comments_are_comments():
    assert findings("/*!40014 SET FOREIGN_KEY_CHECKS=0 */;\nSELECT 1;") == []


def test_explicit_dialect_changes_how_text_is_read():
    sql = "DELETE FROM users # WHERE id = 1\n;"
    (mysql,) = check_text(sql, filename="t.sql", config=Config(sql_dialect="mysql"))
    assert (mysql.rule_id, "commented out" in mysql.message) == ("SQL101", True)
    # In PostgreSQL `#` is an operator, not a comment: the statement does not parse and is unverifiable.
    (postgres,) = check_text(sql, filename="t.sql", config=Config(sql_dialect="postgres"))
    assert postgres.rule_id == "SQL900"


def severities(sql):
    return [(f.rule_id, f.region.start_line, f.severity.label) for f in check_text(sql, filename="t.sql")]


def test_routine_bodies_run_later_so_their_statements_are_notes_and_what_follows_is_split_right():
    sql = (
        "CREATE PROCEDURE purge_all()\nBEGIN\n  SELECT CASE WHEN 1 THEN 2 END;\n  IF 1 THEN SELECT 1; END IF;\n"
        "  DELETE FROM audit_log;\nEND;\nDELETE FROM after_proc;\n"
        "CREATE FUNCTION g() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END;\nTRUNCATE after_atomic;\n"
    )
    assert severities(sql) == [
        ("SQL101", 5, "note"),
        ("SQL101", 7, "error"),
        ("SQL101", 8, "note"),
        ("SQL201", 9, "error"),
    ]


def test_mysql_delimiter_directive():
    sql = (
        "DELIMITER $$\nCREATE PROCEDURE p()\nBEGIN\n  DELETE FROM audit_log;\nEND$$\nDELIMITER ;\n"
        "DELETE FROM after;\nDELIMITER //\nCREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n"
        "  DELETE FROM staging;\nEND //\nDELIMITER ;\nTRUNCATE x;\n"
    )
    # The procedure's body runs when called (a note), the trigger's on each insert (a warning).
    assert [f[:3] for f in findings(sql)] == [("SQL101", 4, 3), ("SQL101", 7, 1), ("SQL101", 11, 3), ("SQL201", 14, 1)]
    assert [s[2] for s in severities(sql)] == ["note", "error", "warning", "error"]


def test_statements_inside_a_do_block_are_judged_with_exact_positions():
    sql = (
        "DO $$\nBEGIN\n  IF now() > '2026-01-01' THEN\n    DELETE FROM users;\n  END IF;\n"
        "  FOR r IN SELECT id FROM t LOOP\n    UPDATE t SET x = x + 1 WHERE id = r.id;\n  END LOOP;\nEND $$;\n"
    )
    assert findings(sql) == [("SQL101", 4, 5, 4, 22)]


def test_drop_of_objects_without_rows_is_not_unverifiable_when_it_does_not_parse():
    assert rules("DROP FUNCTION bt_metap(IN relname text, OUT magic int4, OUT version int4);") == []


# --- readings that real migrations showed wrong -------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM users WHERE NULL IS NOT NULL;",
        "DELETE FROM users WHERE 1 = 0;",
        "DELETE FROM users WHERE false;",
        "UPDATE users SET email = NULL WHERE NULL IS NOT NULL;",
        "UPDATE users SET email = NULL WHERE email IS NULL AND 1 = 0;",
    ],
)
def test_a_constant_false_predicate_touches_no_row_and_is_not_reported(sql):
    assert rules(sql) == [], sql


def test_is_not_null_is_a_tautology_only_on_a_column_declared_not_null_before_the_statement():
    delete = "DELETE FROM users WHERE email IS NOT NULL;"
    assert rules(delete) == ["SQL104"]
    assert rules("CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);\n" + delete) == ["SQL103"]
    assert rules("ALTER TABLE users ADD CONSTRAINT users_pk PRIMARY KEY (email);\n" + delete) == ["SQL103"]
    # Declared after the statement, or relaxed before it: the column may hold NULLs when it runs.
    assert rules(delete + "\nALTER TABLE users ALTER COLUMN email SET NOT NULL;") == ["SQL104"]
    relaxed = (
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users ALTER COLUMN email DROP NOT NULL;\n"
    )
    assert rules(relaxed + delete) == ["SQL104"]
    # Another table's NOT NULL column says nothing about this one.
    assert rules("CREATE TABLE accounts (email text NOT NULL);\n" + delete) == ["SQL104"]


def test_a_constraint_dropped_and_added_back_in_a_migration_is_not_reported_but_one_only_dropped_is():
    migration = (
        '-- DropForeignKey\nALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";\n\n'
        '-- DropForeignKey\nALTER TABLE "Comment" DROP CONSTRAINT "Comment_postId_fkey";\n\n'
        '-- AlterTable\nALTER TABLE "Post" ALTER COLUMN "authorId" DROP NOT NULL;\n\n'
        '-- AddForeignKey\nALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") '
        'REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;\n'
    )
    assert [f[:2] for f in findings(migration)] == [("SQL207", 5)]


def test_an_unparsed_merge_is_judged_as_one_statement_with_its_actions():
    tsql = (
        "MERGE dbo.Products AS t\nUSING dbo.StagingProducts AS s\nON (t.ProductID = s.ProductID)\n"
        "WHEN MATCHED AND t.Price <> s.Price THEN\n    UPDATE SET t.Price = s.Price\n"
        "WHEN NOT MATCHED BY SOURCE THEN\n    DELETE\nOUTPUT $action, inserted.ProductID;"
    )
    assert parse(tsql).statements[0].error
    # The UPDATE and DELETE after THEN are the MERGE's actions, not statements without a WHERE.
    assert rules(tsql) == ["SQL900"]
