"""A crash campaign: SIGKILL ``mailflow serve`` at random points under load, many times, then count.

Run from the repository root (needs Dovecot)::

    .venv/bin/python benchmarks/crash_campaign.py [--kills 50] [--inbound 40] [--outbox 20]

Each run adds fresh work to one SQLite database and the bot's mailbox ("STOP REMINDERS" mails,
each applied and answered once, and outbox rows), starts the daemon, waits for its start line,
and SIGKILLs it after a random delay of up to two seconds (every other one within 0.4 s), so
kills land while it fetches, applies, moves, sends or marks. A last run drains everything. The
mailboxes and the database are then compared: lost inbound messages, messages applied twice,
rows sent under two Message-IDs (all must be 0) and duplicate copies with the same Message-ID
(the documented window, counted). Prints a table and saves it to
``benchmarks/results/crash_campaign.json``. ``tests/integration/test_crash.py`` runs the same
with 5 kills. ``--seed N`` repeats a campaign's delays.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from mailflow.dev.devstack import MailStack
from mailflow.dev.devstack.audit import append_all, audit, enqueue_messages, progress, stop_request
from mailflow.dev.devstack.fleet import Fleet, Pace, wait_until
from mailflow.tracker.db import upgrade

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "crash_campaign.json"
PACE = Pace(claim_seconds=4, timeout_seconds=2)


def campaign(
    stack: MailStack, workdir: Path, kills: int, inbound_per: int, outbox_per: int, seed: int
) -> dict[str, Any]:
    url = f"sqlite:///{workdir / 'mailflow.db'}"
    upgrade(url)
    # A plain engine: mailflow's own begins with BEGIN IMMEDIATE, which would queue these reads
    # for the write lock behind the daemon being watched.
    engine = create_engine(url)
    rng = random.Random(seed)
    inbound: list[str] = []
    outbound: list[str] = []
    points: Counter[str] = Counter()
    runs: list[dict[str, Any]] = []
    started = time.monotonic()
    try:
        with Fleet(stack, url, workdir, PACE) as fleet:
            for run in range(kills):
                batch = [stop_request(f"c{run}", n) for n in range(inbound_per)]
                append_all(stack, (raw for _id, raw in batch))
                inbound += [message_id for message_id, _raw in batch]
                outbound += enqueue_messages(engine, f"c{run}", range(outbox_per))
                before = progress(engine)
                [daemon] = fleet.start()
                if not daemon.wait_until_serving(60):
                    raise SystemExit(f"the daemon did not start:\n{daemon.log_text()}")
                # Every other kill comes early, while inbound mail is fetched and applied (a few
                # hundred milliseconds); the others anywhere in two seconds, mostly while sending.
                delay = rng.uniform(0.0, 0.4 if run % 2 else 2.0)
                time.sleep(delay)
                seen = progress(engine)
                daemon.kill()
                point = _where(before.inbound, seen.inbound, len(inbound), seen.outbox)
                points[point] += 1
                runs.append({"delay": round(delay, 3), "point": point, "inbound": seen.inbound})
            [last] = fleet.start()

            def drained() -> bool:
                now = progress(engine)
                return now.inbound >= len(inbound) and now.unfinished == 0

            if not wait_until(lambda: drained() or not last.running, 1800, 0.2) or not drained():
                raise SystemExit(f"not drained: {progress(engine)}\n{last.log_text()[-5000:]}")
            exit_code = last.stop()
        result = audit(stack, engine, inbound, outbound)
    finally:
        engine.dispose()
    return {
        "kills": kills,
        "seed": seed,
        "inbound_messages": len(inbound),
        "outbox_rows": kills * outbox_per,
        "outbox_deliveries": len(outbound),
        "kill_points": dict(points),
        "total_seconds": round(time.monotonic() - started, 1),
        "inbound_recorded": result.inbound_recorded,
        "inbound_lost": len(result.inbound_lost),
        "left_in_inbox": result.inbound_left_in_inbox,
        "applied_twice": len(result.answers.different_ids),
        "answers_missing": len(result.answers.missing),
        "outbox_missing": len(result.outbound.missing),
        "sent_twice_with_new_message_id": len(result.outbound.different_ids),
        "duplicate_copies_same_message_id": result.answers.duplicate_copies
        + result.outbound.duplicate_copies,
        "duplicates": {**result.answers.duplicates, **result.outbound.duplicates},
        "unsent": result.outbox_unsent,
        "final_exit_code": exit_code,
        "ok": result.ok,
        "runs": runs,
    }


def _where(before: int, at_kill: int, appended: int, outbox: dict[str, int]) -> str:
    """Roughly where a kill landed, from the database's view at that moment."""
    if at_kill < appended:
        return "inbound (fetch/apply/move)" if at_kill > before else "start or first fetch"
    if outbox.get("sending", 0):
        return "sending (SMTP or mark)"
    return "idle or between batches"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--inbound", type=int, default=40, help="inbound mails added per run")
    parser.add_argument("--outbox", type=int, default=20, help="outbox rows added per run")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    with MailStack() as stack, tempfile.TemporaryDirectory(prefix="mf-crash-") as workdir:
        figures = campaign(stack, Path(workdir), args.kills, args.inbound, args.outbox, seed)
    figures["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    figures["machine"] = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    figures["python"] = sys.version.split()[0]
    print(f"{'measure':<36} value")
    for key, value in figures.items():
        if key not in ("duplicates", "runs"):
            print(f"{key:<36} {value}")
    for what, extra in figures["duplicates"].items():
        print(f"  duplicate x{extra + 1}: {what}")
    RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"saved {RESULTS.relative_to(ROOT)}")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
