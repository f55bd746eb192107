import json
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from eldercare.common.contracts import REGISTRY, VisitCheckedIn
from eldercare.common.envelope import Envelope


def a_check_in() -> VisitCheckedIn:
    return VisitCheckedIn(
        visit_id=uuid4(),
        beneficiary_id=uuid4(),
        provider_id=uuid4(),
        caregiver_id=uuid4(),
        district_code="430102",
        checked_in_at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
        distance_m=12.5,
        location_ok=True,
    )


class TestKafkaBinding:
    def test_attributes_travel_as_ce_headers_and_data_as_the_value(self) -> None:
        event = a_check_in()
        envelope = REGISTRY.envelope(event, source="dispatch", correlation_id="c-1", traceparent=None)
        headers = dict(envelope.kafka_headers())
        assert headers["ce_type"] == b"dispatch.visit.checked_in.v1"
        assert headers["ce_subject"] == str(event.visit_id).encode()
        assert headers["ce_specversion"] == b"1.0"
        assert headers["ce_correlationid"] == b"c-1"
        assert headers["content-type"] == b"application/json"
        assert "ce_traceparent" not in headers

    def test_round_trip_restores_the_typed_event(self) -> None:
        event = a_check_in()
        envelope = REGISTRY.envelope(event, source="dispatch")
        value = json.dumps(envelope.data).encode()
        back = Envelope.from_kafka(envelope.kafka_headers(), value)
        assert back.id == envelope.id
        assert REGISTRY.parse(back) == event

    def test_a_value_that_is_not_a_json_object_is_rejected(self) -> None:
        envelope = REGISTRY.envelope(a_check_in(), source="dispatch")
        with pytest.raises(ValueError):
            Envelope.from_kafka(envelope.kafka_headers(), b"[1, 2]")

    def test_missing_required_attributes_are_rejected(self) -> None:
        with pytest.raises(ValidationError):
            Envelope.from_kafka([("ce_type", b"x")], b"{}")


class TestRegistry:
    def test_every_event_lives_on_a_topic_named_for_its_producer(self) -> None:
        for spec in REGISTRY:
            service, aggregate, *_ = spec.type.split(".")
            assert spec.topic == f"{service}.{aggregate}"
            assert spec.type.endswith(".v1")

    def test_every_event_contract_documents_the_business_fact(self) -> None:
        for spec in REGISTRY:
            assert spec.model.__doc__ and len(spec.model.__doc__.strip()) > 20, spec.type

    def test_data_that_breaks_the_contract_is_refused(self) -> None:
        envelope = REGISTRY.envelope(a_check_in(), source="dispatch")
        broken = envelope.model_copy(update={"data": {**envelope.data, "district_code": "43"}})
        with pytest.raises(ValidationError):
            REGISTRY.parse(broken)

    def test_no_contract_has_a_field_for_full_identity_numbers_or_phones(self) -> None:
        for spec in REGISTRY:
            fields = set(spec.model.model_fields)
            assert not fields & {"id_number", "phone", "address", "name"}, spec.type


def test_a_kafka_record_of_an_envelope_carries_its_topic_key_data_and_headers() -> None:
    from eldercare.common.testing.records import kafka_record

    envelope = REGISTRY.envelope(a_check_in(), source="dispatch")
    record = kafka_record(envelope, offset=3)
    assert (record.topic, record.offset) == ("dispatch.visit", 3)
    assert record.key == envelope.subject.encode()
    assert json.loads(record.value) == envelope.data
    assert record.headers == envelope.kafka_headers()
    broken = kafka_record(envelope, offset=4, topic="dispatch.visit.other", value=b"{")
    assert (broken.topic, broken.value) == ("dispatch.visit.other", b"{")
