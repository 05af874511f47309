"""The received-mail adapter (S3): SES receiving stores each message the logging address gets as an object; the
inbound function reads it once and deletes it (the bucket's lifecycle removes anything left after a day).
boto3 only here, lazily."""

from __future__ import annotations

from typing import TYPE_CHECKING

from circleback.adapters.call_budgets import INBOUND_OBJECTS

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

INBOUND_PREFIX = "inbound/"  # template.yaml's receipt rule stores each message under this prefix


class InboundStore:
    def __init__(self, bucket: str, client: S3Client | None = None) -> None:
        self.bucket = bucket
        self._client = client

    @property
    def client(self) -> S3Client:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3", config=INBOUND_OBJECTS.config())
        return self._client

    @staticmethod
    def key_of(ses_message_id: str) -> str:
        """Where the receipt rule's S3 action stored the message SES received under this id."""
        return f"{INBOUND_PREFIX}{ses_message_id}"

    def fetch(self, key: str, limit: int) -> bytes | None:
        """The stored message, or None when it is gone (read and deleted by an earlier delivery); at most `limit`
        bytes and one more, so an oversized message is known as such without reading it all."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{limit}")
        except self.client.exceptions.NoSuchKey:
            return None
        return response["Body"].read()

    def discard(self, key: str) -> None:
        """Delete the message (deleting one already gone is not an error to S3)."""
        self.client.delete_object(Bucket=self.bucket, Key=key)
