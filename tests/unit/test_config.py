"""The configuration loader: the example passes, and every mistake is reported where it was made."""

# The case tables keep one case per line (`# fmt: skip`) so they read as tables; some lines are
# therefore longer than the limit.
# ruff: noqa: E501

from __future__ import annotations

import shutil
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from mailflow.config.load import check_config, config_from_mapping, load_config
from mailflow.config.locate import key_lines
from mailflow.config.schema import Secret
from mailflow.errors import ConfigError, ConfigProblem

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
EXAMPLE = CONFIG_DIR / "mailflow.example.toml"


def minimal() -> dict[str, Any]:
    """The smallest valid configuration, as parsed TOML."""
    return {
        "mail": {"domain": "example.com", "bot_address": "meetings@example.com"},
        "imap": {"host": "imap.example.com", "user": "bot", "password_env": "IMAP_PASSWORD"},
        "smtp": {"host": "smtp.example.com"},
    }


def with_values(**values: object) -> dict[str, Any]:
    """``minimal()`` with keys set by dotted path: ``with_values(**{"imap.port": 0})``."""
    data = minimal()
    for path, value in values.items():
        *tables, key = path.split(".")
        target = data
        for table in tables:
            target = target.setdefault(table, {})
        target[key] = value
    return data


def problems_of(data: dict[str, Any], base_dir: Path = Path("/srv")) -> list[tuple[str, str]]:
    try:
        config_from_mapping(data, source=None, base_dir=base_dir)
    except ConfigError as exc:
        return [(p.key, p.message) for p in exc.problems]
    return []


def test_the_example_config_passes_and_loads() -> None:
    assert check_config(EXAMPLE) == []
    config = load_config(EXAMPLE)
    assert config.source == EXAMPLE
    assert config.mail.default_locale == "zh_CN"
    assert config.imap.password.key == "imap.password"
    assert config.imap.password.env == "MAILFLOW_IMAP_PASSWORD"
    assert config.smtp.password.key == "smtp.password"
    assert config.mail.token_secret.key == "mail.token_secret"
    assert config.database.url == f"sqlite:///{CONFIG_DIR / 'mailflow.db'}"
    assert config.schedule.calendar.country == "CN"
    assert config.schedule.calendar.extra_working_days == (date(2025, 9, 27),)
    assert config.people.file == CONFIG_DIR / "people.example.toml"
    # Five people in the file and one inline, all with lowercase addresses.
    emails = [p.email for p in config.people.people]
    assert len(emails) == 6 and "bob.smith@example.com" in emails
    assert config.templates_dir is None


def test_the_minimal_config_gets_the_defaults() -> None:
    config = config_from_mapping(minimal(), source=None, base_dir=Path("/srv"))
    assert (config.imap.port, config.imap.security) == (993, "tls")
    assert (config.smtp.port, config.smtp.security) == (587, "starttls")
    assert config.database.url == "sqlite:////srv/mailflow.db"
    assert config.schedule.reminder_offsets_business_days == (3, 1)


