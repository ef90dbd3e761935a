"""Procedural SQL: the statements inside routine bodies and blocks are judged at their place in the body,
a routine's body as it runs (when called, or when a trigger fires), and a call in the same file inherits it."""

from blastguard.api import check_text
from blastguard.frontends.sql.frontend import SqlFrontend
from blastguard.sources import Source


def found(sql, filename="t.sql"):
    """(rule, line, column, end line, end column, severity) of each finding."""
    return [
        (f.rule_id, r.start_line, r.start_column, r.end_line, r.end_column, f.severity.label)
        for f in check_text(sql, filename=filename)
        if f.suppression is None
        for r in [f.region]
    ]


def messages(sql, rule):
    return [f.message for f in check_text(sql, filename="t.sql") if f.rule_id == rule]


def parsed(sql):
    return SqlFrontend().parse(Source("t.sql", sql, "sql"))


MYSQL = (
    "DELIMITER //\n"
    "CREATE PROCEDURE purge_carts(IN days INT)\n"
    "BEGIN\n"
    "  DECLARE n INT DEFAULT 0;\n"
    "  IF days > 0 THEN\n"
    "    DELETE FROM cart_items WHERE updated_at < NOW() - INTERVAL days DAY;\n"
    "  ELSE\n"
    "    DELETE FROM cart_items;\n"
    "  END IF;\n"
    "END //\n"
    "DELIMITER ;\n"
)


def test_a_procedure_body_is_judged_in_place_as_a_note_when_only_created():
    assert found(MYSQL) == [("SQL101", 8, 5, 8, 27, "note")]
    (message,) = messages(MYSQL, "SQL101")
    assert "body of procedure purge_carts: creating the procedure runs nothing" in message


def test_a_call_in_the_same_file_inherits_the_body_at_full_severity():
    sql = MYSQL + "CALL purge_carts(0);\n"
    assert found(sql) == [("SQL101", 8, 5, 8, 27, "note"), ("SQL101", 12, 1, 12, 20, "error")]
    call = messages(sql, "SQL101")[1]
    assert call.startswith("This runs procedure purge_carts, defined in this file. Its body, on line 8: DELETE")


def test_a_call_of_a_routine_defined_elsewhere_is_not_judged():
    assert found("CALL purge_carts(0);\nEXEC dbo.Purge @Days = 1;\n") == []


def test_a_procedure_that_calls_itself_is_read_once():
    sql = (
        "DELIMITER //\nCREATE PROCEDURE again()\nBEGIN\n  DELETE FROM t;\n  CALL again();\nEND //\n"
        "DELIMITER ;\nCALL again();\n"
    )
    assert [f[:2] + f[5:] for f in found(sql)] == [
        ("SQL101", 4, "note"),
        ("SQL101", 5, "note"),
        ("SQL101", 8, "error"),
    ]


def test_a_finding_reached_through_nested_calls_is_reported_once_and_names_the_way():
    sql = (
        "DELIMITER //\nCREATE PROCEDURE inner_purge()\nBEGIN\n  DELETE FROM t;\nEND //\n"
        "CREATE PROCEDURE outer_purge()\nBEGIN\n  CALL inner_purge();\n  CALL inner_purge();\nEND //\n"
        "DELIMITER ;\nCALL outer_purge();\n"
    )
    at_call = [m for m in messages(sql, "SQL101") if m.startswith("This runs procedure outer_purge")]
    assert at_call == [
        "This runs procedure outer_purge, defined in this file (through procedure inner_purge). Its body, on "
        "line 4: DELETE from t has no WHERE clause, so it removes every row. Add a WHERE clause that names the "
        "rows to delete, and check it first with SELECT count(*)."
    ]


def test_a_mysql_routine_comment_with_escaped_quotes_is_header_not_body():
    sql = (
        "DELIMITER $$\nCREATE PROCEDURE `setup_reset`()\n"
        "COMMENT 'Example:\n mysql> UPDATE t SET enabled = \\'YES\\';\n Rows matched: 7\n DELETE FROM t\n'\n"
        "SQL SECURITY INVOKER\nBEGIN\n  DELETE FROM t WHERE id = 1;\nEND$$\nDELIMITER ;\n"
    )
    assert found(sql) == []
    assert parsed(sql).problems == []


