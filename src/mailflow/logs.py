"""Logging set-up: one line per event, human-readable by default or JSON (``--log-format json``).

In JSON each line is one object: ``ts``, ``level``, ``logger``, ``msg``, and the fields a call
passed with ``extra=`` (``event``, ``kind``, ``meeting``, ``items``...), so a log pipeline can
filter on them without parsing the message. Secrets never reach a log call: settings keep them in
:class:`~mailflow.config.schema.Secret`, whose repr hides the value.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

# What every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        # default=str: an extra that JSON cannot hold (a datetime, a path) is written as text
        # rather than losing the whole line.
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "info", fmt: str = "human") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Libraries that log routine work at INFO (every scheduler run, every SMTP command of the
    # loopback relay, every migration step) are kept to warnings so one event stays one line.
    for noisy in ("apscheduler", "mail.log", "alembic", "imapclient"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