def test_a_config_with_several_mistakes_reports_each_at_its_line(tmp_path: Path) -> None:
    shutil.copy(CONFIG_DIR / "people.example.toml", tmp_path)
    text = EXAMPLE.read_text(encoding="utf-8")
    # (the line as written in the example, what we change it to, key path, message fragment)
    mistakes = [
        ("max_message_bytes = 26214400", 'max_message_bytes = "25MB"', "mail.max_message_bytes", "expected an integer, got a string"),
        ('host = "imap.example.com"', 'hots = "imap.example.com"', "imap.hots", "unknown key; did you mean `host`?"),
        ("port = 993", "port = 99999", "imap.port", "99999 is out of range: must be between 1 and 65535"),
        ('password_env = "MAILFLOW_SMTP_PASSWORD"', 'password = "hunter2"', "smtp.password", "never put a secret in the file"),
        ('timezone = "Asia/Shanghai"\n# Meeting', 'timezone = "Asia/Shanhai"\n# Meeting', "schedule.timezone", "unknown time zone 'Asia/Shanhai'"),
        ('extra_holidays = ["2025-12-31"]', 'extra_holidays = [\n  "2025-12-31",\n  2025-05-01,\n  "2025-02-30",\n]', "schedule.calendar.extra_holidays[2]", "that day does not exist"),
        ('country = "CN"', 'country = "XX"', "schedule.calendar.country", "'XX' is not a country code"),
    ]  # fmt: skip
    for before, after, _key, _message in mistakes:
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()

    problems = check_config(path)

    expected_keys = [key for _b, _a, key, _m in mistakes] + ["imap.host"]  # `hots` hides `host`
    assert sorted(p.key for p in problems) == sorted(expected_keys)
    by_key = {p.key: p for p in problems}
    for _before, after, key, message in mistakes:
        problem = by_key[key]
        assert message in problem.message
        assert problem.source == str(path)
        # The reported line is the one we broke (for the array: the bad element's own line).
        broken = '  "2025-02-30",' if key.endswith("[2]") else after.split("\n")[0]
        assert problem.line == lines.index(broken) + 1, (key, problem)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert len(caught.value.problems) == len(problems)
    assert f"{path}:{by_key['imap.port'].line}: imap.port: 99999" in str(caught.value)


def test_a_missing_key_points_at_its_table(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[mail]\ndomain = "example.com"\n\n[imap]\nhost = "h.example.com"\n')
    problems = {p.key: p for p in check_config(path)}
    assert problems["mail.bot_address"].line == 1
    assert problems["imap.user"].line == 4
    assert problems["smtp.host"].line is None  # no [smtp] table to point at


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("[mail]\ndomain = \n", 2, "not valid TOML: Invalid value"),
        ("[mail]\n[mail]\n", 2, "not valid TOML"),
        ("a = 09:00\n", 1, "not valid TOML"),
    ],
)
def test_a_toml_syntax_error_has_its_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    [problem] = check_config(path)
    assert (problem.key, problem.line) == ("(file)", line)
    assert fragment in problem.message


def test_an_unreadable_file_is_one_problem(tmp_path: Path) -> None:
    [problem] = check_config(tmp_path / "missing.toml")
    assert problem.key == "(file)" and "cannot read" in problem.message


