"""API test fixtures: a small world of providers, caregivers, beneficiaries, plans and visits,
built through the real routes and the real consumer handler."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

import httpx
import pytest

from eldercare.common.contracts import BeneficiaryEnrolled
from eldercare.common.credit_codes import check_character, organisation_check_character
from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"
OTHER_DISTRICT = "430103"
HOME = {"lat": 28.1941, "lon": 112.9761}
PLAN_CODES = ["CS15", "CS22", "CS25"]
# changsha-2024 第七条（一）-（五）,（七）: every provider's conditions; （六） food_licence for meal items.
GENERAL_CONDITIONS = [
    "registration",
    "qualification_premises",
    "help_line_24h",
    "staffing",
    "good_standing",
    "management_rules",
]


def credit_code(seq: int) -> str:
    """A synthetic 民非 credit code with valid check characters, unique per ``seq``."""
    body = f"{seq:08d}"
    first17 = "52" + DISTRICT + body + organisation_check_character(body)
    return first17 + check_character(first17)


def in_hours(hours: float, length: float = 1) -> tuple[str, str]:
    start = datetime.now(UTC) + timedelta(hours=hours)
    return start.isoformat(), (start + timedelta(hours=length)).isoformat()


@dataclass
class World:
    client: httpx.AsyncClient
    tokens: Tokens
    deliver: Any
    make_enrolled: Callable[..., BeneficiaryEnrolled]
    seq: int = 0

    district: ClassVar[str] = DISTRICT
    other_district: ClassVar[str] = OTHER_DISTRICT
    home: ClassVar[dict[str, float]] = HOME

    def officer(self, region: str = DISTRICT, **kw: Any) -> dict[str, str]:
        return self.tokens.headers("district_officer", region=region, **kw)

    def admin(self, provider_id: Any, **kw: Any) -> dict[str, str]:
        return self.tokens.headers("provider_admin", provider_id=provider_id, **kw)

    def caregiver(self, provider_id: Any, caregiver_id: Any, **kw: Any) -> dict[str, str]:
        return self.tokens.headers("caregiver", provider_id=provider_id, caregiver_id=caregiver_id, **kw)

    def provider_body(self, **overrides: Any) -> dict[str, Any]:
        self.seq += 1
        return {
            "name": f"芙蓉区颐养服务中心{self.seq}",
            "credit_code": credit_code(self.seq),
            "district_code": DISTRICT,
            "address": "芙蓉区服务中心",
            "phone": "073188880000",
            "service_codes": ["CS14", "CS15", "CS19", "CS22", "CS24", "CS25", "CS31"],
            "has_food_licence": False,
            **overrides,
        }

    async def provider(self, *, conditions: bool = True, **overrides: Any) -> dict[str, Any]:
        """A registered provider; with ``conditions`` its officer records every 第七条 condition it
        needs as met (the food licence when it declared one), so it may take new work."""
        body = self.provider_body(**overrides)
        created = await self._created("/v1/providers", body, self.officer(body["district_code"]))
        if not conditions:
            return created
        codes = [*GENERAL_CONDITIONS, *(["food_licence"] if body["has_food_licence"] else [])]
        for code in codes:
            created = await self.record_condition(created, code)
        return created

    async def record_condition(
        self, provider: dict[str, Any], code: str, *, status: str = "met", **overrides: Any
    ) -> dict[str, Any]:
        response = await self.client.put(
            f"/v1/providers/{provider['id']}/conditions/{code}",
            json={"status": status, "evidence": {"document_ref": f"{code}-doc"}, **overrides},
            headers=self.officer(provider["district_code"]),
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    async def staffed_provider(self, **overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        provider = await self.provider(**overrides)
        return provider, await self.caregiver_of(provider["id"])

    async def caregiver_of(self, provider_id: str, **overrides: Any) -> dict[str, Any]:
        body = {
            "name": "王护理员",
            "phone": "13900001111",
            "qualifications": ["certified_elderly_care_worker"],
            "health_certificate_valid_until": (date.today() + timedelta(days=365)).isoformat(),
            **overrides,
        }
        return await self._created("/v1/caregivers", body, self.admin(provider_id))

    async def beneficiary(self, **overrides: Any) -> BeneficiaryEnrolled:
        event = self.make_enrolled(**overrides)
        await self.deliver(event)
        return event

    def plan_body(self, beneficiary_id: Any, **overrides: Any) -> dict[str, Any]:
        return {
            "beneficiary_id": str(beneficiary_id),
            "service_codes": PLAN_CODES,
            "frequency_per_month": 8,
            "agreement": {"signed_on": date.today().isoformat(), "duration_months": 12},
            **overrides,
        }

    async def care_plan(self, provider_id: str, beneficiary_id: Any, **overrides: Any) -> dict[str, Any]:
        body = self.plan_body(beneficiary_id, **overrides)
        return await self._created("/v1/care-plans", body, self.admin(provider_id))

    def visit_body(self, plan: dict[str, Any], caregiver: dict[str, Any], **overrides: Any) -> dict[str, Any]:
        start, end = in_hours(overrides.pop("hours", 0))
        return {
            "care_plan_id": plan["id"],
            "caregiver_id": caregiver["id"],
            "service_code": "CS22",
            "scheduled_start_at": start,
            "scheduled_end_at": end,
            **overrides,
        }

    async def visit(
        self, plan: dict[str, Any], caregiver: dict[str, Any], **overrides: Any
    ) -> dict[str, Any]:
        body = self.visit_body(plan, caregiver, **overrides)
        return await self._created("/v1/visits", body, self.admin(plan["provider_id"]))

    async def scene(self) -> Scene:
        """A provider with a caregiver, an enrolled beneficiary, an active plan and a scheduled visit."""
        provider, caregiver = await self.staffed_provider()
        beneficiary = await self.beneficiary()
        plan = await self.care_plan(provider["id"], beneficiary.beneficiary_id)
        visit = await self.visit(plan, caregiver)
        return Scene(provider, caregiver, beneficiary, plan, visit)

    async def check_in(self, scene: Scene, location: dict[str, float] = HOME, **kw: Any) -> httpx.Response:
        body = {"location": location, "accuracy_m": kw.pop("accuracy_m", 15)}
        headers = kw.pop("headers", None) or self.caregiver(scene.provider["id"], scene.caregiver["id"])
        if "photos" in kw:
            body["photos"] = kw.pop("photos")
        return await self.client.post(f"/v1/visits/{scene.visit['id']}/check-ins", json=body, headers=headers)

    async def check_out(self, scene: Scene, location: dict[str, float] = HOME, **kw: Any) -> httpx.Response:
        body = {
            "location": location,
            "record": {"notes": "上门探访，老人状态良好", "items_done": ["CS22"]},
            **kw,
        }
        headers = self.caregiver(scene.provider["id"], scene.caregiver["id"])
        return await self.client.post(
            f"/v1/visits/{scene.visit['id']}/check-outs", json=body, headers=headers
        )

    async def _created(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        response = await self.client.post(url, json=body, headers=headers)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data


@dataclass
class Scene:
    provider: dict[str, Any]
    caregiver: dict[str, Any]
    beneficiary: BeneficiaryEnrolled
    plan: dict[str, Any]
    visit: dict[str, Any]


@pytest.fixture
def world(client: httpx.AsyncClient, tokens: Tokens, deliver, make_enrolled) -> World:  # type: ignore[no-untyped-def]
    return World(client, tokens, deliver, make_enrolled)


@pytest.fixture
def idem_key() -> Callable[[], dict[str, str]]:
    return lambda: {"Idempotency-Key": f"test-{uuid.uuid4()}"}
