"""Assessment service: GB/T 42195-2022 capability assessment.

26 items, 4 dimensions, 5 levels and the level adjustments; two assessors.
"""