@pytest.mark.parametrize(
    ("values", "key", "fragment"),
    [
        ({"imap.port": 0}, "imap.port", "out of range"),
        ({"imap.port": True}, "imap.port", "expected an integer, got a boolean"),
        ({"smtp.port": 65536}, "smtp.port", "between 1 and 65535"),
        ({"imap.security": "ssl"}, "imap.security", "'ssl' is not one of tls, starttls, plain"),
        ({"imap.security": "plain"}, "imap.security", "use tls or starttls"),
        ({"smtp.security": "plain", "smtp.host": "10.0.0.1"}, "smtp.security", "loopback"),
        ({"imap.password": "secret"}, "imap.password", "never put a secret in the file"),
        ({"imap.password_file": "pw"}, "imap.password_file", "mutually exclusive"),
        ({"imap.password_env": ""}, "imap.password", "set password_env, password_file or password_command"),
        ({"imap.password_command": ["oama", "access"]}, "imap.password_command", "mutually exclusive"),
        ({"imap.password_command": "oama access"}, "imap.password_command", "expected a list of strings"),
        ({"imap.password_command": ["oama", ""]}, "imap.password_command", "non-empty strings"),
        ({"imap.auth": "oauth"}, "imap.auth", "'oauth' is not one of password, xoauth2"),
        ({"smtp.auth": "xoauth2"}, "smtp.auth", "xoauth2 logs in as a user"),
        ({"imap.password_env": "MY-PW"}, "imap.password_env", "not an environment variable name"),
        ({"mail.token_secret": "x"}, "mail.token_secret", "never put a secret in the file"),
        ({"smtp.user": "bot"}, "smtp.password", "a user is set"),
        ({"smtp.password_env": "SMTP_PW"}, "smtp.user", "no user to log in as"),
        ({"mail.bot_address": "meetings@"}, "mail.bot_address", "not a valid email address"),
        ({"mail.bot_address": "bot@other.org"}, "mail.bot_address", "unrelated to mail.domain"),
        ({"mail.domain": "not a domain"}, "mail.domain", "not a domain name"),
        ({"mail.default_locale": "fr"}, "mail.default_locale", "not one of en, zh_CN, zh_TW"),
        ({"mail.bot_name": ""}, "mail.bot_name", "must not be empty"),
        ({"imap.idle_timeout_seconds": 3600}, "imap.idle_timeout_seconds", "between 1 and 1740"),
        ({"imap.timeout_seconds": 0}, "imap.timeout_seconds", "greater than 0"),
        ({"imap.lease_seconds": 2}, "imap.lease_seconds", "between 3 and 3600"),
        ({"imap.lease_seconds": 20}, "imap.lease_seconds", "20 must be longer than timeout_seconds (30)"),
        ({"imap.parse_workers": 33}, "imap.parse_workers", "between 0 and 32"),
        ({"smtp.claim_seconds": 30}, "smtp.claim_seconds", "30 must be longer than timeout_seconds (30)"),
        ({"smtp.retry_base_seconds": 0}, "smtp.retry_base_seconds", "greater than 0"),
        ({"imap.folders": {"processed": "INBOX"}}, "imap.folders.quarantine", "three different"),
        ({"database.url": "mysql://db/x"}, "database.url", "use sqlite:///FILE or postgresql"),
        ({"database.url": "postgresql://u:pw@db/x"}, "database.url", "never put a secret"),
        ({"schedule.timezone": "China Standard Time"}, "schedule.timezone", "unknown time zone"),
        ({"schedule.notice_lead_business_days": 3}, "schedule.notice_lead_business_days", "between 1 and 2"),
        ({"schedule.notice_send_time": "9am"}, "schedule.notice_send_time", 'not a time of day "HH:MM"'),
        ({"schedule.notice_send_time": "24:00"}, "schedule.notice_send_time", "not a time of day"),
        ({"schedule.minutes_deadline_hours": -1}, "schedule.minutes_deadline_hours", "at least 1"),
        ({"schedule.weekly_progress_day": "fryday"}, "schedule.weekly_progress_day", "not a weekday"),
        ({"schedule.weekly_progress_due_time": "14:00"}, "schedule.weekly_progress_due_time", "later than"),
        ({"schedule.quiet_hours_start": ""}, "schedule.quiet_hours_end", "set both"),
        ({"schedule.reminder_offsets_business_days": [3, -1]}, "schedule.reminder_offsets_business_days[1]", "negative"),
        ({"schedule.reminder_offsets_business_days": [1, 1]}, "schedule.reminder_offsets_business_days[1]", "listed twice"),
        ({"schedule.reminder_offsets_business_days": ["3"]}, "schedule.reminder_offsets_business_days[0]", "expected an integer"),
        ({"schedule.calendar": {"country": "DE", "subdivision": "XY"}}, "schedule.calendar.subdivision", "not a subdivision of DE; use one of"),
        ({"schedule.calendar": {"country": "CN", "subdivision": "BJ"}}, "schedule.calendar.subdivision", 'CN has none, use ""'),
        ({"schedule.calendar": {"subdivision": "BY"}}, "schedule.calendar.subdivision", "needs a country"),
        ({"schedule.calendar": {"extra_holidays": ["2025/01/01"]}}, "schedule.calendar.extra_holidays[0]", "YYYY-MM-DD"),
        ({"schedule.calendar": {"extra_holidays": "2025-01-01"}}, "schedule.calendar.extra_holidays", "expected an array"),
        ({"schedule.calendar": {"extra_holidays": [date(2025, 1, 2)], "extra_working_days": ["2025-01-02"]}}, "schedule.calendar.extra_working_days", "also listed in extra_holidays"),
        ({"schedule.calendar": {"weekend": ["sat", "sabbath"]}}, "schedule.calendar.weekend[1]", "not a weekday"),
        ({"schedule.escalation": {"level3_after_hours": 12}}, "schedule.escalation.level3_after_hours", "later than level2"),
        ({"schedule.digest": {"weekly_time": ""}}, "schedule.digest.weekly_time", "needs a time"),
        ({"logging.level": "verbose"}, "logging.level", "not one of debug, info, warning, error"),
        ({"logging.format": "jsn"}, "logging.format", "did you mean `json`?"),
        ({"imap.folders": {"inbx": "INBOX"}}, "imap.folders.inbx", "did you mean `inbox`?"),
        ({"scedule": {}}, "scedule", "unknown key; did you mean `schedule`?"),
        ({"templates_dir": "no/such/dir"}, "templates_dir", "/srv/no/such/dir is not a directory"),
        ({"people.file": "people.xlsx"}, "people.file", "use a .csv or a .toml file"),
        ({"people.file": "people.csv"}, "people.file", "/srv/people.csv does not exist"),
        ({"mail": "example.com"}, "mail", "expected a table, got a string"),
    ],
)  # fmt: skip
def test_each_mistake_is_reported_with_its_key(
    values: dict[str, object], key: str, fragment: str
) -> None:
    problems = problems_of(with_values(**values))
    assert [k for k, _m in problems if k == key], problems
    assert any(fragment in message for k, message in problems if k == key), problems


