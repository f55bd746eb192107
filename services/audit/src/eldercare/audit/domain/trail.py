"""The tamper-evident audit trail (审计留痕): a hash chain over every integration event.

Each entry's hash is SM3 (GB/T 32905-2016, the algorithm the bureau's issue asks for) or SHA-256
over the canonical JSON of its content and the previous entry's hash, so changing, removing or
reordering any entry breaks every later link. The algorithm is a setting and is recorded with each
entry: entries written before SM3 keep SHA-256 and still verify. The supervision duties of
changsha-2024-purchased-door-to-door-rules.md 第十八条 and 第十九条 (spot checks, follow-up calls,
rectification) need a record the bureau can show was not rewritten afterwards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives import hashes


class HashAlgorithm(StrEnum):
    sha256 = "sha256"
    sm3 = "sm3"


def digest(algorithm: HashAlgorithm, text: str) -> str:
    """The hex digest of ``text`` (UTF-8); both algorithms give 64 hex digits."""
    data = text.encode("utf-8")
    if algorithm is HashAlgorithm.sha256:
        return hashlib.sha256(data).hexdigest()
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


# The ``prev_hash`` of the first entry of every chain: no entry comes before it.
GENESIS_HASH = "0" * 64

# One chain per tenant (issue #7: "an audit trail per tenant"): an entry links into the chain of
# its district code, so verifying or anchoring one district never reads another's rows and one
# district's appends never wait for another's. Entries naming no district (a daily head published,
# an event of the whole city) go to the city-level chain. The entries of the single global chain
# written before per-tenant chains (revision 0014) stay where they are as the legacy chain: their
# stored hashes are never rewritten and still verify; nothing is appended to it any more.
CITY_CHAIN = "city"
LEGACY_CHAIN = "legacy"


def chain_for(district_code: str) -> str:
    """The chain an entry of ``district_code`` links into."""
    return district_code or CITY_CHAIN


# Keys left out of the stored summary. The contracts carry no full ID number or phone, but the
# geocoded home point locates a person's home, and the trail is read by many bureau staff who do
# not need it (architecture.md, PII minimisation).
REDACTED_KEYS = frozenset({"home_point"})

# The event's own instant, per event type: the envelope time is not handed to handlers. A type not
# listed (a visit *scheduled* carries only the planned start, not when it was booked) falls back to
# the instant the audit service recorded it.
OCCURRED_AT_FIELDS: Mapping[str, str] = {
    "intake.application.submitted.v1": "submitted_at",
    "intake.application.assessment_requested.v1": "requested_at",
    "intake.application.decided.v1": "decided_at",
    "intake.beneficiary.enrolled.v1": "enrolled_at",
    "intake.beneficiary.status_changed.v1": "changed_at",
    "assessment.assessment.completed.v1": "completed_at",
    "dispatch.care_plan.activated.v1": "activated_at",
    "dispatch.visit.checked_in.v1": "checked_in_at",
    "dispatch.visit.completed.v1": "checked_out_at",
    "billing.charge.posted.v1": "posted_at",
    "audit.follow_up.opened.v1": "opened_at",
    "audit.caregiver.decertified.v1": "decertified_at",
    "audit.sanction.imposed.v1": "imposed_at",
    "audit.trail.head_published.v1": "published_at",
    "intake.beneficiary.entitlement_changed.v1": "changed_at",
    "intake.pii_access.recorded.v1": "accessed_at",
    "assessment.assessment.reassessment_due.v1": "published_at",
    "assessment.pii_access.recorded.v1": "accessed_at",
    "dispatch.visit.unassigned.v1": "unassigned_at",
    "dispatch.visit.cancelled.v1": "cancelled_at",
    "dispatch.visit.verification_resolved.v1": "resolved_at",
    "dispatch.emergency.raised.v1": "raised_at",
    "dispatch.emergency.resolved.v1": "resolved_at",
    "billing.charge.reversed.v1": "reversed_at",
    "billing.settlement.issued.v1": "issued_at",
    "audit.visit_flag.raised.v1": "raised_at",
    "audit.visit_flag.resolved.v1": "resolved_at",
    "audit.recovery.ordered.v1": "ordered_at",
    "audit.spot_check.deduction_published.v1": "published_at",
    "dispatch.care_plan.changed.v1": "changed_at",
    "dispatch.care_plan.ended.v1": "ended_at",
    "dispatch.emergency.acknowledged.v1": "acknowledged_at",
    "dispatch.emergency.escalated.v1": "escalated_at",
    "dispatch.emergency.arrived.v1": "arrived_at",
    "billing.account.opened.v1": "opened_at",
    "billing.account.closed.v1": "closed_at",
    "billing.charge.held.v1": "held_at",
    "billing.charge.released.v1": "released_at",
    "billing.charge.withheld.v1": "withheld_at",
    "billing.settlement.previewed.v1": "previewed_at",
    "billing.settlement.clawback_applied.v1": "applied_at",
    "billing.price_list.published.v1": "published_at",
}


def summarise(data: Mapping[str, Any]) -> dict[str, Any]:
    """The event data as stored in the trail: everything but the redacted keys, recursively."""
    return {k: _summarise_value(v) for k, v in data.items() if k not in REDACTED_KEYS}


def _summarise_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return summarise(value)
    if isinstance(value, list):
        return [_summarise_value(v) for v in value]
    return value


def occurred_at(event_type: str, data: Mapping[str, Any], recorded_at: datetime) -> datetime:
    """When the event happened, from its own instant field; else when it was recorded."""
    name = OCCURRED_AT_FIELDS.get(event_type)
    raw = data.get(name) if name else None
    if isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            return recorded_at
    return recorded_at


@dataclass(frozen=True)
class EntryContent:
    """What an entry's hash covers."""

    seq: int
    event_id: UUID
    event_type: str
    subject: str
    district_code: str
    data: Mapping[str, Any]
    prev_hash: str
    # Not part of the canonical JSON (so SHA-256 entries written before it existed still verify);
    # a rewritten algorithm still breaks the link, as the recomputed digest no longer matches.
    hash_alg: HashAlgorithm = HashAlgorithm.sha256
    # The chain is covered by the hash (a row moved to another chain breaks), except in the legacy
    # chain, whose entries were hashed before chains existed and must verify as they were written.
    chain: str = LEGACY_CHAIN

    def canonical_json(self) -> str:
        """Sorted keys, no spaces, UTF-8 text: the same bytes wherever it is recomputed."""
        content: dict[str, Any] = {
            "seq": self.seq,
            "event_id": str(self.event_id),
            "event_type": self.event_type,
            "subject": self.subject,
            "district_code": self.district_code,
            "data": self.data,
            "prev_hash": self.prev_hash,
        }
        if self.chain != LEGACY_CHAIN:
            content["chain"] = self.chain
        return json.dumps(
            content,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def hash(self) -> str:
        return digest(self.hash_alg, self.canonical_json())


@dataclass(frozen=True)
class AuditEntry:
    """An entry as stored: its hashed content, the hash, and when the event happened and was recorded."""

    id: UUID
    content: EntryContent
    hash: str
    occurred_at: datetime
    recorded_at: datetime


@dataclass(frozen=True)
class ChainHead:
    """The last link of the chain: the next entry gets ``seq + 1`` and links to ``hash``."""

    seq: int = 0
    hash: str = GENESIS_HASH


@dataclass(frozen=True)
class Verification:
    entries: int
    valid: bool
    first_broken_seq: int | None
    chain: str | None = None


@dataclass
class ChainVerifier:
    """Recomputes the chain entry by entry (fed in ``seq`` order, in batches of any size).

    An entry is broken when its seq is not the next number (a deleted or inserted row), its
    ``prev_hash`` is not the previous entry's hash, or its stored hash is not the recomputed one.
    """

    entries: int = 0
    first_broken_seq: int | None = None
    _expected: ChainHead = field(default_factory=ChainHead)

    def feed(self, batch: Iterable[tuple[EntryContent, str]]) -> None:
        for content, stored_hash in batch:
            self.entries += 1
            if self.first_broken_seq is None and not self._links(content, stored_hash):
                self.first_broken_seq = content.seq
            self._expected = ChainHead(content.seq, stored_hash)

    def _links(self, content: EntryContent, stored_hash: str) -> bool:
        return (
            content.seq == self._expected.seq + 1
            and content.prev_hash == self._expected.hash
            and content.hash() == stored_hash
        )

    def finish(self, head: ChainHead | None = None) -> Verification:
        """The verdict; ``head`` (the recorded chain head) also catches entries cut off the end."""
        if self.first_broken_seq is None and head is not None and head != self._expected:
            if head.seq == self._expected.seq:
                self.first_broken_seq = head.seq  # the last entry was rewritten, its hash redone
            else:
                # Rows cut off the end (head ahead) or appended behind the head's back (head behind).
                self.first_broken_seq = min(head.seq, self._expected.seq) + 1
        return Verification(self.entries, self.first_broken_seq is None, self.first_broken_seq)


def next_entry(
    head: ChainHead,
    *,
    entry_id: UUID,
    event_id: UUID,
    event_type: str,
    subject: str,
    district_code: str,
    data: Mapping[str, Any],
    recorded_at: datetime,
    hash_alg: HashAlgorithm = HashAlgorithm.sm3,
) -> AuditEntry:
    """The entry that follows ``head`` for an event: summarised, linked and hashed."""
    content = EntryContent(
        chain=chain_for(district_code),
        seq=head.seq + 1,
        event_id=event_id,
        event_type=event_type,
        subject=subject,
        district_code=district_code,
        data=summarise(data),
        prev_hash=head.hash,
        hash_alg=hash_alg,
    )
    return AuditEntry(
        id=entry_id,
        content=content,
        hash=content.hash(),
        occurred_at=occurred_at(event_type, data, recorded_at),
        recorded_at=recorded_at,
    )
