"""SH701 framework-database-reset: a web framework's or migration tool's command that drops, empties or
recreates the application's database (`rails db:reset`, `manage.py flush`, `prisma migrate reset`)."""

from __future__ import annotations

import os

from blastguard.examples import Example
from blastguard.frontends.shell.program_options import PLAIN, Syntax, options, parse
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command
    from blastguard.frontends.shell.word_values import Word

WARNING, NOTE, ERROR = Severity.WARNING, Severity.NOTE, Severity.ERROR
_EVERYTHING = "drops or empties every table of the application's database"
# Rails tasks (also per database of a multi-database app: `db:drop:primary`, and `db:drop:all`).
_RAILS = {
    "db:drop": "drops the application's database",
    "db:reset": "drops the application's database and recreates it from the schema",
    "db:purge": "empties the application's database",
    "db:schema:load": "recreates every table from the schema file, deleting their rows",
    "db:structure:load": "recreates every table from the structure file, deleting their rows",
    "db:setup": "loads the schema, which recreates every table of an existing database without its rows",
    "db:migrate:reset": "drops the application's database and migrates it again from nothing",
    "db:truncate_all": "truncates every table of the application's database",
    "db:seed:replant": "truncates every table of the application's database before seeding it",
}
_RAILS_ONE_STEP = ("db:rollback", "db:migrate:down", "db:migrate:redo")
# Other tools: subcommand -> (what it does, severity); None: the rule's.
_TOOLS: dict[str, dict[str, tuple[str, Severity | None]]] = {
    "manage.py": {
        "flush": (_EVERYTHING, None),
        "reset_db": ("drops and recreates the application's database (django-extensions)", None),
    },
    "artisan": {
        "migrate:fresh": ("drops every table and migrates again from nothing", None),
        "migrate:reset": ("rolls back every migration, dropping the tables they created", None),
        "migrate:refresh": ("rolls back every migration and migrates again, dropping every row", None),
        "db:wipe": ("drops every table, view and type of the database", None),
        "migrate:rollback": ("rolls back the last batch of migrations, which may drop tables or columns", NOTE),
    },
    "mix": {
        "ecto.drop": ("drops the repository's database", None),
        "ecto.reset": ("drops the repository's database and recreates it", None),
        "ecto.rollback": ("rolls back the last migration, which may drop a table or a column", NOTE),
    },
    "prisma": {
        "migrate reset": ("drops the database (or every table in it) and applies every migration again", None),
    },
    "knex": {
        "migrate:rollback": ("rolls back the last batch of migrations, which may drop tables or columns", NOTE),
        "migrate:down": ("undoes a migration, which may drop a table or a column", NOTE),
    },
    "sequelize": {
        "db:drop": ("drops the application's database", None),
        "db:migrate:undo:all": ("undoes every migration, dropping the tables they created", None),
        "db:migrate:undo": ("undoes the last migration, which may drop a table or a column", NOTE),
    },
    "typeorm": {
        "schema:drop": ("drops every table, view and type of the connection's database", None),
        "migration:revert": ("reverts the last migration, which may drop a table or a column", NOTE),
    },
    "flyway": {"clean": ("drops every object of the configured schemas", None)},
    "liquibase": {
        "dropall": ("drops every object of the configured database", None),
        "drop-all": ("drops every object of the configured database", None),
    },
    "supabase": {"db reset": ("drops the database and recreates it from the migrations and seed", None)},
    "heroku": {"pg:reset": ("deletes every table and row of the app's Heroku Postgres database", None)},
    "alembic": {"downgrade": ("runs migrations backwards, which may drop tables or columns", NOTE)},
}
_TOOL_NAMES = {
    "sequelize-cli": "sequelize",
    "typeorm-ts-node-commonjs": "typeorm",
    "typeorm-ts-node-esm": "typeorm",
    "django-admin": "manage.py",
    "django-admin.py": "manage.py",
}
_NODE_TOOLS = frozenset({"prisma", "knex", "sequelize", "sequelize-cli", "typeorm", "supabase"})
_PYTHONS = frozenset({"python", "python3", "py"})
# How each tool spells options that take a value, so its subcommand is read right.
_SYNTAX = {
    "manage.py": Syntax(options("--settings", "--pythonpath", "--database", "-v", "--verbosity")),
    "artisan": Syntax(options("--env", "--database", "--path", "--step")),
    "prisma": Syntax(options("--schema")),
    "knex": Syntax(options("--env", "--knexfile", "--cwd", "--knexpath", "--migrations-directory")),
    "sequelize": Syntax(options("--env", "--config", "--url", "--options-path", "--migrations-path", "--to")),
    "typeorm": Syntax(options("-d", "--dataSource", "--config", "-c", "--connection")),
    "flyway": Syntax(frozenset(), clusters=False),  # `-url=…`, `-cleanDisabled=false`: values are attached
    "heroku": Syntax(options("-a", "--app", "-r", "--remote", "-c", "--confirm")),
    "supabase": Syntax(options("--db-url", "--workdir", "--project-ref", "--version", "--output", "-o")),
    "alembic": Syntax(options("-c", "--config", "-n", "--name", "-x")),
    "mix": PLAIN,
}
# Environment names for a test database, which test runs empty anyway.
_TEST_ENVIRONMENTS = frozenset({"test", "testing"})
_ENVIRONMENT_VARIABLES = ("RAILS_ENV", "RACK_ENV", "MIX_ENV", "APP_ENV", "NODE_ENV")
# Rails' own guard against dropping a production database, switched off.
_RAILS_BYPASS = "DISABLE_DATABASE_ENVIRONMENT_CHECK"
_DRY_RUNS = ("--pretend", "--sql", "--dry-run", "--dryrun", "--help", "-h")


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    found = _tool(command)
    if found is None:
        return
    tool, args = found
    judged = _rails(tool, args) if tool in ("rails", "rake") else _other(tool, args)
    if judged is None:
        return
    shown, what, severity, assigned, environment = judged
    known = {**command.env, **assigned}
    environments = [known.get(v, "") for v in _ENVIRONMENT_VARIABLES] + ([environment] if environment else [])
    if any(e.lower() in _TEST_ENVIRONMENTS for e in environments):
        return  # the test database: emptied by every test run
    # `rake db:drop RAILS_ENV=production`: set by an argument, which the command's evidence does not read
    names = document.source.context.names
    evidence = tuple(f"{name}={value}" for name, value in assigned.items() if names.matches(value))
    if known.get(_RAILS_BYPASS, "") not in ("", "0", "false"):
        evidence += (f"{_RAILS_BYPASS}={known[_RAILS_BYPASS]} (Rails' guard for production databases off)",)
    yield Hit(
        command.start,
        command.end,
        f"`{shown}` {what}. Check which database it acts on, and take a backup first if it holds data you need.",
        severity,
        production=evidence,
    )


