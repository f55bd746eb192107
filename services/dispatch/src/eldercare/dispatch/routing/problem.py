"""A VRPTW instance and an independent feasibility checker.

The checker never trusts the solver: it replays every route from the instance's own double-precision
travel times (Solomon convention: service starts no later than the due date, the vehicle waits when
early, it is back at the depot by the depot's due date), sums loads and checks every customer is
served exactly once by at most ``fleet_size`` vehicles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Slack for comparing recomputed doubles with integer windows: the solver works on times rounded up,
# so a route it calls feasible is feasible here without any slack; this only absorbs float noise.
EPS = 1e-6


@dataclass(frozen=True)
class Node:
    id: int
    x: float
    y: float
    demand: int
    ready: float
    due: float
    service: float


@dataclass(frozen=True)
class Instance:
    """Node 0 of ``nodes`` is the depot; the others are customers."""

    name: str
    fleet_size: int
    capacity: int
    nodes: tuple[Node, ...]

    @property
    def depot(self) -> Node:
        return self.nodes[0]

    @property
    def customers(self) -> tuple[Node, ...]:
        return self.nodes[1:]

    def distance(self, a: int, b: int) -> float:
        """Euclidean, double precision, not rounded (the convention of the best-known tables)."""
        na, nb = self.nodes[a], self.nodes[b]
        return math.hypot(na.x - nb.x, na.y - nb.y)


@dataclass(frozen=True)
class Check:
    feasible: bool
    distance: float
    vehicles: int
    problems: tuple[str, ...] = field(default=())


def check(instance: Instance, routes: list[list[int]]) -> Check:
    """Recompute a solution given as customer ids per route (depot excluded at both ends)."""
    problems: list[str] = []
    used = [r for r in routes if r]
    if len(used) > instance.fleet_size:
        problems.append(f"{len(used)} routes for a fleet of {instance.fleet_size}")
    seen: dict[int, int] = {}
    total = 0.0
    depot = instance.depot
    ids = {n.id for n in instance.customers}
    for k, route in enumerate(used):
        t = depot.ready
        load = 0
        prev = 0
        for cid in route:
            if cid not in ids:
                problems.append(f"route {k}: {cid} is not a customer")
                continue
            seen[cid] = seen.get(cid, 0) + 1
            node = instance.nodes[cid]
            d = instance.distance(prev, cid)
            total += d
            start = max(t + d, node.ready)
            if start > node.due + EPS:
                problems.append(f"route {k}: customer {cid} starts at {start:.4f} after its due {node.due}")
            t = start + node.service
            load += node.demand
            prev = cid
        d = instance.distance(prev, 0)
        total += d
        if t + d > depot.due + EPS:
            problems.append(f"route {k}: back at the depot at {t + d:.4f} after {depot.due}")
        if load > instance.capacity:
            problems.append(f"route {k}: load {load} over the capacity {instance.capacity}")
    missing = sorted(ids - seen.keys())
    if missing:
        problems.append(f"{len(missing)} customers not served: {missing[:10]}")
    twice = sorted(c for c, n in seen.items() if n > 1)
    if twice:
        problems.append(f"customers served more than once: {twice[:10]}")
    return Check(feasible=not problems, distance=total, vehicles=len(used), problems=tuple(problems))