def test_the_statements_after_a_delimited_routine_are_split_as_before():
    sql = MYSQL + "DELETE FROM after_it;\nUPDATE t SET a = 1 WHERE id = 2;\n"
    assert found(sql)[1:] == [("SQL101", 12, 1, 12, 21, "error")]


PLPGSQL = (
    "CREATE OR REPLACE FUNCTION offboard(tid bigint) RETURNS integer\n"
    "LANGUAGE plpgsql AS $fn$\n"
    "DECLARE\n"
    "  r record;\n"
    "  n integer := 0;\n"
    "BEGIN\n"
    "  FOR r IN SELECT id FROM projects WHERE tenant_id = tid FOR UPDATE LOOP\n"
    "    DELETE FROM members WHERE project_id = r.id;\n"
    "    n := n + 1;\n"
    "  END LOOP;\n"
    "  IF n = 0 THEN\n"
    "    RAISE NOTICE 'DELETE FROM nothing';\n"
    "    RETURN 0;\n"
    "  END IF;\n"
    "  UPDATE tenants SET active = false;\n"
    "  RETURN n;\n"
    "END;\n"
    "$fn$;\n"
)


def test_plpgsql_control_flow_is_skipped_and_the_sql_in_it_read():
    document = parsed(PLPGSQL)
    assert document.problems == []
    texts = [PLPGSQL[s.start : s.end] for s in document.statements[1:]]
    assert texts == ["DELETE FROM members WHERE project_id = r.id", "UPDATE tenants SET active = false"]
    assert found(PLPGSQL) == [("SQL102", 15, 3, 15, 17, "note")]


def test_select_of_a_function_defined_in_the_file_inherits_its_body():
    assert found(PLPGSQL + "SELECT offboard(42);\n")[1:] == [("SQL102", 19, 1, 19, 20, "error")]


def test_begin_atomic_and_do_bodies():
    sql = (
        "CREATE PROCEDURE reset_flags() LANGUAGE sql\nBEGIN ATOMIC\n  DELETE FROM flags;\nEND;\n"
        "DO $$\nBEGIN\n  TRUNCATE tmp_import;\nEND $$;\n"
    )
    assert found(sql) == [("SQL101", 3, 3, 3, 20, "note"), ("SQL201", 7, 3, 7, 22, "error")]


def test_a_body_in_another_language_is_not_read_as_sql():
    sql = "CREATE FUNCTION f() RETURNS void AS $$ plpy.execute('DELETE FROM users') $$ LANGUAGE plpython3u;\n"
    assert found(sql) == []


def test_dynamic_sql_in_a_body_is_runtime_structure():
    sql = (
        "DO $$\nBEGIN\n"
        "  EXECUTE 'DELETE FROM ' || quote_ident(current_setting('app.table'));\n"
        "  EXECUTE format('SELECT count(*) FROM %I', 'orders');\n"
        "  EXECUTE 'ANALYZE ' || 'orders';\n"
        "END $$;\n"
    )
    assert found(sql) == [("SQL901", 3, 3, 3, 70, "warning")]
    assert "its strings hold DELETE" in messages(sql, "SQL901")[0]


def test_a_trigger_runs_its_body_on_its_own_so_it_is_a_warning():
    sql = (
        "CREATE TRIGGER trg AFTER INSERT ON orders FOR EACH ROW\nBEGIN\n  DELETE FROM order_cache;\nEND;\n"
        "CREATE TRIGGER pg_trg BEFORE DELETE ON x FOR EACH ROW EXECUTE FUNCTION f();\n"
    )
    assert found(sql) == [("SQL101", 3, 3, 3, 26, "warning")]


def test_a_postgresql_trigger_inherits_the_function_it_runs_as_a_warning():
    sql = (
        "CREATE FUNCTION purge_audit() RETURNS trigger AS $$\nBEGIN\n  DELETE FROM audit;\n  RETURN NEW;\nEND\n"
        "$$ LANGUAGE plpgsql;\n"
        "CREATE TRIGGER orders_purge AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION purge_audit();\n"
    )
    assert found(sql) == [("SQL101", 3, 3, 3, 20, "note"), ("SQL101", 7, 1, 7, 95, "warning")]
    message = messages(sql, "SQL101")[1]
    assert message.startswith("This runs function purge_audit, defined in this file. Its body, on line 3: DELETE")
    assert message.endswith(
        "It is in the body of trigger orders_purge, which runs it on its own each time the trigger fires."
    )


