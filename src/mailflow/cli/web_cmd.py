"""``mailflow web``: serve the read-only board; ``mailflow web link EMAIL``: print a link."""

from __future__ import annotations

from pathlib import Path

import click

from mailflow.cli.options import CONFIG_OPTION, fail
from mailflow.errors import MailflowError


@click.group(invoke_without_command=True)
@CONFIG_OPTION
@click.option("--host", default=None, help="Overrides web.host.")
@click.option("--port", type=int, default=None, help="Overrides web.port.")
@click.pass_context
def web(ctx: click.Context, config_path: Path, host: str | None, port: int | None) -> None:
    """Serve the read-only web board and calendar feeds (see docs/web.md)."""
    if ctx.invoked_subcommand is not None:
        return
    from mailflow import logs
    from mailflow.config.load import load_config
    from mailflow.web.server import serve

    try:
        cfg = load_config(config_path)
        logs.configure(cfg.logging.level, cfg.logging.format)
        serve(cfg, host=host, port=port)
    except MailflowError as exc:
        fail(exc)


@web.command("link")
@CONFIG_OPTION
@click.argument("email")
@click.option("--feed", is_flag=True, help="The calendar feed's link instead of the board's.")
def link(config_path: Path, email: str, feed: bool) -> None:
    """Print EMAIL's signed board link (valid web.link_days days)."""
    from mailflow.clock import SystemClock
    from mailflow.config.load import load_config
    from mailflow.domain.board_links import sign_link
    from mailflow.web.server import web_secret

    try:
        cfg = load_config(config_path)
        token = sign_link(web_secret(cfg), email, "feed" if feed else "board", SystemClock().now())
    except MailflowError as exc:
        fail(exc)
    base = cfg.web.base_url or f"http://{cfg.web.host}:{cfg.web.port}"
    click.echo(f"{base}/feed/{token}.ics" if feed else f"{base}/b/{token}/")
