"""Issue 17's backfill budget: `circleback mail` on a Google Takeout-style mbox of 10,000 messages, on a local
store of 500 contacts, in under 30 s, streaming: the peak memory of reading it (`--dry-run`, before anything is
written) is measured at 1,000 and at 10,000 messages and must stay flat (within 1.25 x)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from bench.scaling import Store, timed

OWNER = "you@example.com"
CONTACTS = 500
SMALL, LARGE = 1_000, 10_000


def contacts_csv() -> str:
    rows = ["name,email,tier"] + [f"Person {i:04d},person{i}@example.com,B" for i in range(CONTACTS)]
    return "\n".join(rows) + "\n"


def mbox(messages: int) -> bytes:
    """A mailbox as Takeout writes it: a third to contacts, a third from contacts, a third newsletters."""
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    parts = []
    for i in range(messages):
        when = format_datetime(start + timedelta(minutes=37 * i))
        contact = f"person{i % CONTACTS}@example.com"
        kind = i % 3
        sender, to, extra = (
            (OWNER, contact, "") if kind == 0 else (contact, OWNER, "") if kind == 1 else
            ("news@shop.example", OWNER, "List-Id: <deals.shop.example>\n")
        )  # fmt: skip
        parts.append(
            f"From 1{i:08d}@xxx Thu Jan 01 09:00:00 +0000 2026\nMIME-Version: 1.0\nDate: {when}\n"
            f"Message-ID: <m{i}@bench.example>\nSubject: Note {i}\nFrom: <{sender}>\nTo: <{to}>\n{extra}"
            f"Content-Type: text/plain; charset=UTF-8\n\nHello,\n\n{'A line of an ordinary note. ' * 20}\n\n"
        )
    return "".join(parts).encode()


_PEAK = (
    "import resource, sys\n"
    "from circleback.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _peak_mb(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of the command's own process (Linux reports kilobytes)."""
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and command line
        [sys.executable, "-c", _PEAK, *argv[1:]], env=env, check=True, capture_output=True, text=True, timeout=600,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    peak_kb = int(done.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    return seconds, peak_kb / 1024


def measure(messages: int) -> dict[str, Any]:
    """One backfill of `messages` into a fresh store: wall seconds and the process's peak memory."""
    with tempfile.TemporaryDirectory(prefix="circleback-mail-") as folder:
        root = Path(folder)
        store = Store(root)
        env = store.environment()
        contacts = root / "contacts.csv"
        contacts.write_text(contacts_csv(), encoding="utf-8")
        timed(store.argv("settings", "set", "--email", OWNER), env)
        timed(store.argv("import", str(contacts)), env)
        box = root / "All mail Including Spam and Trash.mbox"
        box.write_bytes(mbox(messages))
        # Memory with --dry-run first: the reading alone (the local store keeps its items in memory as it writes
        # them, so a store of 10,000 more touches is bigger whatever reads the mailbox).
        _, peak = _peak_mb(store.argv("mail", "--dry-run", str(box)), env)
        seconds, _ = _peak_mb(store.argv("mail", str(box)), env)
        shutil.rmtree(store.data_dir, ignore_errors=True)
    return {"messages": messages, "seconds": round(seconds, 2), "peak_mb": round(peak, 1)}


if __name__ == "__main__":
    import json

    print(json.dumps(measure(int(sys.argv[1]))))
