"""Personal data at rest (PIPL): what the database holds is ciphertext and a blind index."""

from __future__ import annotations

from sqlalchemy import text

from eldercare.intake.adapters.persons import PersonRepository


class TestPersonsAtRest:
    async def test_no_personal_field_is_stored_in_clear(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        body = flow.body(
            1,
            agent={
                "name": "李四",
                "relation": "儿子",
                "phone": "13900001111",
                "id_number": "11010519491231002X",
            },
        )
        await flow.submit(body)
        async with sessions() as s:
            persons = (await s.execute(text("SELECT * FROM persons"))).mappings().all()
            applications = (await s.execute(text("SELECT * FROM applications"))).mappings().all()
        stored = " ".join(str(v) for r in [*persons, *applications] for v in r.values())
        a = body["applicant"]
        for plain in (
            a["id_number"],
            a["phone"],
            a["address"],
            a["name"],
            "13900001111",
            "11010519491231002X",
            "李四",
        ):
            assert plain not in stored
        assert all(
            persons[0][c].startswith("k1:")
            for c in ("id_number_sealed", "name_sealed", "phone_sealed", "address_sealed")
        )

    async def test_a_person_is_found_by_the_blind_index_of_the_number(self, flow, sessions, vault) -> None:  # type: ignore[no-untyped-def]
        body = flow.body(2)
        submitted = (await flow.submit(body)).json()
        async with sessions() as s:
            found = await PersonRepository(s, vault).get_by_id_number(body["applicant"]["id_number"])
        assert found is not None
        assert str(found.id) == submitted["applicant"]["person_id"]
        assert (found.name, found.phone) == (body["applicant"]["name"], body["applicant"]["phone"])
