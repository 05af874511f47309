"""`make demo` serving on 127.0.0.1: the calendar link it prints answers over real HTTP.

Its own module: the demo's emulator is one per process at a time, and other modules hold theirs per module.
"""

from __future__ import annotations

import urllib.request

import icalendar
import pytest

from circleback.local import demo
from tests.integration.actions_support import environment_restored

ZONE = "Europe/London"


def test_the_demo_serves_the_feed_at_the_url_it_prints(tmp_path_factory: pytest.TempPathFactory) -> None:
    with (
        environment_restored(),
        demo.running(tmp_path_factory.mktemp("served"), "you@example.com", ZONE, "GB", port=0) as session,
    ):
        assert session.calendar_url.startswith(f"{session.base_url}/calendar/")
        with urllib.request.urlopen(session.calendar_url, timeout=10) as response:  # noqa: S310 - 127.0.0.1
            assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
            assert icalendar.Calendar.from_ical(response.read()).events