def _tool(command: Command) -> tuple[str, list[Word]] | None:
    """The framework tool a command runs and its arguments: `python manage.py`, `php artisan`, `yarn prisma`."""
    program, args = command.program, command.args
    if program in _PYTHONS or program.startswith("python3."):
        rest = parse(args, Syntax(options("-W", "-X")), stop_at_positional=True)[1]
        if rest and os.path.basename(rest[0].value) == "manage.py":
            return "manage.py", rest[1:]
        return None
    if program == "php":
        if args and os.path.basename(args[0].value) == "artisan":
            return "artisan", args[1:]
        return None
    if program in ("yarn", "pnpm", "bun") and args and args[0].value in _NODE_TOOLS:
        program, args = args[0].value, args[1:]  # a package's binary run by name
    program = _TOOL_NAMES.get(program, program)
    if program in ("rails", "rake") or program in _TOOLS:
        return program, args
    return None


# (shown, what it does, severity or None for the rule's, `VAR=value` arguments, the environment option's value)
if TYPE_CHECKING:
    Judged = tuple[str, str, Severity | None, dict[str, str], str]


def _rails(tool: str, args: list[Word]) -> Judged | None:
    """Tasks and `VAR=value` arguments of `rails`/`rake` (`rake db:drop RAILS_ENV=production`)."""
    argv = parse(args, Syntax(options("-e", "--environment")))[0]
    if argv.has("--dry-run", "-n", "--dryrun", "-T", "--tasks", "-P", "--prereqs", "-D", "--describe", "-W"):
        return None
    env: dict[str, str] = {}
    tasks = []
    for word in argv.positionals:
        name, equals, value = word.value.partition("=")
        if equals and name.isupper():
            env[name] = value
        else:
            tasks.append(word.value)
    option = argv.value("-e", "--environment")
    environment = option.value if option is not None else ""
    for task in tasks:
        if task.startswith("db:test:"):
            continue  # the test database only
        base = next((t for t in _RAILS if task == t or task.startswith(t + ":")), None)
        if base is not None:
            return f"{tool} {task}", _RAILS[base], None, env, environment
    for task in tasks:
        if task in _RAILS_ONE_STEP:
            what = "runs a migration backwards, which may drop a table or a column"
            return f"{tool} {task}", what, NOTE, env, environment
    return None


