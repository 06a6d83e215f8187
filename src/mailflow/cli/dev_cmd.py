"""``mailflow demo`` and ``mailflow dev``: mailflow on a throwaway loopback mail stack."""

from __future__ import annotations

from pathlib import Path

import click

from mailflow.cli.options import fail
from mailflow.errors import MailflowError


@click.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("mailflow-demo"),
    show_default=True,
    help="Where every mail is written as NN-recipient-kind.eml (and the digest as .html).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="The language of the organiser's request (MEETING: or 会议通知：).",
)
def demo(out: Path, lang: str) -> None:
    """Play one whole meeting cycle on a throwaway loopback mail stack; keep every mail."""
    from mailflow.dev.demo import run_demo

    try:
        run_demo(out, lang=lang)
    except MailflowError as exc:
        fail(exc)


@click.command()
@click.option(
    "--dir",
    "workdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("var/dev"),
    show_default=True,
    help="Where the SQLite DB and the generated config go.",
)
def dev(workdir: Path) -> None:
    """Serve against a throwaway loopback mail stack (Dovecot + SMTP relay) and a SQLite DB."""
    from mailflow.dev.devrun import run_dev

    try:
        run_dev(workdir)
    except MailflowError as exc:
        fail(exc)
