"""JSON Schemas of every event are snapshot-tested: a change to a contract shows up here.

Run with ``ELDERCARE_UPDATE_SNAPSHOTS=1`` to accept a deliberate, compatible change; a breaking
change needs a new ``.v2`` event type instead.
"""

import json
import os
from pathlib import Path

from eldercare.common.contracts import REGISTRY

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
ASYNCAPI = Path(__file__).resolve().parents[4] / "docs" / "asyncapi.json"
UPDATE = os.environ.get("ELDERCARE_UPDATE_SNAPSHOTS") == "1"


def render(obj: object) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_every_event_schema_matches_its_snapshot() -> None:
    schemas = REGISTRY.json_schemas()
    for event_type, schema in schemas.items():
        path = SNAPSHOTS / f"{event_type}.json"
        if UPDATE:
            path.write_text(render(schema), encoding="utf-8")
        assert path.exists(), f"no snapshot for {event_type}; run with ELDERCARE_UPDATE_SNAPSHOTS=1"
        assert json.loads(path.read_text(encoding="utf-8")) == schema, f"{event_type} changed"


def test_no_snapshot_is_left_for_an_event_that_no_longer_exists() -> None:
    known = {f"{t}.json" for t in REGISTRY.json_schemas()}
    assert {p.name for p in SNAPSHOTS.glob("*.json")} <= known


def test_the_asyncapi_document_in_docs_is_current() -> None:
    document = render(REGISTRY.asyncapi())
    if UPDATE:
        ASYNCAPI.write_text(document, encoding="utf-8")
    assert ASYNCAPI.read_text(encoding="utf-8") == document, "regenerate docs/asyncapi.json"


def test_the_asyncapi_document_has_a_channel_per_topic_and_a_message_per_type() -> None:
    document = REGISTRY.asyncapi()
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == set(REGISTRY.topics())
    assert len(document["components"]["messages"]) == len(list(REGISTRY))