def _other(tool: str, args: list[Word]) -> Judged | None:
    argv = parse(args, _SYNTAX.get(tool, PLAIN))[0]
    option = argv.value("--env")
    environment = option.value if option is not None else ""
    words = [w.value for w in argv.positionals]
    if argv.has(*_DRY_RUNS):
        return None
    if tool == "prisma" and words[:2] == ["db", "push"]:
        if not argv.has("--accept-data-loss", "--force-reset"):
            return None
        flag = "--force-reset" if argv.has("--force-reset") else "--accept-data-loss"
        what = "resets the database" if flag == "--force-reset" else "applies schema changes that drop data"
        return f"prisma db push {flag}", f"{what}, without a migration to review", None, {}, environment
    table = _TOOLS[tool]
    for length in (2, 1):
        key = " ".join(words[:length]).lower() if tool == "liquibase" else " ".join(words[:length])
        if key in table:
            break
    else:
        return None
    what, severity = table[key]
    shown = f"{tool} {key}"
    if tool == "mix" and key == "ecto.rollback" and argv.has("--all"):
        what, severity = "rolls back every migration, dropping the tables they created", None
    elif tool == "knex" and key == "migrate:rollback" and argv.has("--all"):
        what, severity = "rolls back every migration, dropping the tables they created", None
    elif tool == "alembic":
        # the revision may look like an option (`-1`): it is the word after `downgrade`
        values = [w.value for w in args]
        target = values[values.index("downgrade") + 1] if values.index("downgrade") + 1 < len(values) else ""
        if ":" in target:
            return None  # `downgrade a:b --sql`-style ranges only print SQL
        if target == "base":
            what, severity = "runs every migration backwards, usually dropping every table it created", None
        shown = f"alembic downgrade {target}".rstrip()
    elif tool == "heroku" and argv.has("-c", "--confirm"):
        what, severity = what + ", without asking for the app's name", ERROR
    elif tool == "supabase" and (argv.has("--linked") or argv.has("--db-url")):
        what = "drops and recreates the linked remote database"
        severity = ERROR if argv.has("--yes") else None
    elif tool == "flyway" and argv.has("-cleanDisabled"):
        what += " (with Flyway's guard, cleanDisabled, switched off)"
    return shown, what, severity, {}, environment


