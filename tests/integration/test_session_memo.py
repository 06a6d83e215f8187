"""Reads remembered for one transaction (tracker.session_memo): a batch asks once, the next
transaction reads afresh, and a change in the same transaction is never hidden by the memory."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from mailflow.tracker import people_repo
from mailflow.tracker.models import Person
from mailflow.tracker.session_memo import remembered

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_a_value_is_read_once_per_transaction(session_factory: sessionmaker[Session]) -> None:
    reads: list[int] = []

    def read() -> int:
        reads.append(1)
        return len(reads)

    with session_factory() as session:
        with session.begin():
            assert remembered(session, "k", read) == 1
            assert remembered(session, "k", read) == 1
        with session.begin():
            assert remembered(session, "k", read) == 2  # a new transaction reads afresh
    assert len(reads) == 2


def test_a_reply_after_a_bounce_in_the_same_batch_clears_it(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session, session.begin():
        person = Person(email="carol@example.test", bounce_count=0, created_at=NOW, updated_at=NOW)
        session.add(person)
        session.flush()
        assert people_repo.failing_addresses(session) == set()  # remembered: nobody fails
        people_repo.mark_failing(session, person, NOW)  # a bounce in the same batch
        session.flush()
        assert people_repo.failing_addresses(session) == {"carol@example.test"}
        people_repo.clear_failing(session, "carol@example.test", NOW)  # then her reply
    with session_factory() as session:
        stored = people_repo.person_by_email(session, "carol@example.test")
        assert stored is not None and stored.failing_since is None


def test_a_reply_from_a_working_address_costs_no_statement(
    session_factory: sessionmaker[Session],
) -> None:
    statements: list[str] = []
    with session_factory() as session, session.begin():
        people_repo.failing_addresses(session)
        connection = session.connection()

        def count(*args: object) -> None:
            statements.append("x")

        event.listen(connection, "before_cursor_execute", count)
        for _ in range(5):
            people_repo.clear_failing(session, "alice@example.test", NOW)
        event.remove(connection, "before_cursor_execute", count)
    assert statements == []
