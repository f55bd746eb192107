"""A beneficiary's path through the five services, over their HTTP APIs.

Used by ``eldercare seed`` (demo data) and by the end-to-end tests, so the demo and the tests walk
the same path a real community worker, street officer, assessor, district officer, provider and
caregiver would.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import httpx

from eldercare.common.auth import mint_token
from eldercare.common.id_numbers import make_id_number

T = TypeVar("T")

DISTRICT = "430102"  # 长沙市芙蓉区
STREETS = ("430102001", "430102002")
COMMUNITIES = ("430102001001", "430102001002", "430102002001")

ITEM_MAXIMA = {
    **{f"B.1.{i}": 4 for i in range(1, 9)},
    "B.2.1": 4, "B.2.2": 4, "B.2.3": 4, "B.2.4": 3,
    **{f"B.3.{i}": 4 for i in range(1, 7)},
    "B.3.7": 1, "B.3.8": 1, "B.3.9": 2,
    "B.4.1": 2, "B.4.2": 2, "B.4.3": 4, "B.4.4": 3, "B.4.5": 4,
}  # fmt: skip


def items_for_total(total: int) -> dict[str, int]:
    """GB/T 42195 item scores adding up to ``total`` (0..90), losing points from the first items."""
    scores = dict(ITEM_MAXIMA)
    missing = 90 - total
    for code in scores:
        take = min(missing, scores[code])
        scores[code] -= take
        missing -= take
    return scores


class ApiError(RuntimeError):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(
            f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text}"
        )
        self.response = response


@dataclass
class Stack:
    """Base URLs of the five services and the key that signs tokens for them."""

    private_key_pem: bytes
    intake: str = "http://127.0.0.1:8101"
    assessment: str = "http://127.0.0.1:8102"
    dispatch: str = "http://127.0.0.1:8103"
    billing: str = "http://127.0.0.1:8104"
    audit: str = "http://127.0.0.1:8105"
    timeout: float = 60.0
    client: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=30))

    def headers(self, role: str, **claims: Any) -> dict[str, str]:
        tenancy = claims.get("region") or claims.get("caregiver_id") or claims.get("provider_id") or "x"
        token = mint_token(
            self.private_key_pem,
            subject=f"{role}-{tenancy}",
            roles=[role],
            scopes=claims.pop("scopes", None),
            **{k: str(v) if v is not None else None for k, v in claims.items()},
        )
        return {"Authorization": f"Bearer {token}", "Idempotency-Key": f"seed-{uuid.uuid4()}"}

    async def call(self, method: str, url: str, role: str, json: Any = None, **claims: Any) -> Any:
        response = await self.client.request(method, url, json=json, headers=self.headers(role, **claims))
        if response.status_code >= 400:
            raise ApiError(response)
        return response.json()

    async def eventually(self, probe: Callable[[], Awaitable[T | None]], what: str) -> T:
        """Poll until ``probe`` returns something: events travel through Kafka, not instantly."""
        async with asyncio.timeout(self.timeout):
            while True:
                try:
                    found = await probe()
                except ApiError as exc:
                    if exc.response.status_code != 404:
                        raise
                    found = None
                if found:
                    return found
                await asyncio.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}")  # pragma: no cover

    async def close(self) -> None:
        await self.client.aclose()


def applicant(seq: int, *, community: str = COMMUNITIES[0], born: date = date(1944, 3, 8)) -> dict[str, Any]:
    """A synthetic applicant: a valid-looking ID number for no real person."""
    id_number = make_id_number(DISTRICT, born, 100 + seq * 2 + 1)  # odd sequence: male
    return {
        "name": f"测试老人{seq:02d}",
        "id_number": id_number,
        "sex": "male",
        "birth_date": born.isoformat(),
        "ethnicity": "汉",
        "phone": f"1380000{seq:04d}",
        "address": f"芙蓉区示范路{seq}号",
        "hukou_region": DISTRICT,
        "community_code": community,
        "home_point": {"lat": 28.1940 + seq / 10000, "lon": 112.9760 + seq / 10000},
    }


@dataclass
class Journey:
    """One application's steps. Each method is one actor's action, in the order of the process."""

    stack: Stack
    person: dict[str, Any]
    circumstances: list[str] = field(default_factory=lambda: ["subsistence_allowance"])
    application: dict[str, Any] = field(default_factory=dict)

    @property
    def community(self) -> str:
        return str(self.person["community_code"])

    @property
    def street(self) -> str:
        return self.community[:9]

    async def apply(self) -> dict[str, Any]:
        body = {
            "policy": "changsha",
            "applicant": self.person,
            "circumstances": self.circumstances,
            "agent": None,
            "guardian": "family",
            "declaration_accepted": True,
        }
        s = self.stack
        self.application = await s.call(
            "POST", f"{s.intake}/v1/applications", "community_worker", body, region=self.community
        )
        return self.application

    async def review(self, outcome: str = "pass") -> dict[str, Any]:
        s = self.stack
        url = f"{s.intake}/v1/applications/{self.application['id']}/reviews"
        self.application = await s.call(
            "POST", url, "street_officer", {"outcome": outcome, "comment": "材料齐全"}, region=self.street
        )
        return self.application

    async def assessment_task(self) -> dict[str, Any]:
        s = self.stack

        async def probe() -> dict[str, Any] | None:
            url = f"{s.assessment}/v1/assessments?application_id={self.application['id']}"
            items = (await s.call("GET", url, "assessor", region=DISTRICT))["items"]
            return items[0] if items else None

        return await s.eventually(probe, "the assessment task")

    async def assess(self, total: int) -> dict[str, Any]:
        s = self.stack
        task = await self.assessment_task()
        body = {
            "items": items_for_total(total),
            "coma": False,
            "diagnoses": [],
            "psychiatric_specialist_diagnosis": False,
            "risk_events_30d": {"fall": 0, "wandering": 0, "choking": 0, "suicide_self_harm": 0, "other": 0},
            "assessors": ["assessor-001", "assessor-002"],
            "information_provider": {"name": "家属", "relation": "child"},
            "assessed_on": date.today().isoformat(),
        }
        return await s.call(
            "POST", f"{s.assessment}/v1/assessments/{task['id']}/results", "assessor", body, region=DISTRICT
        )

    async def wait_status(self, status: str) -> dict[str, Any]:
        s = self.stack

        async def probe() -> dict[str, Any] | None:
            url = f"{s.intake}/v1/applications/{self.application['id']}"
            app = await s.call("GET", url, "district_officer", region=DISTRICT)
            return app if app["status"] == status else None

        self.application = await s.eventually(probe, f"application status {status}")
        return self.application

    async def decide(self, outcome: str = "approve") -> dict[str, Any]:
        s = self.stack
        url = f"{s.intake}/v1/applications/{self.application['id']}/decisions"
        body = {"outcome": outcome, "comment": "符合第五条"}
        self.application = await s.call("POST", url, "district_officer", body, region=DISTRICT)
        return self.application


@dataclass
class ProviderSetup:
    provider: dict[str, Any]
    caregiver: dict[str, Any]


async def set_up_provider(s: Stack, name: str, credit_code: str) -> ProviderSetup:
    provider = await s.call(
        "POST", f"{s.dispatch}/v1/providers", "district_officer",
        {
            "name": name, "credit_code": credit_code, "district_code": DISTRICT,
            "address": "芙蓉区服务中心", "phone": "073188880000",
            "service_codes": ["CS14", "CS15", "CS22", "CS24", "CS25", "CS31"], "has_food_licence": False,
        },
        region=DISTRICT,
    )  # fmt: skip
    # changsha-2024 第七条（一）-（五）,（七）: the district records the provider's conditions before it
    # takes work (dispatch README, Registry; no meal items here, so no （六）).
    for code in (
        "registration",
        "qualification_premises",
        "help_line_24h",
        "staffing",
        "good_standing",
        "management_rules",
    ):
        provider = await s.call(
            "PUT", f"{s.dispatch}/v1/providers/{provider['id']}/conditions/{code}", "district_officer",
            {"status": "met", "evidence": {"document_ref": f"e2e-{code}"}}, region=DISTRICT,
        )  # fmt: skip
    caregiver = await s.call(
        "POST", f"{s.dispatch}/v1/caregivers", "provider_admin",
        {"name": f"{name}护理员", "phone": "13900001111", "qualifications": ["certified_elderly_care_worker"],
         "health_certificate_valid_until": "2027-12-31"},
        provider_id=provider["id"],
    )  # fmt: skip
    return ProviderSetup(provider, caregiver)


async def set_prices(s: Stack) -> dict[str, Any]:
    body = {
        "region_code": DISTRICT,
        "effective_from": "2024-08-01",
        "items": [
            {"service_code": "CS22", "unit": "visit", "unit_price_fen": 5000},
            {"service_code": "CS25", "unit": "visit", "unit_price_fen": 4000},
            {"service_code": "CS31", "unit": "hour", "unit_price_fen": 6000},
        ],
    }
    return await s.call("POST", f"{s.billing}/v1/price-lists", "district_officer", body, region=DISTRICT)  # type: ignore[no-any-return]


async def care_plan(
    s: Stack, setup: ProviderSetup, beneficiary_id: str, *, schedule: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The scenario's plan; with ``schedule`` (preferred weekdays and windows) dispatch generates
    its visits for the horizon."""
    provider_id = setup.provider["id"]

    async def create() -> dict[str, Any] | None:
        body: dict[str, Any] = {
            "beneficiary_id": beneficiary_id,
            "service_codes": ["CS15", "CS22", "CS25"],
            "frequency_per_month": 8,
            # Issue #5: 3 of the 8 visits within the 30,000-fen entitlement (CS22 + CS25 at set_prices:
            # 27,000), 5 self-paid; CS15 has no price, so dispatch accepts the plan as "fit unchecked".
            "self_paid_per_month": 5,
            "agreement": {"signed_on": date.today().isoformat(), "duration_months": 12},
        }
        if schedule is not None:
            body["schedule"] = schedule
        return await s.call(  # type: ignore[no-any-return]
            "POST", f"{s.dispatch}/v1/care-plans", "provider_admin", body, provider_id=provider_id
        )

    # Dispatch learns of the beneficiary from intake's event: until then the plan is a 404.
    return await s.eventually(create, "dispatch to know the beneficiary")


