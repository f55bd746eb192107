"""Billing service: price lists, monthly entitlement accounts, charges for verified visits, and monthly
settlements to providers."""
