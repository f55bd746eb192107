"""Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters.

See shared/reference/identifiers.md §4.2. Shared by dispatch (providers) and assessment
(assessment organisations). Wrong length, characters outside the 31-symbol alphabet
or non-digits in the region positions are rejected. A check-character mismatch is *not*: codes
issued in early pilot areas fail it yet are registered, so the mismatch is flagged for a person
to verify against the national credit registry (identifiers.md §4.2, caveat).
"""

from __future__ import annotations

from dataclasses import dataclass

# 31 symbols; a symbol's value is its index. No I, O, S, V, Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^(i-1) mod 31
# GB 11714 organisation code (positions 9-17): values 0-9 then A=10 .. Z=35.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class InvalidCreditCode(ValueError):
    pass


@dataclass(frozen=True)
class CreditCode:
    value: str
    check_character_ok: bool
    organisation_code_ok: bool

    @property
    def needs_manual_check(self) -> bool:
        return not (self.check_character_ok and self.organisation_code_ok)

    @property
    def registration_region(self) -> str:
        """The GB/T 2260 code of the registering authority (positions 3-8)."""
        return self.value[2:8]


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check_character(body8: str) -> str:
    total = sum(_ORG_VALUES.index(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def parse_credit_code(raw: str) -> CreditCode:
    """Validate the shape strictly and the two check characters leniently (flagged, not refused)."""
    value = raw.strip().upper()
    if len(value) != 18:
        raise InvalidCreditCode("must have 18 characters (GB 32100-2015)")
    bad = sorted({c for c in value if c not in ALPHABET})
    if bad:
        raise InvalidCreditCode(f"characters not allowed in a credit code: {''.join(bad)} (no I, O, S, V, Z)")
    if not value[2:8].isdigit():
        raise InvalidCreditCode("positions 3-8 must be the 6-digit region code of the registering authority")
    org = value[8:17]
    return CreditCode(
        value=value,
        check_character_ok=check_character(value[:17]) == value[17],
        organisation_code_ok=organisation_check_character(org[:8]) == org[8],
    )