async def visit(
    s: Stack, setup: ProviderSetup, plan: dict[str, Any], home: dict[str, float], start: str, end: str
) -> dict[str, Any]:
    provider_id = setup.provider["id"]
    caregiver_id = setup.caregiver["id"]
    scheduled = await s.call(
        "POST", f"{s.dispatch}/v1/visits", "provider_admin",
        {"care_plan_id": plan["id"], "caregiver_id": caregiver_id, "service_code": "CS22",
         "scheduled_start_at": start, "scheduled_end_at": end},
        provider_id=provider_id,
    )  # fmt: skip
    me = {"provider_id": provider_id, "caregiver_id": caregiver_id}
    url = f"{s.dispatch}/v1/visits/{scheduled['id']}"
    await s.call("POST", f"{url}/check-ins", "caregiver", {"location": home, "accuracy_m": 10}, **me)
    record = {"notes": "上门探访，老人状态良好", "items_done": ["CS22"]}
    return await s.call("POST", f"{url}/check-outs", "caregiver", {"location": home, "record": record}, **me)  # type: ignore[no-any-return]


def window(minutes_from_now: int = 0) -> tuple[str, str]:
    """An hour-long visit window starting ``minutes_from_now`` (ISO 8601, UTC)."""
    start = datetime.now(UTC) + timedelta(minutes=minutes_from_now)
    return start.isoformat(), (start + timedelta(hours=1)).isoformat()


async def enrol(s: Stack, seq: int, *, total: int = 70) -> tuple[Journey, dict[str, Any]]:
    """Applicant ``seq`` from application to enrolment: community, street, assessor, district."""
    journey = Journey(s, applicant(seq))
    submitted = await journey.apply()
    assert submitted["status"] == "submitted"
    assert submitted["applicant"]["id_number"].count("*") == 11  # masked without pii:read
    reviewed = await journey.review("pass")
    assert reviewed["status"] == "assessment_requested"
    await journey.assess(total=total)
    await journey.wait_status("assessed")
    decided = await journey.decide("approve")
    assert decided["status"] == "enrolled"
    beneficiary = await s.call(
        "GET", f"{s.intake}/v1/beneficiaries/{decided['beneficiary_id']}", "district_officer", region=DISTRICT
    )
    return journey, beneficiary
