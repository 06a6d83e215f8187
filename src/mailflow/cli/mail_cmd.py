"""``mailflow inspect`` (what mailflow would do with one message) and ``mailflow import``."""

from __future__ import annotations

from pathlib import Path

import click

from mailflow.cli.options import CONFIG_OPTION, fail
from mailflow.clock import SystemClock
from mailflow.errors import MailflowError


@click.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False))
def inspect(path: Path, as_json: bool, config_path: Path | None) -> None:
    """Classify and parse one raw message (.eml); print what mailflow would do. No DB, no mail."""
    import json

    from rich.console import Console
    from rich.table import Table

    from mailflow.config.load import load_config
    from mailflow.inbound.inspect import inspect_message

    cfg = None
    if config_path is not None:
        try:
            cfg = load_config(config_path)
        except MailflowError as exc:
            fail(exc)
    report = inspect_message(path.read_bytes(), now=SystemClock().now(), config=cfg)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    table = Table(show_header=False)
    for key, value in report.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        table.add_row(key, shown)
    Console().print(table)


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@CONFIG_OPTION
def import_archive(path: Path, config_path: Path) -> None:
    """Feed an mbox file or a Maildir through the inbound pipeline (migrations, replays)."""
    import dataclasses

    from rich.progress import Progress

    from mailflow.config.load import load_config
    from mailflow.inbound.pipeline import InboundPipeline
    from mailflow.inbound.reading.archive import ArchiveMailbox
    from mailflow.tracker.open import open_tracker

    try:
        cfg = load_config(config_path)
        archive = ArchiveMailbox(path)
        # The archive gets its own checkpoint and records name it as their mailbox.
        folders = dataclasses.replace(cfg.imap.folders, inbox=f"import:{path.resolve()}")
        cfg = dataclasses.replace(cfg, imap=dataclasses.replace(cfg.imap, folders=folders))
    except MailflowError as exc:
        fail(exc)
    try:
        # Importing writes, so it migrates the schema first, as it always has.
        tracker = open_tracker(cfg, migrate=True)
    except MailflowError as exc:
        archive.close()
        fail(exc)
    pipeline = InboundPipeline(cfg, tracker.sessions, SystemClock())
    try:
        with Progress() as progress:
            task = progress.add_task(f"importing {path.name}", total=len(archive))
            result = pipeline.poll(
                archive, on_batch=lambda done, total: progress.update(task, completed=done)
            )
    finally:
        pipeline.close()
        archive.close()
        tracker.close()
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(result.by_outcome.items()))
    click.echo(f"{result.fetched} message(s): {outcomes or 'nothing new'}")
    if archive.skipped:
        shown = ", ".join(archive.skipped[:10]) + (" …" if len(archive.skipped) > 10 else "")
        click.echo(f"skipped {len(archive.skipped)} entries that are not regular files: {shown}")
