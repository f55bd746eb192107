"""Reader of the Solomon (1987) text format: a name line, VEHICLE NUMBER/CAPACITY, then one line per
node (number, x, y, demand, ready time, due date, service time); node 0 is the depot."""

from __future__ import annotations

from pathlib import Path

from eldercare.dispatch.routing.problem import Instance, Node


class SolomonFormatError(ValueError):
    pass


def parse_solomon(text: str, name: str | None = None) -> Instance:
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise SolomonFormatError("empty file")
    fleet = capacity = None
    nodes: list[Node] = []
    for i, line in enumerate(lines):
        parts = line.split()
        if line.upper().startswith("NUMBER") and i + 1 < len(lines):
            fleet, capacity = (int(v) for v in lines[i + 1].split()[:2])
        if len(parts) == 7 and all(_is_number(p) for p in parts):
            n, x, y, demand, ready, due, service = parts
            nodes.append(
                Node(int(n), float(x), float(y), int(float(demand)), float(ready), float(due), float(service))
            )
    if fleet is None or capacity is None:
        raise SolomonFormatError("no VEHICLE NUMBER / CAPACITY section")
    if not nodes or nodes[0].id != 0:
        raise SolomonFormatError("the first node must be the depot, number 0")
    if [n.id for n in nodes] != list(range(len(nodes))):
        raise SolomonFormatError("nodes must be numbered 0, 1, 2, ... in order")
    return Instance(name=name or lines[0], fleet_size=fleet, capacity=capacity, nodes=tuple(nodes))


def read_solomon(path: str | Path) -> Instance:
    p = Path(path)
    return parse_solomon(p.read_text(), name=None)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True
