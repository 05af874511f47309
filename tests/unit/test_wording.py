"""How the readable preview words things."""

from __future__ import annotations

from circleback.domain.wording import time_ago


def test_time_ago_reads_like_a_person_wrote_it() -> None:
    spans = [0, 1, 13, 14, 59, 60, 367, 730, 1100]
    assert [time_ago(d) for d in spans] == [
        "today",
        "1 day ago",
        "13 days ago",
        "2 weeks ago",
        "8 weeks ago",
        "2 months ago",
        "12 months ago",
        "2 years ago",
        "3 years ago",
    ]
