"""Solve a VRPTW instance with PyVRP: distance is the objective, the fleet is the one given.

PyVRP works on integers, so travel is scaled by ``SCALE``: distances are rounded (the objective,
off by at most 0.5/SCALE per arc) and durations rounded *up*, so a route PyVRP accepts also
meets every window with the exact double-precision travel times. ``problem.check`` confirms it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from pyvrp import Model
from pyvrp.stop import MaxRuntime

from eldercare.dispatch.routing.problem import Check, Instance, check

SCALE = 10_000


@dataclass(frozen=True)
class Solved:
    routes: list[list[int]]
    check: Check
    seconds: float


def build_model(instance: Instance) -> Model:
    m = Model()
    depot_node = instance.depot
    locations = [m.add_location(n.x, n.y, name=str(n.id)) for n in instance.nodes]
    depot = m.add_depot(locations[0], tw_early=_t(depot_node.ready), tw_late=_t(depot_node.due), name="depot")
    m.add_vehicle_type(
        num_available=instance.fleet_size,
        capacity=instance.capacity,
        start_depot=depot,
        end_depot=depot,
        tw_early=_t(depot_node.ready),
        tw_late=_t(depot_node.due),
    )
    for node, loc in zip(instance.customers, locations[1:], strict=True):
        m.add_client(
            loc,
            delivery=node.demand,
            service_duration=_t(node.service),
            tw_early=_t(node.ready),
            tw_late=_t(node.due),
            name=str(node.id),
        )
    n = len(instance.nodes)
    for a in range(n):
        for b in range(n):
            d = instance.distance(a, b)
            m.add_edge(locations[a], locations[b], distance=round(d * SCALE), duration=math.ceil(d * SCALE))
    return m


def solve(instance: Instance, seconds: float, seed: int = 1) -> Solved:
    began = time.perf_counter()
    model = build_model(instance)
    result = model.solve(stop=MaxRuntime(seconds), seed=seed, display=False, collect_stats=False)
    client_ids = [node.id for node in instance.customers]
    routes = [
        # ScheduledActivity.idx of a client activity is its index among the clients.
        [client_ids[act.idx] for act in route.schedule() if act.is_client()]
        for route in result.best.routes()
    ]
    return Solved(routes=routes, check=check(instance, routes), seconds=time.perf_counter() - began)


def _t(value: float) -> int:
    return round(value * SCALE)
