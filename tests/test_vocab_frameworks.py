"""Framework database resets (SH701) and data-store deletes (SH202): what the rules' own examples cannot
say. Production evidence and the severity it raises, mongo shell code on standard input, the package
runners the shell frontend sees through, and CQL and InfluxQL read by the SQL rules. Nothing is run."""

from __future__ import annotations

import pytest

from blastguard.config import Config
from blastguard.context import Context
from blastguard.engine import Engine
from blastguard.frontends.shell.frontend import ShellFrontend
from blastguard.model import Severity
from blastguard.sources import Source


def _findings(text: str, context: Context | None = None):
    found, _ = Engine(Config(), ".").check_source(Source("x.sh", text, "shell", context or Context()))
    return [f for f in found if f.suppression is None]


def _one(text: str, rule_id: str, context: Context | None = None):
    (finding,) = [f for f in _findings(text, context) if f.rule_id == rule_id]
    return finding


def _rules(text: str) -> list[str]:
    return sorted({f.rule_id for f in _findings(text)})


# --- production raises one level ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("RAILS_ENV=production bin/rails db:drop", "RAILS_ENV=production"),
        ("bundle exec rake db:reset RAILS_ENV=production", "RAILS_ENV=production"),
        ("bin/rails db:drop -e production", "rails -e production"),
        ("MIX_ENV=prod mix ecto.drop", "MIX_ENV=prod"),
        ("php artisan migrate:fresh --env=production --force", "--env production"),
        ("APP_ENV=production php artisan db:wipe --force", "APP_ENV=production"),
        ("python manage.py flush --noinput --settings=shop.settings.production", "--settings shop.settings.production"),
        ("DJANGO_SETTINGS_MODULE=shop.settings.prod ./manage.py flush", "DJANGO_SETTINGS_MODULE=shop.settings.prod"),
        ("NODE_ENV=production npx sequelize-cli db:drop", "NODE_ENV=production"),
        ("npx knex migrate:rollback --all --env production", "knex --env production"),
        ("heroku pg:reset DATABASE_URL -a shop-prod", "heroku -a shop-prod"),
        ("heroku run --app shop-prod -- python manage.py flush --noinput", "heroku run --app shop-prod"),
        ("heroku run rails db:schema:load --app shop-prod", "heroku run --app shop-prod"),
        ("docker compose -f compose.production.yml run --rm web bin/rails db:reset", "compose.production.yml"),
    ],
)
def test_a_reset_aimed_at_production_is_raised_to_an_error_and_says_why(text, evidence):
    finding = _one(text, "SH701")
    assert finding.severity == Severity.ERROR
    assert evidence in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "bin/rails db:drop",
        "RAILS_ENV=staging bin/rails db:drop",
        "mix ecto.drop",
        "php artisan migrate:fresh --env=local",
        "heroku pg:reset DATABASE_URL -a shop-staging",
        "heroku run --app product-catalog -- rails db:reset",  # `product` is not `prod`
    ],
)
def test_the_same_reset_elsewhere_asks(text):
    assert _one(text, "SH701").severity == Severity.WARNING


def test_switching_off_rails_own_production_guard_is_evidence_of_production():
    finding = _one("DISABLE_DATABASE_ENVIRONMENT_CHECK=1 bin/rails db:drop", "SH701")
    assert finding.severity == Severity.ERROR
    assert "DISABLE_DATABASE_ENVIRONMENT_CHECK=1" in finding.message


def test_production_from_where_the_script_runs_raises_it_too():
    job = Context(production=("job environment 'production'",))
    assert _one("bin/rails db:schema:load", "SH701", job).severity == Severity.ERROR


def test_one_step_back_is_a_note_and_a_warning_on_production():
    assert _one("alembic downgrade -1", "SH701").severity == Severity.NOTE
    assert _one("heroku run -a shop-prod alembic downgrade -1", "SH701").severity == Severity.WARNING
    assert _one("RAILS_ENV=production bin/rails db:rollback", "SH701").severity == Severity.WARNING


@pytest.mark.parametrize(
    "text",
    [
        "RAILS_ENV=test bin/rails db:reset",
        "bin/rails db:reset RAILS_ENV=test",
        "bin/rails db:test:prepare",
        "MIX_ENV=test mix ecto.reset",
        "php artisan migrate:fresh --env=testing",
        "NODE_ENV=test npx prisma migrate reset --force",
    ],
)
def test_the_test_database_is_not_a_finding(text):
    assert "SH701" not in _rules(text)


def test_a_data_store_aimed_at_production_keeps_its_error_and_a_restore_is_raised():
    restore = _one("mongorestore --uri mongodb://app:secret@prod-mongo/app --drop dump/", "SH202")
    assert restore.severity == Severity.ERROR
    assert "prod-mongo" in restore.message and "secret" not in restore.message
    assert _one("mongorestore --drop dump/", "SH202").severity == Severity.WARNING


