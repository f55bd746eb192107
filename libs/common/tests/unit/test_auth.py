from uuid import uuid4

import jwt
import pytest

from eldercare.common.auth import TokenVerifier, generate_keypair, mint_token
from eldercare.common.errors import NotFound, Unauthorized


@pytest.fixture(scope="module")
def keys() -> tuple[bytes, bytes]:
    return generate_keypair()


def verifier(public: bytes) -> TokenVerifier:
    return TokenVerifier(public, issuer="eldercare-local", audience="eldercare")


class TestTokens:
    def test_claims_become_the_principal(self, keys: tuple[bytes, bytes]) -> None:
        provider = uuid4()
        token = mint_token(
            keys[0], subject="u1", roles=["provider_admin"], scopes=["pii:read"], provider_id=str(provider)
        )
        principal = verifier(keys[1]).verify(token)
        assert principal.has_role("provider_admin")
        assert principal.can_read_pii
        assert principal.provider_id == provider

    def test_a_token_signed_by_another_key_is_refused(self, keys: tuple[bytes, bytes]) -> None:
        other, _ = generate_keypair()
        with pytest.raises(Unauthorized):
            verifier(keys[1]).verify(mint_token(other, subject="u", roles=["auditor"]))

    def test_an_expired_token_is_refused(self, keys: tuple[bytes, bytes]) -> None:
        with pytest.raises(Unauthorized):
            verifier(keys[1]).verify(mint_token(keys[0], subject="u", roles=["auditor"], ttl_seconds=-10))

    def test_an_unsigned_token_is_refused(self, keys: tuple[bytes, bytes]) -> None:
        token = jwt.encode({"sub": "u", "roles": ["city_admin"]}, key=None, algorithm="none")
        with pytest.raises(Unauthorized):
            verifier(keys[1]).verify(token)

    def test_a_non_numeric_region_claim_is_refused(self, keys: tuple[bytes, bytes]) -> None:
        with pytest.raises(Unauthorized):
            verifier(keys[1]).verify(mint_token(keys[0], subject="u", roles=["city_admin"], region="43%"))


class TestTenancy:
    def test_a_region_prefix_covers_codes_below_it(self, keys: tuple[bytes, bytes]) -> None:
        street = verifier(keys[1]).verify(
            mint_token(keys[0], subject="s", roles=["street_officer"], region="430102001")
        )
        assert street.covers_region("430102001001")
        assert not street.covers_region("430102002001")
        with pytest.raises(NotFound):
            street.ensure_region("430103001001")

    def test_no_region_covers_nothing(self, keys: tuple[bytes, bytes]) -> None:
        principal = verifier(keys[1]).verify(mint_token(keys[0], subject="p", roles=["provider_admin"]))
        assert not principal.covers_region("430102")