@pytest.mark.parametrize(
    "values",
    [
        {"imap.security": "plain", "imap.host": "127.0.0.1"},
        {"smtp.security": "plain", "smtp.host": "localhost"},
        {"smtp.security": "plain", "smtp.host": "::1"},
        {"mail.bot_address": "bot@mail.example.com"},  # a subdomain is deliberate, not a typo
        {"mail.bot_address": "Meetings@EXAMPLE.com"},
        {"schedule.weekly_progress_day": "Friday"},
        {"schedule.weekly_progress_day": "FRI"},
        {"schedule.notice_send_time": time(9, 30)},
        {"schedule.quiet_hours_start": "", "schedule.quiet_hours_end": ""},
        {"schedule.calendar": {"country": "us", "subdivision": "ca"}},
        {"schedule.calendar": {"country": "CHN", "subdivision": ""}},
        {"schedule.digest": {"weekly_day": "", "weekly_time": "", "daily_time": "18:00"}},
        {"database.url": "postgresql+psycopg://mailflow@db.example.com/mailflow"},
        {"database.url": "sqlite:///:memory:"},
        {"smtp.user": "bot", "smtp.password_file": "/run/secrets/smtp"},
        {"imap.auth": "xoauth2", "imap.password_env": "", "imap.password_command": ["oama", "x"]},
        {"smtp.user": "bot", "smtp.auth": "xoauth2", "smtp.password_command": ["gcloud", "t"]},
    ],
)
def test_valid_variants_pass(values: dict[str, object]) -> None:
    assert problems_of(with_values(**values)) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///mailflow.db", "sqlite:////srv/cfg/mailflow.db"),
        ("sqlite:///data/t.db?timeout=5", "sqlite:////srv/cfg/data/t.db?timeout=5"),
        ("sqlite:////var/lib/mailflow.db", "sqlite:////var/lib/mailflow.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("postgresql://mailflow@db/mf", "postgresql+psycopg://mailflow@db/mf"),
    ],
)
def test_database_urls_are_resolved(url: str, expected: str) -> None:
    data = with_values(**{"database.url": url})
    config = config_from_mapping(data, source=None, base_dir=Path("/srv/cfg"))
    assert config.database.url == expected


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    data = with_values(**{"imap.password_env": "", "imap.password_file": "secrets/imap"})
    data["templates_dir"] = "templates"
    config = config_from_mapping(data, source=None, base_dir=tmp_path)
    assert config.imap.password.file == tmp_path / "secrets/imap"
    assert config.imap.password.env is None
    assert config.templates_dir == tmp_path / "templates"