RULE = Rule(
    id="SH701",
    name="framework-database-reset",
    language="shell",
    severity=Severity.WARNING,
    summary="A framework or migration tool command that drops, empties or recreates the application's database.",
    rationale=(
        "`rails db:drop`/`db:reset`/`db:purge`/`db:schema:load`, `manage.py flush`, `php artisan migrate:fresh`/"
        "`db:wipe`, `mix ecto.drop`/`ecto.reset`, `prisma migrate reset`, `prisma db push --accept-data-loss`, "
        "`supabase db reset`, `heroku pg:reset`, `sequelize db:drop`, `typeorm schema:drop`, `knex migrate:rollback "
        "--all`, `flyway clean`, `liquibase dropAll` and `alembic downgrade base` delete every row of the database "
        "the project is configured for. They are everyday commands on a developer's own database, so they ask "
        "(warning) rather than deny; a target named production raises them to an error: `RAILS_ENV=production`, "
        "`--env production`, `MIX_ENV=prod`, `heroku … -a app-prod`, a dyno of such an app. The frameworks guard "
        "production themselves (Rails refuses `db:drop` there, artisan asks without `--force`), so setting Rails' "
        "`DISABLE_DATABASE_ENVIRONMENT_CHECK` counts as production evidence. A hosted database reset that skips its "
        "confirmation (`heroku pg:reset --confirm app`, `supabase db reset --linked --yes`) is an error. One step "
        "back (`db:rollback`, `alembic downgrade -1`, `migrate:rollback`) may drop a column: a note, a warning on "
        "production. The test database (`RAILS_ENV=test`, `MIX_ENV=test`, `db:test:prepare`) is emptied by every "
        "test run and is not a finding; neither are dry runs (`--pretend`, `--sql`)."
    ),
    fix="Run it against the database you mean (check the environment), and take a backup first if it holds data.",
    flag=(
        Example(
            "bin/rails db:reset",
            flagged="bin/rails db:reset",
            severity=Severity.WARNING,
            message="drops the application's database and recreates it",
        ),
        "rails db:drop",
        "bundle exec rails db:purge",
        "rake db:drop:all",
        "bin/rails db:schema:load",
        "cd app && bundle exec rake db:reset",
        Example("RAILS_ENV=production bin/rails db:drop", severity=Severity.ERROR),
        Example("rake db:drop RAILS_ENV=production", severity=Severity.ERROR),
        Example(
            "DISABLE_DATABASE_ENVIRONMENT_CHECK=1 bin/rails db:schema:load",
            severity=Severity.ERROR,
            message="db:schema:load",
        ),
        "docker compose exec web bin/rails db:reset",
        "python manage.py flush --noinput",
        "./manage.py reset_db",
        "bash -c 'python3 manage.py flush'",
        "poetry run python manage.py flush",
        "php artisan migrate:fresh --seed",
        "php artisan db:wipe --force",
        Example("php artisan migrate:reset --env=production --force", severity=Severity.ERROR),
        "mix ecto.drop",
        Example("MIX_ENV=prod mix ecto.reset", severity=Severity.ERROR),
        "npx prisma migrate reset --force",
        "pnpm prisma migrate reset",
        "yarn prisma db push --accept-data-loss",
        "prisma db push --force-reset",
        "supabase db reset",
        Example("supabase db reset --linked --yes", severity=Severity.ERROR),
        "heroku pg:reset DATABASE_URL -a app-staging",
        Example("heroku pg:reset DATABASE_URL -a app-prod --confirm app-prod", severity=Severity.ERROR),
        Example("heroku run -a app-prod rails db:schema:load", severity=Severity.ERROR),
        "npx knex migrate:rollback --all",
        "npx sequelize-cli db:drop",
        "npx sequelize db:migrate:undo:all",
        "npx typeorm schema:drop -d src/data-source.ts",
        "flyway -url=jdbc:postgresql://localhost/app clean",
        "liquibase dropAll",
        "alembic downgrade base",
        Example(
            "alembic downgrade -1", severity=Severity.NOTE, message="`alembic downgrade -1` runs migrations backwards"
        ),
        Example("bin/rails db:rollback", severity=Severity.NOTE),
        Example("heroku run --app app-prod rails db:rollback", severity=Severity.WARNING),
    ),
    clean=(
        "bin/rails db:migrate",
        "rails db:seed",
        "rails db:create",
        "bin/rails db:prepare",
        "bin/rails db:schema:dump",
        "bin/rails db:test:prepare",
        "RAILS_ENV=test bin/rails db:reset",
        "MIX_ENV=test mix ecto.reset",
        "rake -T db",
        "python manage.py migrate",
        "python manage.py showmigrations",
        "python manage.py sqlflush",
        "php artisan migrate",
        "php artisan migrate:rollback --pretend",
        "php artisan migrate:status",
        "mix ecto.migrate",
        "npx prisma migrate dev",
        "npx prisma migrate deploy",
        "npx prisma migrate status",
        "npx prisma db push",
        "yarn prisma generate",
        "alembic upgrade head",
        "alembic downgrade base --sql",
        "alembic history",
        "flyway migrate",
        "flyway info",
        "liquibase update",
        "supabase db push",
        "supabase db diff",
        "heroku pg:info -a app-prod",
        "npx knex migrate:latest",
        "npx sequelize-cli db:migrate",
        "echo 'run rails db:reset to start over'",
    ),
    check=check,
    escalates=True,
    keywords=(
        "rails",
        "rake",
        "manage.py",
        "django-admin",
        "artisan",
        "mix",
        "prisma",
        "supabase",
        "heroku",
        "knex",
        "sequelize",
        "typeorm",
        "flyway",
        "liquibase",
        "alembic",
    ),
    precision="high",
    tags=("data-loss",),
)
