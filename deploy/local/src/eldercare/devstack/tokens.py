"""``eldercare token``: a JWT for the local stack, signed with the key in ``.var/keys``."""

from __future__ import annotations

from dataclasses import dataclass, field

from eldercare.common.auth import mint_token
from eldercare.devstack.keys import LocalKeys


@dataclass
class TokenRequest:
    roles: list[str]
    region: str | None = None
    provider: str | None = None
    caregiver: str | None = None
    scopes: list[str] = field(default_factory=list)
    subject: str | None = None
    ttl_minutes: int = 60

    def default_subject(self) -> str:
        return f"local-{self.roles[0]}-{self.region or self.provider or self.caregiver or 'any'}"


def local_token(keys: LocalKeys, request: TokenRequest) -> str:
    return mint_token(
        keys.private_key_pem(),
        subject=request.subject or request.default_subject(),
        roles=request.roles,
        scopes=request.scopes or None,
        region=request.region,
        provider_id=request.provider,
        caregiver_id=request.caregiver,
        ttl_seconds=request.ttl_minutes * 60,
    )
