"""The people directory loader: CSV and TOML, Chinese names, and mistakes reported by row."""

# The case tables keep one case per line (`# fmt: skip`) so they read as tables; some lines are
# therefore longer than the limit.
# ruff: noqa: E501

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.config.load import check_config, config_from_mapping
from mailflow.config.people import load_people
from mailflow.config.schema import Person
from mailflow.errors import ConfigError, ConfigProblem

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
HEADER = "email,name,aliases,department,role,manager,locale,timezone\n"


def people_problems(path: Path) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as caught:
        load_people(path)
    return caught.value.problems


def test_the_two_example_files_describe_the_same_people() -> None:
    from_csv = load_people(CONFIG_DIR / "people.example.csv")
    from_toml = load_people(CONFIG_DIR / "people.example.toml")
    assert from_csv == from_toml
    assert [p.name for p in from_csv] == ["王芳", "张伟", "李娜", "Alice Chen", "Bob Smith"]


def test_a_csv_with_bom_chinese_names_and_both_alias_separators(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "\ufeff"
        + HEADER
        + "# a comment row\n"
        + "\n"
        + "Zhang.Wei@Example.com,张伟,zhangwei;@老张,研发部,head,,zh_CN,Asia/Shanghai\n"
        + 'li.na@example.com,"李娜",lina | nana,研发部,,zhang.wei@example.com,,\n',
        encoding="utf-8",
    )
    zhang, li = load_people(path)
    assert zhang == Person(
        email="zhang.wei@example.com",
        name="张伟",
        aliases=("zhangwei", "老张"),
        department="研发部",
        role="head",
        locale="zh_CN",
        timezone="Asia/Shanghai",
    )
    assert li.aliases == ("lina", "nana")
    assert li.manager == "zhang.wei@example.com"
    assert (li.role, li.locale, li.timezone) == (None, None, None)


