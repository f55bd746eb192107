"""The explicit registry of integration event types.

Every event that crosses a service boundary is a :class:`IntegrationEvent` subclass declared in
``eldercare.common.contracts`` and listed there. The registry maps the CloudEvents ``type`` to
its model and topic; it exports the JSON Schemas (snapshot-tested) and the AsyncAPI document.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from eldercare.common.envelope import Envelope


class IntegrationEvent(BaseModel):
    """Base of every event contract. ``data`` of the envelope is this model's JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]  # "intake.beneficiary.enrolled.v1"
    topic: ClassVar[str]  # "intake.beneficiary"
    # The services that may subscribe; None: any (audit's trail records every such event). A set
    # keeps personal data that only one consumer needs out of the others (PIPL minimisation).
    audience: ClassVar[frozenset[str] | None] = None

    def subject(self) -> str:
        """The aggregate id: Kafka key and CloudEvents subject."""
        raise NotImplementedError


@dataclass(frozen=True)
class EventSpec:
    type: str
    topic: str
    model: builtins.type[IntegrationEvent]

    @property
    def schema_uri(self) -> str:
        return f"urn:eldercare:event:{self.type}"


class UnknownEventType(LookupError):
    pass


class EventRegistry:
    def __init__(self, models: Iterable[type[IntegrationEvent]]) -> None:
        self._specs: dict[str, EventSpec] = {}
        for model in models:
            if model.event_type in self._specs:
                raise ValueError(f"event type registered twice: {model.event_type}")
            if not model.event_type.startswith(model.topic + "."):
                raise ValueError(f"{model.event_type} must live on a topic its name starts with")
            self._specs[model.event_type] = EventSpec(model.event_type, model.topic, model)

    def __iter__(self) -> Iterator[EventSpec]:
        return iter(sorted(self._specs.values(), key=lambda s: s.type))

    def spec(self, event_type: str) -> EventSpec:
        try:
            return self._specs[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None

    def knows(self, event_type: str) -> bool:
        return event_type in self._specs

    def topics(self) -> list[str]:
        return sorted({s.topic for s in self._specs.values()})

    def envelope(
        self,
        event: IntegrationEvent,
        *,
        source: str,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        traceparent: str | None = None,
    ) -> Envelope:
        spec = self.spec(event.event_type)
        if type(event) is not spec.model:
            raise TypeError(f"{type(event).__name__} is not the model registered for {spec.type}")
        return Envelope(
            source=source,
            type=spec.type,
            subject=event.subject(),
            dataschema=spec.schema_uri,
            correlationid=correlation_id,
            causationid=causation_id,
            traceparent=traceparent,
            data=event.model_dump(mode="json"),
        )

    def parse(self, envelope: Envelope) -> IntegrationEvent:
        """The typed event inside an envelope; pydantic's ValidationError on a malformed one."""
        return self.spec(envelope.type).model.model_validate(envelope.data)

    def json_schemas(self) -> dict[str, dict[str, Any]]:
        out = {}
        for spec in self:
            schema = spec.model.model_json_schema()
            schema["$id"] = spec.schema_uri
            schema["x-topic"] = spec.topic
            out[spec.type] = schema
        return out

    def asyncapi(self) -> dict[str, Any]:
        """An AsyncAPI 3.0 document: one channel per topic, one message per event type."""
        channels: dict[str, Any] = {}
        messages: dict[str, Any] = {}
        operations: dict[str, Any] = {}
        for spec in self:
            key = spec.type.replace(".", "_")
            messages[key] = {
                "name": spec.type,
                "title": spec.type,
                "summary": (spec.model.__doc__ or "").strip().splitlines()[0] if spec.model.__doc__ else "",
                "contentType": "application/json",
                "payload": spec.model.model_json_schema(ref_template="#/components/schemas/{model}"),
                "bindings": {"kafka": {"key": {"type": "string", "description": "aggregate id"}}},
            }
            channel = channels.setdefault(
                spec.topic.replace(".", "_"), {"address": spec.topic, "messages": {}}
            )
            channel["messages"][key] = {"$ref": f"#/components/messages/{key}"}
        for name, channel in channels.items():
            operations[f"publish_{name}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{name}"},
                "messages": [{"$ref": f"#/channels/{name}/messages/{m}"} for m in channel["messages"]],
            }
        return {
            "asyncapi": "3.0.0",
            "info": {
                "title": "eldercare events",
                "version": "1.0.0",
                "description": "Integration events between the five eldercare services. CloudEvents 1.0 "
                "attributes travel as ce_ headers (Kafka protocol binding, binary mode); the key is the "
                "aggregate id.",
            },
            "defaultContentType": "application/json",
            "channels": channels,
            "operations": operations,
            "components": {"messages": messages},
        }