def test_secrets_are_not_read_while_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMAP_PASSWORD", raising=False)
    config = config_from_mapping(minimal(), source=None, base_dir=Path("/srv"))
    with pytest.raises(ConfigError, match=r"imap\.password: environment variable IMAP_PASSWORD"):
        config.imap.password.reveal()
    monkeypatch.setenv("IMAP_PASSWORD", "s3cret")
    assert config.imap.password.reveal() == "s3cret"
    assert "s3cret" not in repr(config)


def test_a_password_command_is_run_at_each_reveal_and_its_failure_named() -> None:
    helper = Secret("imap.password", command=("sh", "-c", "echo token-$$"))
    first, second = helper.reveal(), helper.reveal()
    assert first.startswith("token-") and first != second, "a fresh token per login"
    assert helper.fresh and "token" not in repr(helper)

    leaky = Secret(
        "smtp.password", command=("sh", "-c", "echo half-a-secret; echo denied >&2; exit 2")
    )
    with pytest.raises(ConfigError) as caught:
        leaky.reveal()
    assert str(caught.value).endswith("smtp.password: command 'sh' exited 2: denied")
    assert "half-a-secret" not in str(caught.value)


def test_every_problem_is_listed_not_only_the_first() -> None:
    data = with_values(**{"imap.port": 0, "smtp.port": 0, "logging.level": "loud"})
    keys = [key for key, _m in problems_of(data)]
    assert keys == ["imap.port", "smtp.port", "logging.level"]


def test_problems_print_with_file_line_and_key() -> None:
    problem = ConfigProblem("imap.port", "out of range", 7, "mailflow.toml")
    assert str(problem) == "mailflow.toml:7: imap.port: out of range"


def test_key_lines_follows_tables_arrays_and_inline_values() -> None:
    text = (
        "top = 1\n"  # 1
        "[imap]\n"  # 2
        'host = "h" # a comment with = and [brackets]\n'  # 3
        '"port" = 993\n'  # 4
        "[schedule.calendar]\n"  # 5
        "extra_holidays = [\n"  # 6
        "  2025-01-01,  # first\n"  # 7
        '  "2025-01-02", "2025-01-03",\n'  # 8
        "]\n"  # 9
        'note = """\n'  # 10
        '[not a table]\n"""\n'  # 11-12
        "t = {a = 1, b = [1,\n"  # 13
        " 2]}\n"  # 14
        "[[people.person]]\n"  # 15
        'email = "a@example.com"\n'  # 16
        "[[people.person]]\n"  # 17
        'email = "b@example.com"\n'  # 18
        "x.y = 1979-05-27 07:32:00Z\n"  # 19
    )
    lines = key_lines(text)
    expected = {
        "top": 1,
        "imap": 2,
        "imap.host": 3,
        "imap.port": 4,
        "schedule.calendar.extra_holidays": 6,
        "schedule.calendar.extra_holidays[0]": 7,
        "schedule.calendar.extra_holidays[2]": 8,
        "schedule.calendar.note": 10,
        "schedule.calendar.t.b[1]": 14,
        "people.person[0].email": 16,
        "people.person[1]": 17,
        "people.person[1].email": 18,
        "people.person[1].x.y": 19,
        # Keys that are not written fall back to the nearest written ancestor.
        "imap.user": 2,
        "people.person[1].name": 17,
        "smtp.host": None,
    }
    assert {key: lines.find(key) for key in expected} == expected
    assert "not a table" not in lines
