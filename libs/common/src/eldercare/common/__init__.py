"""Shared schemas and infrastructure of the eldercare services.

Small named modules, not a framework: envelope, registry, contracts, outbox, relay, inbox,
consumer, kafka, db, uow, settings, auth, errors, idempotency, pagination, observability,
app (the FastAPI factory every service uses), worker, pii, id_numbers.
"""
