"""Vehicle routing with time windows: the core under the district-day scheduler and the bench.

PyVRP (``pyvrp`` on PyPI) does the search; this package owns the modelling (what a route may do),
the input readers and an independent checker that recomputes every route in double precision.
"""
