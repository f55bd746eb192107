"""Solve a VRPTW instance with PyVRP: distance is the objective, the fleet is the one given.

PyVRP works on integers, so travel is scaled by ``SCALE``: distances are rounded (the objective,
off by at most 0.5/SCALE per arc) and durations rounded *up*, so a route PyVRP accepts also
meets every window with the exact double-precision travel times. ``problem.check`` confirms it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from pyvrp import Client, Depot, Location, ProblemData, VehicleType
from pyvrp import solve as pyvrp_solve
from pyvrp.stop import MaxRuntime

from eldercare.dispatch.routing.problem import Check, Instance, check

SCALE = 10_000


@dataclass(frozen=True)
class Solved:
    routes: list[list[int]]
    check: Check
    seconds: float


def build_data(instance: Instance) -> ProblemData:
    """The PyVRP data: one depot, one vehicle type of ``fleet_size`` vehicles, the customers."""
    depot = instance.depot
    xy = np.array([(n.x, n.y) for n in instance.nodes], dtype=float)
    exact = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    distances = np.rint(exact * SCALE).astype(np.int64)
    durations = np.ceil(exact * SCALE).astype(np.int64)
    return ProblemData(
        locations=[Location(x=n.x, y=n.y) for n in instance.nodes],
        clients=[
            Client(
                location=k + 1,
                delivery=[node.demand],
                service_duration=_t(node.service),
                tw_early=_t(node.ready),
                tw_late=_t(node.due),
                name=str(node.id),
            )
            for k, node in enumerate(instance.customers)
        ],
        depots=[Depot(location=0, tw_early=_t(depot.ready), tw_late=_t(depot.due))],
        vehicle_types=[
            VehicleType(
                num_available=instance.fleet_size,
                capacity=[instance.capacity],
                tw_early=_t(depot.ready),
                tw_late=_t(depot.due),
            )
        ],
        distance_matrices=[distances],
        duration_matrices=[durations],
    )


def solve(instance: Instance, seconds: float, seed: int = 1) -> Solved:
    began = time.perf_counter()
    result = pyvrp_solve(
        build_data(instance), stop=MaxRuntime(seconds), seed=seed, display=False, collect_stats=False
    )
    client_ids = [node.id for node in instance.customers]
    routes = [
        # ScheduledActivity.idx of a client activity is its index among the clients.
        [client_ids[act.idx] for act in route.schedule() if act.is_client()]
        for route in result.best.routes()
    ]
    return Solved(routes=routes, check=check(instance, routes), seconds=time.perf_counter() - began)


def _t(value: float) -> int:
    return round(value * SCALE)
