"""``python -m mailflow.dev.devstack``: the loopback mail stack in the foreground, for a newcomer.

Prints the ports and users, optionally writes a mailflow config that points at the stack, and
stops cleanly (mail deleted) on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType

from mailflow.dev.devstack.dovecot import APT_HINT, find_dovecot
from mailflow.dev.devstack.stack import BOT, DOMAIN, MailStack

PASSWORD_ENV = "MAILFLOW_IMAP_PASSWORD"


def config_toml(stack: MailStack, database_url: str) -> str:
    """A mailflow config for the bot's mailbox on ``stack`` (keys as in config/schema.py)."""
    folders = stack.imap_settings().folders
    return f"""\
# Written by `python -m mailflow.dev.devstack`: points at the loopback mail stack.
# The IMAP password is read from ${PASSWORD_ENV} (the stack's password is "{stack.password}").

[mail]
domain = "{DOMAIN}"
bot_address = "{BOT}"

[imap]
host = "{stack.host}"
port = {stack.imap_port}
security = "plain"
user = "{BOT}"
password_env = "{PASSWORD_ENV}"

[imap.folders]
inbox = "{folders.inbox}"
processed = "{folders.processed}"
quarantine = "{folders.quarantine}"

# The relay needs no authentication.
[smtp]
host = "{stack.host}"
port = {stack.smtp_port}
security = "plain"

[database]
url = "{database_url}"
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mailflow.dev.devstack", description=__doc__)
    parser.add_argument(
        "--write-config", type=Path, metavar="PATH", help="write a mailflow config TOML here"
    )
    args = parser.parse_args(argv)
    if find_dovecot() is None:
        print(f"dovecot is not installed; as root: {APT_HINT}", file=sys.stderr)
        return 1

    def stop(signum: int, frame: FrameType | None) -> None:
        # SIGTERM behaves like Ctrl-C: unwinding through `with MailStack()` stops the servers.
        raise KeyboardInterrupt

    # Handlers first: a signal during start-up must still run the cleanup below.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        with MailStack() as stack:
            print(f"IMAP  {stack.host}:{stack.imap_port} (plain, IDLE)")
            print(f"SMTP  {stack.host}:{stack.smtp_port} (plain, no auth)")
            print(f"LMTP  {stack.host}:{stack.lmtp_port}")
            print(f"users {', '.join(stack.users)}; password {stack.password!r}")
            print(f"dovecot log {stack.dovecot.log_path}")
            if args.write_config is not None:
                path = args.write_config.resolve()
                database_url = f"sqlite:///{path.parent / 'mailflow.db'}"
                path.write_text(config_toml(stack, database_url), encoding="utf-8")
                print(f"config {path}")
                print(f"  export {PASSWORD_ENV}={stack.password}; then run mailflow serve with it")
            print("ready; Ctrl-C stops the stack and deletes its mail", flush=True)
            while True:
                signal.pause()
    except KeyboardInterrupt:
        pass
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
