"""The people directory: who a token written in mail names, department heads, escalation chains."""

from __future__ import annotations

import pytest

from mailflow.config.schema import Person
from mailflow.domain.directory import Directory, is_head

WANG_FANG = Person("wang.fang@example.com", "王芳", ("ceo",), "总经办", "负责人")
ZHANG_WEI = Person(
    "zhang.wei@example.com", "张伟", ("zhangwei",), "研发部", "head", WANG_FANG.email
)
LI_NA = Person("li.na@example.com", "李娜", ("lina", "娜娜"), "研发部", "engineer")
ALICE = Person(
    "alice.chen@example.com", "Alice Chen", ("alice",), "Finance", "Head", WANG_FANG.email
)
BOB = Person("bob.smith@example.com", "Bob Smith", ("bob",), "Finance", "analyst", ALICE.email)
# Two people share a name, as happens in any large Chinese organisation.
WANG_WEI_1 = Person("wang.wei@example.com", "王伟", (), "研发部")
WANG_WEI_2 = Person("wangwei2@example.com", "王伟", (), "Finance")
# Bob's alias is also another person's name: the alias wins.
ROBERT = Person("robert@example.com", "bob", ())
PEOPLE = (WANG_FANG, ZHANG_WEI, LI_NA, ALICE, BOB, WANG_WEI_1, WANG_WEI_2, ROBERT)


@pytest.fixture
def directory() -> Directory:
    return Directory(PEOPLE)


@pytest.mark.parametrize(
    ("token", "person", "via"),
    [
        ("li.na@example.com", LI_NA, "email"),
        ("LI.NA@Example.COM", LI_NA, "email"),
        ("李娜 <li.na@example.com>", LI_NA, "email"),
        ("mailto:li.na@example.com", LI_NA, "email"),
        ("@lina", LI_NA, "alias"),
        ("＠lina", LI_NA, "alias"),  # a full-width @ typed with a Chinese input method
        ("lina", LI_NA, "alias"),
        ("@娜娜", LI_NA, "alias"),
        ("@Bob", BOB, "alias"),
        ("李娜", LI_NA, "name"),
        ("@李娜", LI_NA, "name"),
        (" 李娜 ", LI_NA, "name"),
        ("Alice Chen", ALICE, "name"),
        ("alice  CHEN", ALICE, "name"),
        ("ｂｏｂ ｓｍｉｔｈ", BOB, "name"),  # full-width Latin letters
        ("bob.smith", BOB, "local part"),
        ("研发部", ZHANG_WEI, "department"),
        ("@finance", ALICE, "department"),
        ("总经办", WANG_FANG, "department"),
    ],
)
def test_a_token_names_one_person(
    directory: Directory, token: str, person: Person, via: str
) -> None:
    resolution = directory.resolve(token)
    assert (resolution.status, resolution.person, resolution.via) == ("found", person, via)
    assert resolution.found and not resolution.ambiguous
    assert resolution.candidates == (person,)


def test_a_shared_name_is_ambiguous_and_lists_the_candidates(directory: Directory) -> None:
    resolution = directory.resolve("@王伟")
    assert resolution.ambiguous and resolution.person is None
    assert resolution.candidates == (WANG_WEI_1, WANG_WEI_2)
    assert resolution.via == "name"


@pytest.mark.parametrize(
    "token", ["nobody@example.com", "@nobody", "张", "Chen", "", "@", "市场部"]
)
def test_unknown_tokens(directory: Directory, token: str) -> None:
    resolution = directory.resolve(token)
    assert resolution.status == "unknown"
    assert (resolution.person, resolution.candidates) == (None, ())


def test_by_email_ignores_case(directory: Directory) -> None:
    assert directory.by_email(" Alice.Chen@EXAMPLE.com ") == ALICE
    assert directory.by_email("alice@example.com") is None


def test_department_heads(directory: Directory) -> None:
    assert directory.department_head("研发部") == ZHANG_WEI
    assert directory.department_head("FINANCE") == ALICE
    assert directory.department_head("市场部") is None
    assert [p.name for p in PEOPLE if is_head(p)] == ["王芳", "张伟", "Alice Chen"]


@pytest.mark.parametrize(
    ("person", "executive"),
    [
        (BOB, ALICE),  # an explicit manager
        (ZHANG_WEI, WANG_FANG),
        (LI_NA, ZHANG_WEI),  # no manager: the head of the department
        (WANG_WEI_2, ALICE),
        (WANG_FANG, None),  # the top: head of her department, no manager
        (ROBERT, None),  # no manager, no department
    ],
)
def test_executive_of(directory: Directory, person: Person, executive: Person | None) -> None:
    assert directory.executive_of(person) == executive


def test_management_chain_goes_to_the_top(directory: Directory) -> None:
    assert directory.management_chain(BOB) == (ALICE, WANG_FANG)
    assert directory.management_chain(LI_NA) == (ZHANG_WEI, WANG_FANG)
    assert directory.management_chain(WANG_FANG) == ()


def test_management_chain_stops_at_a_loop() -> None:
    # The loader refuses such a directory, but the domain must not loop forever if given one.
    a = Person("a@example.com", "A", manager="b@example.com")
    b = Person("b@example.com", "B", manager="a@example.com")
    assert Directory([a, b]).management_chain(a) == (b,)


def test_a_directory_iterates_its_people(directory: Directory) -> None:
    assert len(directory) == len(PEOPLE)
    assert tuple(directory) == PEOPLE