TSQL = (
    "CREATE PROCEDURE dbo.CleanupOrders\n"
    "    @Days int = 30\n"
    "AS\n"
    "SET NOCOUNT ON;\n"
    "DELETE FROM dbo.OrderLines WHERE CreatedAt < DATEADD(day, -@Days, GETDATE());\n"
    "DELETE FROM dbo.Orders;\n"
    "GO\n"
    "CREATE OR ALTER PROCEDURE [dbo].[ResetStock] AS\n"
    "BEGIN\n"
    "    UPDATE dbo.Stock SET Quantity = 0\n"
    "    IF @@ROWCOUNT = 0\n"
    "        DELETE FROM dbo.StockLog WHERE Id = 1\n"
    "    ELSE\n"
    "        DELETE FROM dbo.StockLog\n"
    "END\n"
    "GO\n"
    "DELETE FROM dbo.Carts;\n"
    "GO\n"
    "EXEC dbo.CleanupOrders @Days = 7\n"
    "GO\n"
)


def test_tsql_bodies_run_to_the_end_of_their_go_batch_and_need_no_semicolons():
    assert found(TSQL) == [
        ("SQL101", 6, 1, 6, 23, "note"),
        ("SQL102", 10, 5, 10, 21, "note"),
        ("SQL101", 14, 9, 14, 33, "note"),
        ("SQL101", 17, 1, 17, 22, "error"),
        ("SQL101", 19, 1, 19, 33, "error"),
    ]
    assert "procedure ResetStock" in messages(TSQL, "SQL102")[0]


PLSQL = (
    "CREATE OR REPLACE PROCEDURE purge_logs(p_days IN NUMBER) IS\n"
    "  v_count NUMBER;\n"
    "BEGIN\n"
    "  FOR r IN (SELECT id FROM app_logs) LOOP\n"
    "    DELETE FROM app_log_lines WHERE log_id = r.id;\n"
    "  END LOOP;\n"
    "  DELETE FROM app_logs;\n"
    "END purge_logs;\n"
    "/\n"
    "DECLARE\n"
    "  v NUMBER;\n"
    "BEGIN\n"
    "  purge_logs(30);\n"
    "  UPDATE app_settings SET value = 'x';\n"
    "END;\n"
    "/\n"
)


def test_plsql_declarations_blocks_and_slash_terminators():
    assert found(PLSQL) == [
        ("SQL101", 7, 3, 7, 23, "note"),
        ("SQL101", 13, 3, 13, 17, "error"),
        ("SQL102", 14, 3, 14, 22, "error"),
    ]
    assert parsed(PLSQL).problems == []


def test_a_transaction_begin_and_tsql_declare_are_not_blocks():
    sql = "BEGIN;\nDELETE FROM a WHERE id = 1;\nCOMMIT;\nDECLARE @n int;\nDELETE FROM b;\n"
    assert found(sql) == [("SQL101", 5, 1, 5, 14, "error")]


def test_an_unclosed_block_does_not_swallow_the_rest_of_the_file():
    sql = "CREATE PROCEDURE p()\nBEGIN\n  DELETE FROM a WHERE id = 1;\nDELETE FROM b;\n"
    assert ("SQL101", 4, 1, 4, 14, "error") in found(sql)


def test_a_table_a_body_creates_exists_only_inside_that_body():
    sql = (
        "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  CREATE TEMPORARY TABLE scratch (id int);\n"
        "  DELETE FROM scratch;\nEND //\nDELIMITER ;\nDELETE FROM scratch;\n"
    )
    assert found(sql) == [("SQL101", 8, 1, 8, 20, "error")]


def test_forms_read_from_their_words_are_not_parse_problems():
    document = parsed(
        "DISABLE TRIGGER trg ON dbo.Orders;\nALTER TABLE sales DROP PARTITION p2019;\n"
        "ALTER TABLE m DETACH PARTITION m_2019;\n"
    )
    assert document.problems == []
