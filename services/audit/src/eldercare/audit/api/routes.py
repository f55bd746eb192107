"""HTTP routes of the audit service (thin: parse -> command -> handler -> response)."""

from __future__ import annotations

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