# --- mongo shell code on standard input ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "mongosh app <<'EOF'\nuse app\ndb.users.deleteMany({})\nEOF\n",
        "mongo app <<EOF\ndb.getSiblingDB('app').sessions.remove({})\nEOF\n",
        "mongosh app <<< 'db[\"orders\"].deleteMany({ })'",
        "printf 'db.events.deleteMany({})\\n' | mongosh app",
        "ssh db-host \"mongosh app --eval 'db.events.deleteMany({})'\"",
    ],
)
def test_mongo_code_that_empties_a_collection_is_found_wherever_the_shell_reads_it(text):
    assert _one(text, "SH202").severity == Severity.ERROR


def test_mongo_drops_on_standard_input_are_sh201():
    assert "SH201" in _rules("mongosh app <<'EOF'\ndb.getCollection('orders').drop()\nEOF\n")
    assert "SH201" in _rules("mongosh app <<'EOF'\ndb.dropDatabase()\nEOF\n")


@pytest.mark.parametrize(
    "text",
    [
        "mongosh app <<'EOF'\ndb.users.deleteMany({ _id: ObjectId('65a1f0c2e4b0a1b2c3d4e5f6') })\nEOF\n",
        "mongosh app <<'EOF'\ndb.users.find({})\ndb.users.countDocuments({})\nEOF\n",
        "cat <<'EOF'\ndb.users.deleteMany({})\nEOF\n",  # written out, not run by a mongo shell
        "mongosh app --eval 'db.sessions.deleteMany({expiresAt: {$lt: new Date()}})'",
    ],
)
def test_filtered_or_unrun_mongo_code_is_clean(text):
    assert [r for r in _rules(text) if r in ("SH201", "SH202")] == []


# --- package runners are seen through --------------------------------------------------------------


def _programs(text: str) -> list[tuple[str, tuple[str, ...]]]:
    document = ShellFrontend().parse(Source("x.sh", text, "shell"))
    return [(c.program, c.wrappers) for c in document.commands]


@pytest.mark.parametrize(
    ("text", "program", "wrapper"),
    [
        ("npx --yes prisma migrate reset", "prisma", "npx"),
        ("npm exec -- prisma migrate reset", "prisma", "npm exec"),
        ("pnpm dlx prisma migrate reset", "prisma", "pnpm dlx"),
        ("yarn exec knex migrate:rollback", "knex", "yarn exec"),
        ("bundle exec bin/rails db:drop", "rails", "bundle exec"),
        ("poetry run python manage.py flush", "python", "poetry run"),
        ("uv run --with django python manage.py flush", "python", "uv run"),
        ("heroku run -a shop -- rails db:drop", "rails", "heroku run"),
        ("docker compose run --rm -e DEBUG=1 web bin/rails db:drop", "rails", "docker compose run"),
        ("docker-compose run web python manage.py flush", "python", "docker compose run"),
    ],
)
def test_a_package_runner_runs_the_tool_it_names(text, program, wrapper):
    assert _programs(text) == [(program, (wrapper,))]


def test_a_runner_whose_tool_is_only_known_at_run_time_stays_itself():
    """`npx $TOOL` is left as it was before runners were seen through: not a new unknown program."""
    assert _programs("npx $TOOL lint") == [("npx", ())]
    assert _programs("yarn build") == [("yarn", ())]
    assert _rules("npx $TOOL lint") == []


def test_a_runner_unwrapped_other_rules_see_through_it_too():
    assert "SH301" in _rules("bundle exec rm -rf ~")


# --- CQL and InfluxQL through the SQL rules -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        ("cqlsh -e 'DROP TABLE app.users'", "SQL202"),
        ("cqlsh cassandra.internal -k app -e 'TRUNCATE events'", "SQL201"),
        ("cqlsh app-db <<'EOF'\nTRUNCATE app.events;\nEOF\n", "SQL201"),
        ("influx -database telemetry -execute 'DROP DATABASE telemetry'", "SQL203"),
        ("influx -database telemetry -execute 'DELETE FROM cpu'", "SQL101"),
    ],
)
def test_cql_and_influxql_are_read_by_the_sql_rules(text, rule_id):
    assert rule_id in _rules(text)


def test_a_cqlsh_host_named_production_is_production_evidence_for_its_sql():
    delete = '-e "DELETE FROM app.users WHERE id = 42"'
    assert "SQL107" not in _rules(f"cqlsh cassandra.internal {delete}")
    assert "cqlsh prod-cassandra" in _one(f"cqlsh prod-cassandra {delete}", "SQL107").message


def test_read_only_cql_is_clean():
    assert _rules("cqlsh -e 'SELECT * FROM app.users LIMIT 10'") == []
    assert _rules("cqlsh -e 'DESCRIBE KEYSPACES'") == []
