import httpx


async def test_healthz_answers_without_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200


async def test_unknown_route_is_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_openapi_documents_every_route_with_its_response(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    expected = {
        ("/v1/audit-trail", "get", "200"),
        ("/v1/audit-trail/verification", "get", "200"),
        ("/v1/follow-ups", "get", "200"),
        ("/v1/follow-ups/{follow_up_id}", "get", "200"),
        ("/v1/follow-ups/{follow_up_id}/calls", "post", "201"),
        ("/v1/spot-checks", "get", "200"),
        ("/v1/spot-checks/{spot_check_id}", "get", "200"),
    }
    for path, method, status in expected:
        schema = paths[path][method]["responses"][status]["content"]["application/json"]["schema"]
        assert "$ref" in schema, (path, method)
