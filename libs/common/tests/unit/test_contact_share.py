"""The contact intake shares with dispatch alone: sealed for one beneficiary, for one audience."""

import base64
import os
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from eldercare.common.consumer import Subscription
from eldercare.common.contracts import REGISTRY, BeneficiaryContactShared
from eldercare.common.contracts.intake import (
    BeneficiaryContact,
    BeneficiaryContactGuardian,
    open_contact,
    seal_contact,
)
from eldercare.common.pii import FieldCipher, PiiKeyError

CONTACT = BeneficiaryContact(
    name="张桂兰",
    address="岳麓区望月湖街道3栋2单元501",
    phone="13900001111",
    guardian=BeneficiaryContactGuardian(name="李明", relation="儿子", phone="13800002222"),
)


def cipher(kid: str = "s1") -> FieldCipher:
    return FieldCipher({kid: os.urandom(32)})


def test_the_contact_opens_for_its_beneficiary_with_the_shared_ring() -> None:
    ring, beneficiary = cipher(), uuid4()
    sealed = seal_contact(ring, beneficiary, CONTACT)
    assert sealed.startswith("s1:")
    for plain in ("张桂兰", "13900001111", "3栋2单元501", "13800002222"):
        assert plain not in sealed and plain not in base64.b64decode(sealed[3:]).decode("latin-1")
    assert open_contact(ring, beneficiary, sealed) == CONTACT


def test_a_blob_copied_onto_another_beneficiary_or_under_another_key_does_not_open() -> None:
    ring = cipher()
    sealed = seal_contact(ring, uuid4(), CONTACT)
    with pytest.raises(ValueError):
        open_contact(ring, uuid4(), sealed)
    with pytest.raises(PiiKeyError):
        open_contact(cipher("s2"), uuid4(), sealed)


def test_the_event_lives_on_its_own_topic_for_dispatch_alone() -> None:
    assert BeneficiaryContactShared.topic == "intake.beneficiary_contact"
    assert REGISTRY.spec(BeneficiaryContactShared.event_type).topic not in {
        s.topic for s in REGISTRY if s.model is not BeneficiaryContactShared
    }
    assert BeneficiaryContactShared.audience == frozenset({"dispatch"})
    Subscription("dispatch").on(BeneficiaryContactShared)
    with pytest.raises(ValueError, match="audience"):
        Subscription("audit").on(BeneficiaryContactShared)


def test_the_event_carries_no_plain_contact_field() -> None:
    event = BeneficiaryContactShared(
        beneficiary_id=uuid4(),
        district_code="430104",
        sealed="s1:AAAA",
        shared_at=datetime(2026, 11, 23, tzinfo=UTC),
    )
    assert set(event.model_dump()) == {"beneficiary_id", "district_code", "sealed", "shared_at"}
