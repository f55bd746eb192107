"""Intake service: applications from the community, street preliminary review (初审), district
decision (审定), eligibility from clause-cited policy packs, and the beneficiary register."""
