"""Dispatch service: providers, caregivers, care plans and agreements, visit scheduling, and the
caregiver phone API: check-in and check-out with location."""
