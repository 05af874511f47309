"""How long one AWS call may take, retries included, so that every client gives up inside its function's timeout.

A budget is botocore's retry mode, the attempts in all (the first included) and each attempt's connect and read
timeouts. The adapters build their clients from these; tests/faults/test_call_budgets.py reads back the config
of every client each handler creates, works out its worst case (every attempt timing out, every backoff at its
longest) and checks it against the function's Timeout in template.yaml.

botocore itself defaults to 60 s connect and read timeouts, longer than any of the functions runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from botocore.config import Config


@dataclass(frozen=True, slots=True)
class CallBudget:
    attempts: int  # in all, the first included
    connect_timeout: float  # seconds, each attempt
    read_timeout: float  # seconds without a byte, each attempt
    mode: Literal["standard", "adaptive"] = "standard"

    def config(self) -> Config:
        from botocore.config import Config

        return Config(
            retries={"mode": self.mode, "total_max_attempts": self.attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
        )


# A person waits on the page (the actions and calendar functions, 10 s): one quick retry for a blip, then the
# function answers 503 "try again" itself, with its headers, long before Lambda would cut it off.
INTERACTIVE = CallBudget(attempts=2, connect_timeout=0.5, read_timeout=1.0)

# The dispatcher (30 s) and the digest worker (60 s): the schedule and the queue retry a failed invocation
# themselves, so the SDK tries a few times and then lets them. Adaptive: a throttled table slows the client down.
BACKGROUND_TABLE = CallBudget(attempts=3, connect_timeout=1.0, read_timeout=1.0, mode="adaptive")
QUEUE = CallBudget(attempts=3, connect_timeout=1.0, read_timeout=2.0)
# SES's answer to a send can take a few seconds. The attempts are the mailer's own (adapters/ses.py), not the SDK's:
# it tries again only when SES surely did not take the message, never after a request that may have arrived.
SEND_EMAIL = CallBudget(attempts=3, connect_timeout=1.0, read_timeout=10.0)
# Reading a received message (at most 10 MB: formats/messages.py MAX_MESSAGE_BYTES) and deleting it.
INBOUND_OBJECTS = CallBudget(attempts=3, connect_timeout=1.0, read_timeout=5.0)
