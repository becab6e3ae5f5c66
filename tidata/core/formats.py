"""French formats for numbers, amounts and dates (« 1 234 567 € », « 23 juin 2023 »)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]


def number(value, decimals: int = 0) -> str:
    """« 1 234 567 », « 30,3 »: rounded half away from zero, as people round (2,5 → 3, never to the even 2)."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return "—"
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def measure(value, unit: str) -> str:
    """A measure as the data gives it, in French: « 30,3 ha », « 187 ha »; « — » when empty."""
    if value is None or value == "":
        return "—"
    decimals = len(str(value).partition(".")[2].rstrip("0"))
    return f"{number(value, decimals)}{NBSP}{unit}"


def euros(value) -> str:
    shown = number(value)
    return shown if shown == "—" else f"{shown}{NBSP}€"


def date(value) -> str:
    if value is None or value == "":
        return "—"
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def percent(value, decimals: int = 1) -> str:
    """« 87,5 % » (a narrow no-break space before the sign, as French typography wants)."""
    shown = number(value, decimals)
    return shown if shown == "—" else f"{shown}{NARROW_NBSP}%"
