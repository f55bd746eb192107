"""GET /v1/service-items: the catalog, for any authenticated caller."""

from __future__ import annotations

import pytest


class TestServiceItems:
    @pytest.mark.parametrize(
        ("role", "claims"),
        [
            (
                "caregiver",
                {
                    "provider_id": "01a2076e-0000-7000-8000-000000000001",
                    "caregiver_id": "01a2076e-0000-7000-8000-000000000002",
                },
            ),
            ("auditor", {"region": "430102"}),
            ("city_platform", {}),
        ],
    )
    async def test_any_authenticated_role_reads_the_32_items(self, client, tokens, role, claims) -> None:  # type: ignore[no-untyped-def]
        response = await client.get("/v1/service-items", headers=tokens.headers(role, **claims))
        assert response.status_code == 200
        items = response.json()["items"]
        assert [i["code"] for i in items] == [f"CS{n:02d}" for n in range(1, 33)]

    async def test_an_item_carries_its_labels_flags_and_basis(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        items = (
            await client.get("/v1/service-items", headers=tokens.headers("auditor", region="4301"))
        ).json()["items"]
        cs20 = next(i for i in items if i["code"] == "CS20")
        assert (cs20["category"], cs20["category_label"], cs20["name_zh"]) == (
            "basic_nursing",
            "基础照护服务",
            "康复护理",
        )
        assert (
            cs20["requires_certified"],
            cs20["requires_food_licence"],
            cs20["requires_family_consent"],
        ) == (
            True,
            False,
            False,
        )
        assert {
            "source": "changsha-2024-purchased-door-to-door-rules.md",
            "article": "第九条",
            "item": "（八）",
        } in cs20["basis"]

    async def test_without_a_token_it_is_401(self, client) -> None:  # type: ignore[no-untyped-def]
        response = await client.get("/v1/service-items")
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
