"""``mailflow config check``: every problem of a configuration file, with its key path and line."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group()
def config() -> None:
    """Check a configuration file."""


@config.command("check")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def config_check(path: Path) -> None:
    """Report every problem in PATH with its key path and line; exit 0 when it is valid."""
    from mailflow.config.load import check_config

    problems = check_config(path)
    if problems:
        click.echo(f"{path}: {len(problems)} problem(s)", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(f"{path}: OK")
