"""The event envelope: CloudEvents 1.0 attributes around a versioned Pydantic ``data`` model.

On Kafka it follows the CloudEvents Kafka protocol binding in *binary* mode: attributes travel
as ``ce_``-prefixed headers, the message value is the JSON of ``data``, the key is the aggregate
id (so one aggregate's events keep their order) and ``content-type`` is a header of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from eldercare.common.clock import utcnow
from eldercare.common.ids import uuid7

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"


class Envelope(BaseModel):
    """One event as it travels. ``data`` is the JSON object of a registered contract model."""

    model_config = ConfigDict(frozen=True)

    id: UUID = Field(default_factory=uuid7)
    source: str
    type: str
    specversion: str = SPECVERSION
    time: datetime = Field(default_factory=utcnow)
    subject: str
    datacontenttype: str = CONTENT_TYPE
    dataschema: str | None = None
    correlationid: str | None = None
    causationid: str | None = None
    traceparent: str | None = None
    data: dict[str, Any]

    def kafka_headers(self) -> list[tuple[str, bytes]]:
        headers: list[tuple[str, bytes]] = [
            ("ce_id", str(self.id).encode()),
            ("ce_source", self.source.encode()),
            ("ce_type", self.type.encode()),
            ("ce_specversion", self.specversion.encode()),
            ("ce_time", self.time.isoformat().encode()),
            ("ce_subject", self.subject.encode()),
            ("content-type", self.datacontenttype.encode()),
        ]
        for name in ("dataschema", "correlationid", "causationid", "traceparent"):
            value = getattr(self, name)
            if value:
                headers.append((f"ce_{name}", value.encode()))
        return headers

    @classmethod
    def from_kafka(
        cls, headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...], value: bytes
    ) -> Envelope:
        """Rebuild an envelope; raises ``ValueError`` (or pydantic's) on anything malformed."""
        import json

        attrs: dict[str, Any] = {}
        for key, raw in headers:
            if key.startswith("ce_"):
                attrs[key[3:]] = raw.decode("utf-8")
            elif key == "content-type":
                attrs["datacontenttype"] = raw.decode("utf-8")
        data = json.loads(value.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("event data must be a JSON object")
        return cls.model_validate({**attrs, "data": data})
