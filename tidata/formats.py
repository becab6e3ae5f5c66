"""French formats for numbers, amounts and dates (« 1 234 567 € », « 23 juin 2023 »)."""

from __future__ import annotations

import datetime as dt
import math

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]


def number(value, decimals: int = 0) -> str:
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


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
