"""The digest queue adapter (SQS): one message per owner and scheduled send. boto3 only here, lazily."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from circleback.adapters.call_budgets import QUEUE
from circleback.payloads import DigestRequest

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SQS_BATCH = 10  # SendMessageBatch's limit


class QueueError(Exception):
    """Some messages could not be queued; the schedule's retry policy and DLQ take it from here."""


class DigestQueue:
    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self.queue_url = queue_url
        self._client = client

    @property
    def client(self) -> SQSClient:
        if self._client is None:
            import boto3

            self._client = boto3.client("sqs", config=QUEUE.config())
        return self._client

    def send(self, requests: Sequence[DigestRequest]) -> int:
        """Queue every request, ten per call; entries SQS refuses are retried once, then reported."""
        for start in range(0, len(requests), SQS_BATCH):
            chunk = requests[start : start + SQS_BATCH]
            failed = self._send_batch(chunk)
            if failed:
                failed = self._send_batch([chunk[int(entry["Id"])] for entry in failed])
            if failed:
                reasons = sorted({str(entry.get("Code")) for entry in failed})
                raise QueueError(f"{len(failed)} digest requests were not queued: {', '.join(reasons)}")
        return len(requests)

    def _send_batch(self, chunk: Sequence[DigestRequest]) -> list[Any]:
        response = self.client.send_message_batch(
            QueueUrl=self.queue_url,
            Entries=[{"Id": str(i), "MessageBody": request.model_dump_json()} for i, request in enumerate(chunk)],
        )
        return list(response.get("Failed", []))
