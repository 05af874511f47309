"""The functions' settings from their environment: defaults, conversions, and an error naming the variable."""

from __future__ import annotations

import pytest

from circleback.domain.model import Frequency
from circleback.runtime import ConfigurationError, Environment


def test_only_the_table_is_required_and_the_rest_default() -> None:
    env = Environment.read({"TABLE_NAME": "circleback", "PATH": "/usr/bin", "LOG_LEVEL": "INFO"})
    assert env == Environment(TABLE_NAME="circleback")
    assert (env.SEND_HOUR, env.DIGEST_FREQUENCY, env.OWNER_ID) == (7, Frequency.DAILY, "owner")


def test_every_setting_is_read_and_converted() -> None:
    variables = {
        "TABLE_NAME": "t",
        "QUEUE_URL": "https://sqs.example/q",
        "OWNER_ID": "me",
        "OWNER_EMAIL": "me@example.com",
        "OWNER_TIMEZONE": "Europe/Berlin",
        "OWNER_COUNTRY": "DE",
        "SEND_HOUR": "18",
        "DIGEST_FREQUENCY": "weekly",
        "SENDER_EMAIL": "digest@example.com",
        "API_BASE_URL": "https://api.example",
        "SIGNING_SECRET_ID": "arn:secret",
        "SES_CONFIGURATION_SET": "cs",
    }
    env = Environment.read(variables)
    assert env.SEND_HOUR == 18 and env.DIGEST_FREQUENCY is Frequency.WEEKLY
    assert {name: getattr(env, name) for name in variables} == {
        **variables,
        "SEND_HOUR": 18,
        "DIGEST_FREQUENCY": Frequency.WEEKLY,
    }


@pytest.mark.parametrize(("text", "hour"), [("0", 0), ("07", 7), ("23", 23), (" 9 ", 9)])
def test_a_send_hour_in_range_is_read(text: str, hour: int) -> None:
    env = Environment.read({"TABLE_NAME": "t", "SEND_HOUR": text})
    assert env == Environment(TABLE_NAME="t", SEND_HOUR=hour)


@pytest.mark.parametrize(
    ("variables", "variable", "message"),
    [
        ({}, "TABLE_NAME", "environment variable TABLE_NAME is required"),
        ({"TABLE_NAME": ""}, "TABLE_NAME", "environment variable TABLE_NAME is required"),
        ({"TABLE_NAME": "t", "SEND_HOUR": "24"}, "SEND_HOUR", "must be a whole hour from 0 to 23, not '24'"),
        ({"TABLE_NAME": "t", "SEND_HOUR": "-1"}, "SEND_HOUR", "not '-1'"),
        ({"TABLE_NAME": "t", "SEND_HOUR": "7.5"}, "SEND_HOUR", "not '7.5'"),
        ({"TABLE_NAME": "t", "SEND_HOUR": ""}, "SEND_HOUR", "not ''"),
        ({"TABLE_NAME": "t", "SEND_HOUR": "٧"}, "SEND_HOUR", "not '٧'"),  # a digit, but not an ASCII one
        (
            {"TABLE_NAME": "t", "DIGEST_FREQUENCY": "monthly"},
            "DIGEST_FREQUENCY",
            "must be one of daily, weekly, off, not 'monthly'",
        ),
    ],
)
def test_a_missing_or_malformed_setting_is_named(variables: dict[str, str], variable: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as raised:
        Environment.read(variables)
    assert raised.value.variable == variable
    assert str(raised.value).startswith(f"environment variable {variable} ")
