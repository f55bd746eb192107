"""The audit trail's hash chain and its verification, without I/O."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from eldercare.audit.domain.trail import (
    CITY_CHAIN,
    GENESIS_HASH,
    LEGACY_CHAIN,
    OCCURRED_AT_FIELDS,
    AuditEntry,
    ChainHead,
    ChainVerifier,
    EntryContent,
    HashAlgorithm,
    chain_for,
    digest,
    next_entry,
    occurred_at,
    summarise,
)
from eldercare.common.contracts import REGISTRY, VisitScheduled

RECORDED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def content(**overrides: object) -> EntryContent:
    fields: dict[str, object] = {
        "seq": 1,
        "event_id": UUID("01937c8e-0000-7000-8000-000000000001"),
        "event_type": "intake.beneficiary.enrolled.v1",
        "subject": "b-1",
        "district_code": "430102",
        "data": {"z": 1, "a": "长沙"},
        "prev_hash": GENESIS_HASH,
        **overrides,
    }
    return EntryContent(**fields)  # type: ignore[arg-type]


def chain(length: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    head = ChainHead()
    for i in range(length):
        entry = next_entry(
            head,
            entry_id=uuid4(),
            event_id=uuid4(),
            event_type="dispatch.visit.completed.v1",
            subject=f"visit-{i}",
            district_code="430102",
            data={"n": i, "checked_out_at": "2026-11-20T02:30:00+00:00"},
            recorded_at=RECORDED,
        )
        entries.append(entry)
        head = ChainHead(entry.content.seq, entry.hash)
    return entries


def rows(entries: list[AuditEntry]) -> list[tuple[EntryContent, str]]:
    return [(e.content, e.hash) for e in entries]


def verify(batch: list[tuple[EntryContent, str]], head: ChainHead | None = None):  # type: ignore[no-untyped-def]
    verifier = ChainVerifier()
    verifier.feed(batch)
    return verifier.finish(head)


def head_of(entries: list[AuditEntry]) -> ChainHead:
    return ChainHead(entries[-1].content.seq, entries[-1].hash)


class TestEntryContent:
    def test_canonical_json_sorts_keys_and_has_no_spaces(self) -> None:
        text = content().canonical_json()
        assert text.startswith('{"data":{"a":"长沙","z":1},"district_code":"430102","event_id":')
        assert " " not in text

    def test_hash_is_sha256_of_the_canonical_json(self) -> None:
        c = content()
        assert c.hash() == hashlib.sha256(c.canonical_json().encode()).hexdigest()

    def test_the_hash_covers_every_field(self) -> None:
        base = content().hash()
        changes = {
            "seq": 2,
            "event_id": uuid4(),
            "event_type": "x.y.z.v1",
            "subject": "b-2",
            "district_code": "430103",
            "data": {"z": 2, "a": "长沙"},
            "prev_hash": "f" * 64,
        }
        for name, value in changes.items():
            assert replace(content(), **{name: value}).hash() != base, name

    def test_key_order_of_the_data_does_not_change_the_hash(self) -> None:
        assert content(data={"a": "长沙", "z": 1}).hash() == content(data={"z": 1, "a": "长沙"}).hash()


class TestSummarise:
    def test_the_home_point_is_left_out(self) -> None:
        data = {
            "beneficiary_id": "b",
            "home_point": {"lat": 28.1, "lon": 112.9},
            "masked_id_number": "430***1",
        }
        assert summarise(data) == {"beneficiary_id": "b", "masked_id_number": "430***1"}

    def test_nested_objects_and_lists_are_summarised_too(self) -> None:
        data = {"outer": {"home_point": 1, "keep": [{"home_point": 2, "k": 3}]}}
        assert summarise(data) == {"outer": {"keep": [{"k": 3}]}}


class TestOccurredAt:
    def test_the_events_own_instant_is_used(self) -> None:
        data = {"enrolled_at": "2026-11-20T01:30:00+00:00"}
        assert occurred_at("intake.beneficiary.enrolled.v1", data, RECORDED) == datetime(
            2026, 11, 20, 1, 30, tzinfo=UTC
        )

    def test_a_scheduled_visit_falls_back_to_the_recording_instant(self) -> None:
        data = {"scheduled_start_at": "2026-12-01T01:00:00+00:00"}
        assert occurred_at(VisitScheduled.event_type, data, RECORDED) == RECORDED

    def test_an_unparsable_instant_falls_back_to_the_recording_instant(self) -> None:
        assert occurred_at("billing.charge.posted.v1", {"posted_at": "yesterday"}, RECORDED) == RECORDED

    # Events with an audience without audit (the contact shared with dispatch) are never trailed.
    @pytest.mark.parametrize("spec", [s for s in REGISTRY if s.model.audience is None], ids=lambda s: s.type)
    def test_every_registered_type_names_an_instant_field_of_its_contract_or_none(self, spec) -> None:  # type: ignore[no-untyped-def]
        name = OCCURRED_AT_FIELDS.get(spec.type)
        if spec.model is VisitScheduled:
            assert name is None
        else:
            assert name in spec.model.model_fields


class TestNextEntry:
    def test_the_first_entry_takes_seq_one_and_links_to_genesis(self) -> None:
        [first] = chain(1)
        assert (first.content.seq, first.content.prev_hash) == (1, GENESIS_HASH)
        assert first.hash == first.content.hash()

    def test_each_entry_links_to_the_hash_of_the_one_before(self) -> None:
        entries = chain(3)
        assert [e.content.seq for e in entries] == [1, 2, 3]
        assert entries[1].content.prev_hash == entries[0].hash
        assert entries[2].content.prev_hash == entries[1].hash

    def test_the_entry_stores_the_summary_not_the_raw_data(self) -> None:
        entry = next_entry(
            ChainHead(),
            entry_id=uuid4(),
            event_id=uuid4(),
            event_type="intake.beneficiary.enrolled.v1",
            subject="b",
            district_code="430102",
            data={"home_point": {"lat": 1.0, "lon": 2.0}, "enrolled_at": "2026-11-20T01:30:00+00:00"},
            recorded_at=RECORDED,
        )
        assert "home_point" not in entry.content.data
        assert entry.occurred_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


class TestChainVerifier:
    def test_an_empty_chain_is_valid(self) -> None:
        assert verify([], ChainHead()) == verify([])
        result = verify([], ChainHead())
        assert (result.entries, result.valid, result.first_broken_seq) == (0, True, None)

    def test_an_untouched_chain_is_valid(self) -> None:
        entries = chain(5)
        result = verify(rows(entries), head_of(entries))
        assert (result.entries, result.valid, result.first_broken_seq) == (5, True, None)

    def test_changed_data_breaks_that_entry(self) -> None:
        batch = rows(chain(5))
        tampered = replace(batch[2][0], data={"n": 99})
        batch[2] = (tampered, batch[2][1])
        result = verify(batch)
        assert (result.valid, result.first_broken_seq) == (False, 3)

    def test_a_changed_entry_with_its_hash_redone_breaks_the_next_link(self) -> None:
        batch = rows(chain(5))
        tampered = replace(batch[1][0], subject="someone-else")
        batch[1] = (tampered, tampered.hash())
        assert verify(batch).first_broken_seq == 3

    def test_a_deleted_entry_breaks_the_chain_where_it_was(self) -> None:
        batch = rows(chain(5))
        del batch[2]
        assert verify(batch).first_broken_seq == 4

    def test_entries_cut_off_the_end_are_caught_by_the_head(self) -> None:
        entries = chain(5)
        result = verify(rows(entries[:3]), head_of(entries))
        assert (result.entries, result.valid, result.first_broken_seq) == (3, False, 4)

    def test_an_entry_appended_behind_the_heads_back_is_caught(self) -> None:
        entries = chain(4)
        result = verify(rows(entries), head_of(entries[:3]))
        assert result.first_broken_seq == 4

    def test_a_rewritten_last_entry_with_its_hash_redone_is_caught_by_the_head(self) -> None:
        entries = chain(3)
        batch = rows(entries)
        tampered = replace(batch[2][0], data={"n": 0})
        batch[2] = (tampered, tampered.hash())
        assert verify(batch).valid
        assert verify(batch, head_of(entries)).first_broken_seq == 3

    def test_the_verdict_does_not_depend_on_the_batch_size(self) -> None:
        batch = rows(chain(7))
        batch[5] = (replace(batch[5][0], district_code="430103"), batch[5][1])
        verifier = ChainVerifier()
        for i in range(0, 7, 2):
            verifier.feed(batch[i : i + 2])
        assert verifier.finish().first_broken_seq == verify(batch).first_broken_seq == 6

    def test_only_the_first_break_is_reported(self) -> None:
        batch = rows(chain(5))
        for i in (1, 3):
            batch[i] = (replace(batch[i][0], data={}), batch[i][1])
        result = verify(batch)
        assert (result.entries, result.first_broken_seq) == (5, 2)


def test_the_genesis_hash_is_the_one_the_migration_seeds_the_chain_head_with() -> None:
    # migrations/versions/..._audit_trail_follow_ups_spot_checks.py: repeat('0', 64)
    assert GENESIS_HASH == "0" * 64


class TestHashAlgorithm:
    def test_sm3_matches_the_gbt_32905_test_vector(self) -> None:
        # GB/T 32905-2016 附录 A.1: SM3("abc").
        assert digest(HashAlgorithm.sm3, "abc") == (
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        )

    def test_new_entries_are_hashed_with_sm3_by_default(self) -> None:
        [entry] = chain(1)
        assert entry.content.hash_alg is HashAlgorithm.sm3
        assert entry.hash == digest(HashAlgorithm.sm3, entry.content.canonical_json())

    def test_a_chain_of_sha256_entries_continued_in_sm3_verifies(self) -> None:
        old = next_entry(
            ChainHead(),
            entry_id=uuid4(),
            event_id=uuid4(),
            event_type="t",
            subject="s",
            district_code="430102",
            data={},
            recorded_at=RECORDED,
            hash_alg=HashAlgorithm.sha256,
        )
        assert old.hash == hashlib.sha256(old.content.canonical_json().encode()).hexdigest()
        new = next_entry(
            ChainHead(1, old.hash),
            entry_id=uuid4(),
            event_id=uuid4(),
            event_type="t",
            subject="s",
            district_code="430102",
            data={},
            recorded_at=RECORDED,
        )
        result = verify([(old.content, old.hash), (new.content, new.hash)], ChainHead(2, new.hash))
        assert result.valid and new.content.hash_alg is HashAlgorithm.sm3

    def test_relabelling_an_entrys_algorithm_breaks_its_link(self) -> None:
        entries = chain(2)
        relabelled = replace(entries[0].content, hash_alg=HashAlgorithm.sha256)
        result = verify([(relabelled, entries[0].hash), (entries[1].content, entries[1].hash)])
        assert result.first_broken_seq == 1


class TestChainsPerTenant:
    def test_an_entry_links_into_its_districts_chain_and_the_hash_covers_the_chain(self) -> None:
        [entry] = chain(1)
        assert entry.content.chain == "430102"
        assert '"chain":"430102"' in entry.content.canonical_json()
        moved = replace(entry.content, chain="430103")
        assert moved.hash() != entry.hash

    def test_an_entry_without_a_district_goes_to_the_city_chain(self) -> None:
        assert chain_for("") == CITY_CHAIN == "city"
        entry = next_entry(
            ChainHead(),
            entry_id=uuid4(),
            event_id=uuid4(),
            event_type="audit.trail.head_published.v1",
            subject="2026-11-22",
            district_code="",
            data={},
            recorded_at=RECORDED,
        )
        assert entry.content.chain == "city"

    def test_a_legacy_entry_is_hashed_as_before_chains_existed(self) -> None:
        # Rows written before revision 0014 carry no chain in their canonical JSON; they stay in the
        # legacy chain and their stored hashes still verify.
        legacy = content()
        assert legacy.chain == LEGACY_CHAIN and '"chain"' not in legacy.canonical_json()
        stored = hashlib.sha256(legacy.canonical_json().encode()).hexdigest()
        assert verify([(legacy, stored)], ChainHead(1, stored)).valid

    def test_a_legacy_entry_relabelled_into_a_district_chain_breaks(self) -> None:
        legacy = content()
        stored = legacy.hash()
        assert not verify([(replace(legacy, chain="430102"), stored)]).valid
