"""Dispatch: every 15 minutes, queue the digests whose local send time has come."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from circleback import runtime
from circleback.payloads import SchedulerTick
from circleback.runtime.observability import logger
from circleback.services.dispatch import dispatch


class _Container:
    """Per warm container: once the default owner is known to exist, stop re-checking it every tick."""

    owner_ensured = False


# No metric of its own: the digest queue's NumberOfMessagesSent counts what a tick queued, free, and the
# "dispatched" log line says it too (a custom metric would cost $0.30 a month).
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    tick = SchedulerTick.model_validate(event)
    env = runtime.environment()
    default_owner = None if _Container.owner_ensured else env.default_owner()
    result = dispatch(runtime.repository(), runtime.digest_queue(), tick.scheduled_time, default_owner)
    _Container.owner_ensured = True
    logger.info("dispatched", extra={"queued": result.queued, "tick": tick.scheduled_time.isoformat()})
    return {"queued": result.queued}
