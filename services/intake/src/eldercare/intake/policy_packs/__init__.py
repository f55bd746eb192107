"""The policy packs shipped with the service, one JSON document per city and version.

A new city or a new version of a city's rules is a new ``<pack_id>.json`` here, not new code; the
catalog picks the pack in force on the date that matters.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from eldercare.intake.domain.policy import PackCatalog, PolicyPack, parse_pack


def load_packs() -> list[PolicyPack]:
    """Every ``*.json`` of this package, parsed strictly (a broken pack fails at start-up)."""
    packs = []
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            packs.append(parse_pack(json.loads(entry.read_text(encoding="utf-8"))))
    return packs


@cache
def catalog() -> PackCatalog:
    return PackCatalog(load_packs())
