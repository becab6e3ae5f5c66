"""The derivation checks itself: against ANCT's own outlines, with the referential's commune points, and against
the October 2020 commune list of 2019-2022."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import shapely

from tidata.model.cog import CarryForward

from .derivation import Derived
from .parametres import INSIDE_TOLERANCE, MIN_SHARE, WELL_INSIDE_MARGIN


@dataclass
class Agreement:
    """How one territory's commune list and ANCT's outline agree."""

    id_ti: str
    listed: int
    listed_inside: int
    well_inside: int
    well_inside_listed: int
    outside: list[str]  # listed communes whose point is outside the outline
    missing: list[str]  # communes well inside the outline but not listed

    @property
    def share_listed_inside(self) -> float:
        return self.listed_inside / self.listed if self.listed else 1.0

    @property
    def share_well_inside_listed(self) -> float:
        return self.well_inside_listed / self.well_inside if self.well_inside else 1.0

    @property
    def below(self) -> bool:
        return min(self.share_listed_inside, self.share_well_inside_listed) < MIN_SHARE


def agreements(derived: Derived, points: dict[str, tuple[float, float]]) -> list[Agreement]:
    codes = sorted(points)
    xy = np.array([points[c] for c in codes])
    found = []
    for territory in derived.territories:
        listed = derived.members[territory.id_ti]
        near, inner = territory.outline.buffer(INSIDE_TOLERANCE), territory.outline.buffer(-WELL_INSIDE_MARGIN)
        shapely.prepare(near)
        shapely.prepare(inner)
        inside = shapely.contains_xy(near, xy[:, 0], xy[:, 1])
        deep = shapely.contains_xy(inner, xy[:, 0], xy[:, 1]) if not inner.is_empty else np.zeros(len(codes), bool)
        outside = sorted(c for c, ok in zip(codes, inside) if c in listed and not ok)
        deep_codes = [c for c, ok in zip(codes, deep) if ok]
        missing = sorted(c for c in deep_codes if c not in listed)
        found.append(Agreement(territory.id_ti, len(listed), len(listed) - len(outside), len(deep_codes),
                               len(deep_codes) - len(missing), outside, missing))
    return found


@dataclass
class ListComparison:
    """The derived 2019-2022 perimeters against the October 2020 list, both in COG 2026 codes."""

    same: int
    other_territory: list[tuple[str, str, str]]  # (insee, derived id_ti, 2020 id_ti)
    only_derived: list[tuple[str, str]]
    only_2020: list[tuple[str, str]]
    unknown_2020: list[str]  # codes of the 2020 list that COG 2026 does not know

    @property
    def agreement(self) -> float:
        total = self.same + len(self.other_territory) + len(self.only_derived) + len(self.only_2020)
        return self.same / total if total else 1.0


def compare_with_2020(derived: Derived, list_2020: dict[str, str], carry: CarryForward) -> ListComparison:
    owner = {insee: id_ti for id_ti, codes in derived.members.items() for insee in codes}
    then: dict[str, str] = {}
    unknown = []
    for code, id_ti in sorted(list_2020.items()):
        now = carry.codes(code, 2020)
        if not now:
            unknown.append(code)
        for insee, _ in now:
            then.setdefault(insee, id_ti)
    same = sum(1 for insee, id_ti in then.items() if owner.get(insee) == id_ti)
    other = sorted((i, owner[i], t) for i, t in then.items() if i in owner and owner[i] != t)
    only_derived = sorted((i, t) for i, t in owner.items() if i not in then)
    only_2020 = sorted((i, t) for i, t in then.items() if i not in owner)
    return ListComparison(same, other, only_derived, only_2020, unknown)


def by_territory(pairs: list[tuple]) -> Counter:
    return Counter(pair[1] for pair in pairs)
