"""The OSRM-style road-network matrix, against a small local HTTP server."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.routing.district import Job, Worker, plan_day
from eldercare.dispatch.routing.road import UNREACHABLE, MatrixUnavailable, OsrmTableTravel
from eldercare.dispatch.routing.settings import RoutingSettings
from eldercare.dispatch.routing.travel import HaversineTravel, TravelMode

H = 3600
ISLAND = Point(28.30, 113.10)  # a point no road reaches


def road_seconds(a: tuple[float, float], b: tuple[float, float]) -> float | None:
    """A Manhattan-ish road network: 100 s per 0.001° of lat plus lon, plus 0.5 s."""
    if ISLAND.lon in (a[0], b[0]):
        return None if a != b else 0.0
    return 0.0 if a == b else 1e5 * (abs(a[0] - b[0]) + abs(a[1] - b[1])) + 0.5


class Server:
    def __init__(self, answer: str = "Ok") -> None:
        self.requests: list[str] = []
        self.answer = answer

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                server.requests.append(url.path)
                _, _, profile, coords = url.path.split("/", 4)[1:]
                points = [tuple(float(v) for v in c.split(",")) for c in coords.split(";")]
                query = parse_qs(url.query)
                sources = [int(i) for i in query["sources"][0].split(";")]
                destinations = [int(i) for i in query["destinations"][0].split(";")]
                durations = [[road_seconds(points[i], points[j]) for j in destinations] for i in sources]
                body = {"code": server.answer, "durations": durations}
                if profile == "broken":
                    body = {"code": "Ok", "durations": [[1]]}
                data = json.dumps(body).encode()
                self.send_response(200 if server.answer == "Ok" else 400)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def osrm() -> Iterator[tuple[str, Server]]:
    state = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    httpd.shutdown()
    httpd.server_close()


POINTS = [Point(28.19 + 0.001 * k, 112.97 + 0.002 * (k % 3)) for k in range(7)]
PROFILES = {TravelMode.walk: "foot", TravelMode.e_bike: "bike"}


def expected(points: list[Point]) -> np.ndarray:
    return np.array(
        [
            [
                UNREACHABLE if (s := road_seconds((a.lon, a.lat), (b.lon, b.lat))) is None else math.ceil(s)
                for b in points
            ]
            for a in points
        ],
        dtype=np.int64,
    )


class TestOsrmTableTravel:
    def test_one_request_gives_the_whole_matrix_rounded_up(self, osrm: tuple[str, Server]) -> None:
        url, server = osrm
        m = OsrmTableTravel(url, PROFILES).seconds(POINTS, TravelMode.e_bike)
        assert m.dtype == np.int64 and (m == expected(POINTS)).all()
        assert len(server.requests) == 1 and server.requests[0].startswith("/table/v1/bike/")

    def test_a_large_matrix_is_asked_block_by_block(self, osrm: tuple[str, Server]) -> None:
        url, server = osrm
        m = OsrmTableTravel(url, PROFILES, block=4).seconds(POINTS, TravelMode.walk)
        assert (m == expected(POINTS)).all()
        assert len(server.requests) == 16  # 7 points in blocks of 2 sources x 2 destinations
        assert all("/foot/" in r and r.count(";") <= 3 for r in server.requests)

    def test_a_pair_without_a_route_is_unreachable_and_never_planned(self, osrm: tuple[str, Server]) -> None:
        url, _ = osrm
        travel = OsrmTableTravel(url, PROFILES)
        m = travel.seconds([POINTS[0], ISLAND], TravelMode.e_bike)
        assert m[0, 1] == UNREACHABLE and m[1, 1] == 0
        worker = Worker("w", POINTS[0], 8 * H, 17 * H, 5, certified=False)
        jobs = [
            Job("island", ISLAND, 8 * H, 17 * H, 1800, needs_certified=False),
            Job("town", POINTS[3], 8 * H, 17 * H, 1800, needs_certified=False),
        ]
        plan = plan_day([worker], jobs, travel, 0.5)
        assert plan.unassigned == ["island"] and plan.violations == []

    def test_a_failing_service_raises_matrix_unavailable(self, osrm: tuple[str, Server]) -> None:
        url, server = osrm
        server.answer = "TooBig"
        with pytest.raises(MatrixUnavailable):
            OsrmTableTravel(url, PROFILES).seconds(POINTS, TravelMode.walk)
        server.answer = "Ok"
        with pytest.raises(MatrixUnavailable, match=r"malformed|answered"):
            OsrmTableTravel(url, {TravelMode.walk: "broken"}).seconds(POINTS, TravelMode.walk)
        with pytest.raises(MatrixUnavailable):
            OsrmTableTravel("http://127.0.0.1:9", PROFILES, timeout_s=1).seconds(POINTS, TravelMode.walk)

    def test_the_setting_chooses_the_matrix(self, monkeypatch: pytest.MonkeyPatch) -> None:
        speeds = {TravelMode.walk: 1.2, TravelMode.e_bike: 4.2}
        monkeypatch.delenv("DISPATCH_ROAD_MATRIX_URL", raising=False)
        assert isinstance(RoutingSettings().travel(speeds), HaversineTravel)
        monkeypatch.setenv("DISPATCH_ROAD_MATRIX_URL", "http://osrm:5000")
        monkeypatch.setenv("DISPATCH_ROAD_MATRIX_PROFILES", '{"walk": "foot", "e_bike": "cycling"}')
        travel = RoutingSettings().travel(speeds)
        assert isinstance(travel, OsrmTableTravel)
        assert travel.profiles[TravelMode.e_bike] == "cycling"
