"""Repositories: map the dispatch aggregates to and from their rows (``get``, ``add``, ``save``)."""
