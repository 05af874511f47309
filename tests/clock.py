"""The time for tests that run the handlers on the samples: a fixed instant that then moves with the real clock.

The samples' dates are fixed, so who is due depends on the day a test runs; a send hour, a midnight or a change
of the clocks crossed between two readings changes what it sees. Modules that start here see the same digest
and the same pages whenever they run: midday in London, hours from the owner's 07:00 send and from midnight.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
_STARTED = time.monotonic()


def now() -> datetime:
    """START plus the time this test process has run: later readings are later, as on a real clock."""
    return START + timedelta(seconds=time.monotonic() - _STARTED)
