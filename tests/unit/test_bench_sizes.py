"""The benchmark's DynamoDB size and capacity arithmetic (bench.sizes), against the documented rules."""

from __future__ import annotations

from typing import Any

import pytest

from bench import sizes


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("7", 2),  # one significant digit: one byte for it, one more
        ("123", 3),
        ("1000", 2),  # trailing zeroes are not significant
        ("0.05", 2),  # nor are leading ones
        ("-12.50", 3),  # 125
        ("123456789012", 7),
    ],
)
def test_number_size(number: str, expected: int) -> None:
    assert sizes.number_size(number) == expected


def test_item_size_adds_names_values_and_overheads() -> None:
    item: dict[str, Any] = {
        "PK": {"S": "OWNER#a"},  # 2 + 7
        "n": {"N": "42"},  # 1 + 2
        "ok": {"BOOL": True},  # 2 + 1
        "gone": {"NULL": True},  # 4 + 1
        "tags": {"L": [{"S": "ab"}, {"S": "c"}]},  # 4 + 3 + (2 + 1) + (1 + 1)
        "touch": {"M": {"d": {"S": "2026-01-01"}}},  # 5 + 3 + (1 + 10 + 1)
        "name": {"S": "Łukasz"},  # 4 + 7 (Ł is two bytes in UTF-8)
    }
    assert sizes.item_size(item) == 9 + 3 + 3 + 5 + 12 + 20 + 11


def test_sets_and_binary() -> None:
    assert sizes.value_size({"SS": ["a", "bc"]}) == 3
    assert sizes.value_size({"NS": ["1", "22"]}) == 4
    assert sizes.value_size({"B": "AAEC"}) == 3  # base64 of three bytes: billed by the raw length


def test_read_units_round_up_to_4_kb_and_halve_when_eventually_consistent() -> None:
    assert sizes.read_units(0, consistent=True) == 1.0  # a miss still costs one unit
    assert sizes.read_units(4096, consistent=True) == 1.0
    assert sizes.read_units(4097, consistent=True) == 2.0
    assert sizes.read_units(4097, consistent=False) == 1.0
    assert sizes.read_units(100, consistent=False) == 0.5


def test_write_units_round_up_to_1_kb_and_double_in_transactions() -> None:
    assert sizes.write_units(1) == 1.0
    assert sizes.write_units(1024) == 1.0
    assert sizes.write_units(1025) == 2.0
    assert sizes.write_units(1025, transactional=True) == 4.0


def test_pages_stop_before_1_mb_and_always_take_one_item() -> None:
    mb = sizes.PAGE_LIMIT_BYTES
    assert sizes.pages([600_000, 600_000, 100]) == [(0, 1), (1, 3)]
    assert sizes.pages([2 * mb, 10]) == [(0, 1), (1, 2)]
    assert sizes.pages([]) == [(0, 0)]
    assert sizes.pages([mb // 2, mb // 2]) == [(0, 2)]


def test_a_query_rounds_each_page_and_the_floor_does_not_round() -> None:
    # Two pages of 600,000 and 600,100 bytes: 147 and 147 blocks of 4 KB, half a unit each.
    assert sizes.query_read_units([600_000, 600_000, 100]) == 147 * 0.5 + 147 * 0.5
    assert sizes.query_read_units([10, 10, 10], consistent=True) == 1.0
    assert sizes.floor_read_units([8192, 4096]) == 1.5
