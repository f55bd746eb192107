"""Vital signs at a health-monitoring visit (附件2 CS25): sealed at rest, read only with pii:read."""

from __future__ import annotations

import base64
import os

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from eldercare.common.testing.plugin import api_test_settings
from eldercare.dispatch.adapters.models import VisitRow
from eldercare.dispatch.settings import DispatchSettings

from .test_check_ins_and_outs import problem

VITALS = {"temperature_c": 36.6, "systolic_mmhg": 132, "diastolic_mmhg": 84, "pulse_bpm": 72}


def record(**vitals: object) -> dict[str, object]:
    return {"notes": "测血压", "items_done": ["CS22", "CS25"], "vital_signs": vitals or VITALS}


class TestWithoutKeys:
    async def test_vital_signs_are_503_naming_the_setting_and_the_visit_stays_open(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        response = await world.check_out(scene, record=record())
        assert response.status_code == 503
        assert "DISPATCH_PII_KEYS" in problem(response)["detail"]
        visit = (await world.client.get(f"/v1/visits/{scene.visit['id']}", headers=world.officer())).json()
        assert visit["status"] == "in_progress"


class TestWithKeys:
    @pytest.fixture
    def settings(self, database_url, tokens):  # type: ignore[no-untyped-def]
        key = base64.b64encode(os.urandom(32)).decode()
        return DispatchSettings(**api_test_settings(database_url, tokens), pii_keys=SecretStr(f"k1:{key}"))

    async def test_they_are_sealed_at_rest_and_read_back_with_pii_read(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        done = await world.check_out(scene, record=record())
        assert done.status_code == 201, done.text
        assert done.json()["record"]["vital_signs_recorded"] is True
        async with sessions() as s:
            sealed = (
                await s.scalars(select(VisitRow.vital_signs_sealed).where(VisitRow.id == done.json()["id"]))
            ).one()
        assert sealed is not None and sealed.startswith("k1:") and "132" not in sealed
        url = f"/v1/visits/{scene.visit['id']}/vital-signs"
        admin = world.admin(scene.provider["id"], scopes=["pii:read"])
        read = await world.client.get(url, headers=admin)
        assert read.status_code == 200, read.text
        assert {k: read.json()[k] for k in VITALS} == VITALS

    async def test_without_pii_read_it_is_403_and_another_tenant_404(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        await world.check_out(scene, record=record())
        url = f"/v1/visits/{scene.visit['id']}/vital-signs"
        assert (await world.client.get(url, headers=world.admin(scene.provider["id"]))).status_code == 403
        other = await world.provider()
        headers = world.admin(other["id"], scopes=["pii:read"])
        assert (await world.client.get(url, headers=headers)).status_code == 404

    async def test_vital_signs_without_cs25_or_out_of_range_are_422_naming_the_field(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        body = {"notes": "", "items_done": ["CS22"], "vital_signs": VITALS}
        response = await world.check_out(scene, record=body)
        assert response.status_code == 422
        assert [e["field"] for e in problem(response)["errors"]] == ["record.vital_signs"]
        response = await world.check_out(scene, record=record(temperature_c=3.66))
        assert [e["field"] for e in problem(response)["errors"]] == ["record.vital_signs.temperature_c"]
        visit = (await world.client.get(f"/v1/visits/{scene.visit['id']}", headers=world.officer())).json()
        assert visit["status"] == "in_progress"
