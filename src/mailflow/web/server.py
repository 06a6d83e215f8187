"""Run the board: open the tracker read-only, check the key, serve with uvicorn until stopped."""

from __future__ import annotations

from mailflow.config.schema import Config
from mailflow.errors import ConfigError, ConfigProblem
from mailflow.tracker.board_repo import read_only_sessions
from mailflow.tracker.open import open_tracker


def web_secret(config: Config) -> str:
    """``web.secret_key``'s value; a ConfigError naming the key when it is not set or empty."""
    secret = config.web.secret_key.reveal()
    if not secret.strip():
        raise ConfigError(
            [
                ConfigProblem(
                    "web.secret_key",
                    "is empty: the board signs its links with it; set web.secret_key_env, "
                    "web.secret_key_file or web.secret_key_command",
                )
            ]
        )
    return secret


def serve(config: Config, *, host: str | None = None, port: int | None = None) -> None:
    """Serve the board on ``web.host``:``web.port`` (or the given ones) until SIGINT/SIGTERM."""
    secret = web_secret(config)
    try:
        import uvicorn

        from mailflow.web.app import create_app
    except ImportError as exc:
        raise ConfigError(
            [
                ConfigProblem(
                    "web",
                    f"the board needs the web extra ({exc.name} is not installed): "
                    "pip install 'mailflow[web]'",
                )
            ]
        ) from exc
    # Opened like every reading command (the schema checked, never migrated), then read through
    # sessions that cannot write.
    with open_tracker(config) as tracker:
        app = create_app(config, read_only_sessions(tracker.engine), secret=secret)
        uvicorn.run(
            app,
            host=host or config.web.host,
            port=port or config.web.port,
            proxy_headers=bool(config.web.trusted_user_header),
            server_header=False,
            log_level="info",
            # An access log would keep every link's token: a person's key to the board.
            access_log=False,
        )
