"""The migrations build an empty database that matches the models exactly."""

from sqlalchemy import create_engine, inspect

from accompany import create_app
from accompany.database import db
from accompany.models import MessageKind
from tests.conftest import config_for, fresh_database_url


def test_upgrade_builds_every_table_and_check_finds_no_drift(db_kind, postgres, tmp_path):
    url = fresh_database_url(db_kind, postgres, tmp_path, "accompany_migrate")
    app = create_app(config_for(url))
    runner = app.test_cli_runner()

    upgrade = runner.invoke(args=["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output

    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output

    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    with app.app_context():
        expected = {table.name for table in db.metadata.sorted_tables}
        db.engine.dispose()
    assert expected <= tables
    assert {"users", "families", "locations", "appointments", "shifts", "claims",
            "outbound_messages", "inbound_messages", "opt_outs", "audit_events"} <= tables


def test_downgrade_to_base_and_up_again(db_kind, postgres, tmp_path):
    url = fresh_database_url(db_kind, postgres, tmp_path, "accompany_roundtrip")
    app = create_app(config_for(url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    down = runner.invoke(args=["db", "downgrade", "base"])
    assert down.exit_code == 0, down.output
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        db.engine.dispose()


def test_check_notices_a_database_that_differs_from_the_models(db_kind, postgres, tmp_path):
    url = fresh_database_url(db_kind, postgres, tmp_path, "accompany_drift")
    app = create_app(config_for(url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE users DROP COLUMN home_area")
    engine.dispose()
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code != 0
    assert "home_area" in str(check.exception) + check.output
    with app.app_context():
        db.engine.dispose()


def test_the_migrated_message_kind_checks_take_every_kind_the_models_have(db_kind, postgres, tmp_path):
    """`db check` does not compare CHECK constraints: a new MessageKind needs a migration that
    widens them, or the first row of that kind is refused by the database."""
    url = fresh_database_url(db_kind, postgres, tmp_path, "accompany_kinds")
    app = create_app(config_for(url))
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    engine = create_engine(url)
    for table in ("outbound_messages", "inbound_messages"):
        checks = {check["name"]: check["sqltext"] for check in inspect(engine).get_check_constraints(table)}
        allowed = checks[f"ck_{table}_message_kind"]
        assert [kind.value for kind in MessageKind if f"'{kind.value}'" not in allowed] == [], table
    engine.dispose()
    with app.app_context():
        db.engine.dispose()