def test_a_csv_needs_only_email_and_name_columns(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Name,EMAIL\nBob Smith,bob@example.com\n", encoding="utf-8")
    assert load_people(path) == (Person(email="bob@example.com", name="Bob Smith"),)


def test_a_toml_people_file(tmp_path: Path) -> None:
    path = tmp_path / "people.toml"
    path.write_text(
        '[[person]]\nemail = "wang.fang@example.com"\nname = "王芳"\naliases = ["ceo"]\n'
        'role = "负责人"\ndepartment = "总经办"\n',
        encoding="utf-8",
    )
    [wang] = load_people(path)
    assert (wang.name, wang.aliases, wang.role) == ("王芳", ("ceo",), "负责人")


ALICE = "alice@example.com,Alice,alice,Finance,head,,en,\n"


@pytest.mark.parametrize(
    ("rows", "line", "message"),
    [
        ("bob@,Bob,,,,,,\n", 3, "row 3: email: 'bob@' is not a valid email address"),
        (",Bob,,,,,,\n", 3, "row 3: email: is required but missing"),
        ("bob@example.com,,,,,,,\n", 3, "row 3: name: is required but missing"),
        ("ALICE@example.com,Alice Two,,,,,,\n", 3, "row 3: email: alice@example.com is already used by row 2 of people.csv"),
        ("bob@example.com,Bob,ALICE,,,,,\n", 3, "row 3: aliases: alias 'ALICE' is already used by row 2 of people.csv"),
        ("bob@example.com,Bob,bob;b b,,,,,\n", 3, "row 3: aliases[1]: 'b b' is not an alias: use one word without spaces or @"),
        ("bob@example.com,Bob,,,,carol@example.com,,\n", 3, "row 3: manager: carol@example.com is not in the people directory"),
        ("bob@example.com,Bob,,,,bob@example.com,,\n", 3, "row 3: manager: a person cannot be their own manager"),
        ("bob@example.com,Bob,,,,not-an-address,,\n", 3, "row 3: manager: 'not-an-address' is not a valid email address"),
        ("bob@example.com,Bob,,,,,fr,\n", 3, "row 3: locale: 'fr' is not one of en, zh_CN, zh_TW"),
        ("bob@example.com,Bob,,,,,,Mars/Base\n", 3, "row 3: timezone: unknown time zone 'Mars/Base'; use an IANA name such as 'Asia/Shanghai' or 'UTC'"),
        ("bob@example.com,Bob,,Finance,Head,,,\n", 3, "row 3: role: 'Finance' already has a head (row 2 of people.csv); keep one"),
        ("bob@example.com,Bob,,,,,,,extra\n", 3, "row 3: has more cells than the header"),
        ('"bob@example.com","Bob\nSmith",,,,,,\ncarol@,Carol,,,,,,\n', 5, "row 5: email: 'carol@' is not a valid email address"),
    ],
)  # fmt: skip
def test_csv_mistakes_are_reported_by_row(
    tmp_path: Path, rows: str, line: int, message: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(HEADER + ALICE + rows, encoding="utf-8")
    problems = people_problems(path)
    assert [(p.key, p.line, p.message) for p in problems] == [("people.file", line, message)]
    assert str(problems[0]) == f"{path}:{line}: people.file: {message}"


def test_an_unknown_csv_column_gets_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email,name,departmnet\nbob@example.com,Bob,Finance\n", encoding="utf-8")
    [problem] = people_problems(path)
    assert problem.line == 1
    assert problem.message == "row 1: unknown column 'departmnet'; did you mean `department`?"


def test_a_manager_loop_is_reported_once(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        HEADER
        + "b@example.com,B,,,,a@example.com,,\n"
        + "a@example.com,A,,,,c@example.com,,\n"
        + "c@example.com,C,,,,b@example.com,,\n",
        encoding="utf-8",
    )
    [problem] = people_problems(path)
    assert problem.line == 3
    assert problem.message == (
        "row 3: manager: the manager chain loops: "
        "a@example.com → c@example.com → b@example.com → a@example.com"
    )


@pytest.mark.parametrize(
    ("toml", "line", "message"),
    [
        ('[[person]]\nemail = "a@example.com"\nname = "甲"\n[[person]]\nemail = "A@example.com"\nname = "乙"\n', 5, "person[1].email: a@example.com is already used by person[0] of people.toml"),
        ('[[person]]\nemail = "a@example.com"\nname = "甲"\nmanager = "boss@example.com"\n', 4, "person[0].manager: boss@example.com is not in the people directory"),
        ('[[person]]\nemail = "a@example.com"\nname = "甲"\naliases = "jia"\n', 4, "person[0].aliases: expected an array, got a string"),
        ('[[person]]\nemail = "a@example.com"\nname = "甲"\naliases = [\n  "jia",\n  7,\n]\n', 6, "person[0].aliases[1]: expected a string, got an integer"),
        ('[[person]]\nemail = "a@example.com"\nname = "甲"\ndept = "x"\n', 4, "person[0].dept: unknown key"),
        ('[[persons]]\nemail = "a@example.com"\n', 1, "persons: unknown key; did you mean `person`?"),
        ('[[person]]\nemail = "a@example.com"\n', 1, "person[0].name: is required but missing"),
        ('[[person]]\nemail = \n', 2, "not valid TOML: Invalid value"),
    ],
)  # fmt: skip
def test_toml_mistakes_are_reported_by_key_path(
    tmp_path: Path, toml: str, line: int, message: str
) -> None:
    path = tmp_path / "people.toml"
    path.write_text(toml, encoding="utf-8")
    problems = people_problems(path)
    assert [(p.key, p.line, p.message) for p in problems] == [("people.file", line, message)]


def test_a_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes((HEADER + "zhang@example.com,张伟,,,,,,\n").encode("gb18030"))
    [problem] = people_problems(path)
    assert "not UTF-8 text" in problem.message


def test_inline_people_join_the_file_and_are_checked_together(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(HEADER + ALICE, encoding="utf-8")
    config_text = (
        '[mail]\ndomain = "example.com"\nbot_address = "bot@example.com"\n'
        '[imap]\nhost = "imap.example.com"\nuser = "bot"\npassword_env = "PW"\n'
        '[smtp]\nhost = "smtp.example.com"\n'
        '[people]\nfile = "people.csv"\n'
        '[[people.person]]\nemail = "bob@example.com"\nname = "Bob"\nmanager = "alice@example.com"\n'
        '[[people.person]]\nemail = "Alice@example.com"\nname = "Alice again"\n'
    )
    path = tmp_path / "mailflow.toml"
    path.write_text(config_text, encoding="utf-8")
    [problem] = check_config(path)
    assert (problem.key, problem.line, problem.source) == ("people.person[1].email", 17, str(path))
    assert problem.message == "alice@example.com is already used by row 2 of people.csv"


def test_inline_people_alone() -> None:
    data = {
        "mail": {"domain": "example.com", "bot_address": "bot@example.com"},
        "imap": {"host": "imap.example.com", "user": "bot", "password_env": "PW"},
        "smtp": {"host": "smtp.example.com"},
        "people": {
            "person": [{"email": "Li.Na@example.com", "name": "李娜", "aliases": ["@lina"]}]
        },
    }
    config = config_from_mapping(data, source=None, base_dir=Path("/srv"))
    assert config.people.people == (
        Person(email="li.na@example.com", name="李娜", aliases=("lina",)),
    )
