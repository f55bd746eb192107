"""Webhooks for the city platform (issue #3, "City platform integration"): what may be subscribed,
how a delivery is signed, when a failed one is retried, and which URLs are refused (pure).

Signature (what a receiver verifies): ``X-Eldercare-Signature: t=<unix seconds>,v1=<hex>`` where
``<hex>`` is HMAC-SHA256 with the subscription's secret over ``"<t>." + <raw body>``. A receiver
recomputes it over the raw bytes, compares in constant time, and refuses a ``t`` further than the
replay window (``INTAKE_WEBHOOK_REPLAY_WINDOW_SECONDS``, default 300 s) from its own clock; the
``X-Eldercare-Event-Id`` header lets it drop a delivery it has already processed (a delivery is
at-least-once: retries and manual redeliveries resend the same event id).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from eldercare.common.errors import InvalidInput

# The application and beneficiary events a platform may subscribe to (contracts/intake.py).
EVENT_TYPES = frozenset(
    {
        "intake.application.submitted.v1",
        "intake.application.assessment_requested.v1",
        "intake.application.decided.v1",
        "intake.beneficiary.enrolled.v1",
        "intake.beneficiary.status_changed.v1",
        "intake.beneficiary.entitlement_changed.v1",
    }
)
# Data a platform does not need and that locates a person: the geocoded home point is for
# dispatch's routes only (PIPL minimisation). Every other field is already pseudonymous or masked.
WITHHELD_FIELDS = frozenset({"home_point"})

SIGNATURE_HEADER = "X-Eldercare-Signature"
EVENT_ID_HEADER = "X-Eldercare-Event-Id"
EVENT_TYPE_HEADER = "X-Eldercare-Event-Type"
DELIVERY_ID_HEADER = "X-Eldercare-Delivery-Id"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: int, window_seconds: int) -> bool:
    """What a receiver does (and what the tests' receiver does): the HMAC matches and ``t`` is
    within the replay window."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > window_seconds:
        return False
    expected = sign(secret, timestamp, body)
    return hmac.compare_digest(expected, f"t={timestamp},v1={parts.get('v1', '')}")


def backoff_seconds(attempt: int, base: float, ceiling: float) -> float:
    """Exponential: base, 2·base, 4·base … after the 1st, 2nd, 3rd failed attempt, at most ``ceiling``."""
    return float(min(ceiling, base * 2 ** max(0, attempt - 1)))


@dataclass(frozen=True)
class UrlPolicy:
    """SSRF guard. Only http and https; with ``allowed_hosts`` only those hosts; otherwise any host
    whose addresses are public, unless ``allow_private`` (a setting, for tests and closed networks)."""

    allowed_hosts: frozenset[str] = frozenset()
    allow_private: bool = False

    def check_url(self, url: str) -> str:
        """The host of an acceptable URL; 422 naming ``url`` otherwise."""
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            raise InvalidInput("only http and https URLs are accepted", field="url")
        host = (parts.hostname or "").lower()
        if not host or parts.username or parts.password:
            raise InvalidInput("the URL needs a host and no credentials", field="url")
        if self.allowed_hosts and host not in self.allowed_hosts:
            raise InvalidInput("this host is not in INTAKE_WEBHOOK_ALLOWED_HOSTS", field="url")
        return host

    def check_addresses(self, addresses: list[str]) -> None:
        """Refuse a host that resolves to a loopback, private, link-local or reserved address."""
        if self.allow_private:
            return
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global or ip.is_multicast:
                raise InvalidInput(
                    "the URL resolves to a private or reserved address "
                    "(INTAKE_WEBHOOK_ALLOW_PRIVATE_NETWORKS allows it)",
                    field="url",
                )
