"""Bearer JWT authentication, roles, scopes and tenancy.

Tokens are EdDSA (Ed25519) JWTs from an identity provider in production and from
``eldercare token`` locally. Claims: ``sub``, ``roles``, ``scope`` (space separated),
and the tenancy: ``region`` (a GB/T 2260 / statistical code prefix for government staff),
``provider_id`` (provider staff and caregivers), ``caregiver_id`` (a caregiver).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, Request

from eldercare.common.errors import Forbidden, NotFound, Unauthorized

PII_READ = "pii:read"


class Role(StrEnum):
    city_admin = "city_admin"
    district_officer = "district_officer"
    street_officer = "street_officer"
    community_worker = "community_worker"
    assessor = "assessor"
    # an assessment organisation's administrator; the organisation's id is the provider_id claim
    assessment_org_admin = "assessment_org_admin"
    # the bureau's finance staff, who run and issue monthly settlements (issue #6)
    finance = "finance"
    provider_admin = "provider_admin"
    caregiver = "caregiver"
    auditor = "auditor"
    city_platform = "city_platform"


GOVERNMENT_ROLES = frozenset(
    {Role.city_admin, Role.district_officer, Role.street_officer, Role.community_worker, Role.auditor}
)


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]
    scopes: frozenset[str] = field(default_factory=frozenset)
    region: str | None = None
    provider_id: UUID | None = None
    caregiver_id: UUID | None = None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def can_read_pii(self) -> bool:
        return PII_READ in self.scopes

    def covers_region(self, code: str) -> bool:
        """Government tenancy: the caller's region code is a prefix of the object's region.

        A city admin of Changsha holds ``4301``; a street officer holds the 9-digit street code.
        A principal with no region sees no region-scoped object.
        """
        return self.region is not None and code.startswith(self.region)

    def ensure_region(self, code: str, what: str = "resource") -> None:
        # 404, not 403: another tenant's object must not even be shown to exist.
        if not self.covers_region(code):
            raise NotFound(f"{what} not found")

    def ensure_provider(self, provider_id: UUID, what: str = "resource") -> None:
        if self.provider_id != provider_id:
            raise NotFound(f"{what} not found")


def mint_token(
    private_key_pem: bytes,
    *,
    subject: str,
    roles: list[str],
    scopes: list[str] | None = None,
    region: str | None = None,
    provider_id: str | None = None,
    caregiver_id: str | None = None,
    ttl_seconds: int = 3600,
    issuer: str = "eldercare-local",
    audience: str = "eldercare",
) -> str:
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(seconds=ttl_seconds),
        "roles": roles,
        "scope": " ".join(scopes or []),
    }
    if region:
        claims["region"] = region
    if provider_id:
        claims["provider_id"] = provider_id
    if caregiver_id:
        claims["caregiver_id"] = caregiver_id
    return jwt.encode(claims, key, algorithm="EdDSA")  # type: ignore[arg-type]


def generate_keypair() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


class TokenVerifier:
    def __init__(self, public_key_pem: bytes, *, issuer: str, audience: str) -> None:
        self._key = serialization.load_pem_public_key(public_key_pem)
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._key,  # type: ignore[arg-type]
                algorithms=["EdDSA"],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token: {exc}") from None
        try:
            return Principal(
                subject=str(claims["sub"]),
                roles=frozenset(str(r) for r in claims.get("roles", [])),
                scopes=frozenset(str(claims.get("scope", "")).split()),
                region=_region(claims.get("region")),
                provider_id=UUID(claims["provider_id"]) if claims.get("provider_id") else None,
                caregiver_id=UUID(claims["caregiver_id"]) if claims.get("caregiver_id") else None,
            )
        except (ValueError, TypeError) as exc:
            raise Unauthorized(f"invalid tenancy claims: {exc}") from None


def _region(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    if not text.isdigit() or len(text) > 12:
        raise ValueError("region must be a numeric region code prefix")
    return text


async def authenticated(request: Request) -> Principal:
    """FastAPI dependency: the verified principal of a bearer token, or 401.

    Async on purpose (as is ``require``): a sync dependency costs a thread-pool hop per request.
    Verifying an Ed25519 signature takes microseconds, so it does not block the loop."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("a bearer token is required")
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier.verify(token.strip())


CurrentPrincipal = Annotated[Principal, Depends(authenticated)]


def require(*roles: str | Role, scopes: Iterable[str] = ()) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits only the given roles (any of them) holding every given scope."""
    wanted = frozenset(str(r) for r in roles)
    needed = frozenset(scopes)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if wanted and not principal.roles.intersection(wanted):
            raise Forbidden(f"requires one of the roles: {', '.join(sorted(wanted))}")
        missing = needed - principal.scopes
        if missing:
            raise Forbidden(f"requires the scopes: {', '.join(sorted(missing))}")
        return principal

    return dependency
