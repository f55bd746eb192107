"""The pure webhook rules: the signature receivers verify, the backoff, the SSRF guard."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from eldercare.common.errors import InvalidInput
from eldercare.intake.domain.webhooks import UrlPolicy, backoff_seconds, sign, verify

BODY = b'{"id":"1","type":"intake.application.submitted.v1"}'


class TestSignature:
    def test_the_signature_is_hmac_sha256_over_timestamp_dot_body(self) -> None:
        expected = hmac.new(b"whsec_x", b"1700000000." + BODY, hashlib.sha256).hexdigest()
        assert sign("whsec_x", 1700000000, BODY) == f"t=1700000000,v1={expected}"

    def test_a_receiver_accepts_it_within_the_window(self) -> None:
        assert verify("whsec_x", sign("whsec_x", 1000, BODY), BODY, 1000 + 300, 300)

    def test_a_replay_outside_the_window_is_refused(self) -> None:
        assert not verify("whsec_x", sign("whsec_x", 1000, BODY), BODY, 1000 + 301, 300)

    def test_a_changed_body_or_another_secret_is_refused(self) -> None:
        header = sign("whsec_x", 1000, BODY)
        assert not verify("whsec_x", header, BODY + b" ", 1000, 300)
        assert not verify("whsec_y", header, BODY, 1000, 300)

    @pytest.mark.parametrize("header", ["", "t=abc,v1=00", "v1=00", "garbage"])
    def test_a_malformed_header_is_refused(self, header: str) -> None:
        assert not verify("whsec_x", header, BODY, 1000, 300)


class TestBackoff:
    def test_it_doubles_from_the_base_up_to_the_ceiling(self) -> None:
        assert [backoff_seconds(n, 10, 60) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]


class TestUrlPolicy:
    @pytest.mark.parametrize(
        "url", ["ftp://example.cn/h", "file:///etc/passwd", "http:///nohost", "http://u:p@example.cn/"]
    )
    def test_only_plain_http_and_https_urls_with_a_host(self, url: str) -> None:
        with pytest.raises(InvalidInput):
            UrlPolicy().check_url(url)

    @pytest.mark.parametrize(
        "address", ["127.0.0.1", "10.0.0.5", "192.168.1.1", "169.254.169.254", "::1", "fd00::1"]
    )
    def test_private_and_reserved_addresses_are_refused_by_default(self, address: str) -> None:
        with pytest.raises(InvalidInput):
            UrlPolicy().check_addresses([address])

    def test_public_addresses_pass_and_the_setting_allows_private_ones(self) -> None:
        UrlPolicy().check_addresses(["203.0.119.7", "2400:3200::1"])
        UrlPolicy(allow_private=True).check_addresses(["127.0.0.1"])

    def test_an_allow_list_admits_only_its_hosts(self) -> None:
        policy = UrlPolicy(allowed_hosts=frozenset({"hooks.example.cn"}))
        assert policy.check_url("https://HOOKS.example.cn/x") == "hooks.example.cn"
        with pytest.raises(InvalidInput):
            policy.check_url("https://other.example.cn/x")
