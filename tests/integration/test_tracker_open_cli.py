"""Reading commands never migrate the tracker; a database they cannot use is a clear error.

``status``, ``items``, ``items export``, ``projects``, ``minutes show`` and ``archive`` on a
database behind this mailflow's schema, or on one without a schema, stop with the command to run
and leave the schema as it was; ``mailflow db upgrade`` then makes them work. A URL that is not
one, or a server that does not answer, is a one-line error with the URL (password hidden), never
a traceback. SQLite and PostgreSQL (``tests.fixtures.db``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import URL, make_url

from mailflow.cli import main
from mailflow.tracker.db import current_revision, head_revision, make_engine, upgrade
from tests.conftest import offline_config_text

# The status every MailflowError leaves the command line with (mailflow.cli.options.fail).
FAILED = 2
OLD_REVISION = "0007"

READING_COMMANDS = [
    pytest.param(["status"], id="status"),
    pytest.param(["items"], id="items"),
    pytest.param(["items", "export", "--format", "csv"], id="items-export"),
    pytest.param(["projects"], id="projects"),
    pytest.param(["minutes", "show", "planning"], id="minutes-show"),
    pytest.param(["archive", "Launch", "--out", "{tmp}/archive"], id="archive"),
]


def _config(tmp_path: Path, url: URL | str) -> Path:
    """A config file whose database is ``url`` (servers: loopback ports nobody listens on)."""
    shown = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
    placeholder = tmp_path / "placeholder.db"
    text = offline_config_text(placeholder).replace(f"sqlite:///{placeholder}", shown)
    path = tmp_path / "mailflow.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(config: Path, command: list[str], tmp_path: Path) -> Result:
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in command]
    return CliRunner(env={"COLUMNS": "200"}).invoke(main, [*args, "--config", str(config)])


def _revision(url: URL) -> str | None:
    engine = make_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def _assert_refused(result: Result, config: Path, what: str) -> None:
    assert result.exit_code == FAILED, result.output
    # A clean exit through the CLI's error path, not an exception escaping it.
    assert isinstance(result.exception, SystemExit), result.exception
    assert what in result.stderr
    assert f"this mailflow needs {head_revision()}" in result.stderr
    assert f"run `mailflow db upgrade --config {config.resolve()}`" in result.stderr


@pytest.mark.parametrize("command", READING_COMMANDS)
def test_a_reading_command_on_an_old_schema_asks_for_db_upgrade_and_migrates_nothing(
    command: list[str], db_url: URL, tmp_path: Path
) -> None:
    upgrade(db_url, OLD_REVISION)
    config = _config(tmp_path, db_url)

    result = _run(config, command, tmp_path)

    _assert_refused(result, config, f"is at schema {OLD_REVISION}")
    assert _revision(db_url) == OLD_REVISION, "a reading command never migrates"


@pytest.mark.parametrize("command", READING_COMMANDS)
def test_a_reading_command_on_an_empty_database_asks_for_db_upgrade(
    command: list[str], db_url: URL, tmp_path: Path
) -> None:
    if db_url.get_backend_name() == "sqlite":
        # An empty file: SQLite's database without any table.
        Path(db_url.database or "").parent.mkdir(parents=True, exist_ok=True)
        Path(db_url.database or "").touch()
    config = _config(tmp_path, db_url)

    result = _run(config, command, tmp_path)

    _assert_refused(result, config, "has no mailflow schema yet")
    assert _revision(db_url) is None, "a reading command never creates the schema"


def test_a_missing_sqlite_file_is_not_created_by_a_reading_command(tmp_path: Path) -> None:
    database = tmp_path / "var" / "tracker.db"
    config = _config(tmp_path, f"sqlite:///{database}")

    result = _run(config, ["items"], tmp_path)

    assert result.exit_code == FAILED, result.output
    assert f"there is no tracker database at {database}" in result.stderr
    assert "mailflow db upgrade --config" in result.stderr
    assert not database.parent.exists(), "neither the file nor its directory is made"


def test_db_upgrade_then_the_reading_commands_work(db_url: URL, tmp_path: Path) -> None:
    upgrade(db_url, OLD_REVISION)
    config = _config(tmp_path, db_url)
    assert _run(config, ["items"], tmp_path).exit_code == FAILED

    upgraded = _run(config, ["db", "upgrade"], tmp_path)

    assert upgraded.exit_code == 0, upgraded.output
    assert f"database at revision {head_revision()}" in upgraded.output
    assert _revision(db_url) == head_revision()
    for command in (["status"], ["items"], ["projects"]):
        result = _run(config, command, tmp_path)
        assert result.exit_code == 0, result.output
    items = _run(config, ["items"], tmp_path)
    assert "0 item(s)" in items.stdout


def test_a_url_that_is_not_one_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["db", "upgrade", "--url", "not a database url"])

    assert result.exit_code == FAILED, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stderr == (
        "error: the database URL 'not a database url' is not valid: "
        "Could not parse SQLAlchemy URL from given URL string\n"
    )


def test_a_url_that_does_not_parse_is_shown_without_its_password() -> None:
    url = "postgresql+psycopg://mailflow:pw-hunter2@127.0.0.1:port/tracker"

    result = CliRunner().invoke(main, ["db", "upgrade", "--url", url])

    assert result.exit_code == FAILED, result.output
    assert "postgresql+psycopg://mailflow:***@127.0.0.1:port/tracker" in result.stderr
    assert "pw-hunter2" not in result.output


def test_a_schema_newer_than_this_mailflow_is_neither_read_nor_migrated(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    upgrade(f"sqlite:///{database}")
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        # What a later mailflow's migration leaves behind.
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    engine.dispose()
    config = _config(tmp_path, f"sqlite:///{database}")

    for command in (["items"], ["db", "upgrade"]):
        result = _run(config, command, tmp_path)
        assert result.exit_code == FAILED, result.output
        assert "is at schema 0999, which this mailflow does not know" in result.stderr
    assert _revision(make_url(f"sqlite:///{database}")) == "0999"


def test_a_server_that_does_not_answer_is_named_without_its_password(tmp_path: Path) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    url = "postgresql+psycopg://mailflow:pw-hunter2@127.0.0.1:1/tracker"

    result = CliRunner().invoke(main, ["db", "upgrade", "--url", url])

    assert result.exit_code == FAILED, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.startswith(
        "error: cannot open the tracker database at "
        "postgresql+psycopg://mailflow:***@127.0.0.1:1/tracker: "
    )
    assert "pw-hunter2" not in result.output
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    database.write_bytes(b"this is not an SQLite database, it is a note\n" * 100)
    config = _config(tmp_path, f"sqlite:///{database}")

    result = _run(config, ["status"], tmp_path)

    assert result.exit_code == FAILED, result.output
    assert result.stderr == (
        f"error: cannot open the tracker database at sqlite:///{database}: file is not a database\n"
    )
