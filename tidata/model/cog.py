"""Past years of the code officiel géographique (COG): what a grouping held then, and where its communes are now.

ANCT publishes each phase's perimeters in the codes of their year (COG 2022 for 2019-2022, COG 2023 for
2023-2027), while the package speaks the referential's year (COG 2026). The vendored extracts of
`datasets/sources/cog/` (made by `scripts/deriver_perimetres.py --extraire-cog` from the published versions of
@etalab/decoupage-administratif, see datasets/sources/SOURCES.md) give:

    groupements_AAAA.csv  every EPCI and EPT of year AAAA with its member communes (codes of that year)
    communes_AAAA.csv     every commune of year AAAA with its SIREN (a single commune can be a grouping)
    passage_cog_2026.csv  how a code of an earlier year reaches COG 2026: « fusion » (the code is gone, its
                          commune merged into insee_com) or « rétablissement » (in year annee_cog the commune
                          code_origine held insee_com, which has become a commune again since)

`carry_forward` maps a commune list of year AAAA to COG 2026 and says why each code changed, so that the
derivation script and `build.py import` move codes the same way and report every move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..core.errors import DataError
from .load import csv_rows

FOLDER = Path("datasets") / "sources" / "cog"
MERGED, RESTORED = "fusion", "rétablissement"
COMMUNE = "COM"  # nature of a grouping that is a single commune (its SIREN is the commune's)


def department_of(insee: str) -> str:
    """The département code starts the INSEE code: 01…95, 2A, 2B, and three characters overseas (971…)."""
    return insee[:3] if insee[:2] in ("97", "98") else insee[:2]


@dataclass(frozen=True)
class Grouping:
    siren: str
    name: str
    nature: str
    communes: tuple[str, ...]


@dataclass(frozen=True)
class Move:
    """A code of year `year` that the package writes differently in COG 2026."""

    code: str
    year: int
    now: str
    reason: str  # MERGED or RESTORED


@dataclass
class CogYear:
    """The groupings and communes of one past COG year, read from the vendored extracts."""

    root: Path
    year: int

    def path(self, stem: str) -> Path:
        return self.root / FOLDER / f"{stem}_{self.year}.csv"

    @cached_property
    def communes(self) -> dict[str, dict]:
        """INSEE code → {insee_com, siren, lib_com} for the communes of that year."""
        return {row["insee_com"]: row for row in csv_rows(self.path("communes")).rows}

    @cached_property
    def groupings(self) -> dict[str, Grouping]:
        """SIREN → grouping: every EPCI and EPT of that year, and every commune as a grouping of one."""
        groupings = {
            row["siren"]: Grouping(row["siren"], row["lib_com"], COMMUNE, (row["insee_com"],))
            for row in self.communes.values() if row["siren"]
        }
        for row in csv_rows(self.path("groupements")).rows:
            groupings[row["siren_groupement"]] = Grouping(
                row["siren_groupement"], row["lib_groupement"], row["nature_groupement"], tuple(row["communes"].split())
            )
        return groupings

    def grouping(self, siren: str) -> Grouping:
        try:
            return self.groupings[siren]
        except KeyError:
            raise DataError(f"Le SIREN {siren} n'est ni un EPCI, ni un EPT, ni une commune du COG {self.year}.") from None


@dataclass
class CarryForward:
    """Moves codes of an earlier COG year to the referential's year (COG 2026)."""

    root: Path
    current: set[str]  # the referential's commune codes
    moves: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self.merged: dict[str, str] = {}
        self.restored: dict[tuple[int, str], list[str]] = {}
        for row in csv_rows(self.root / FOLDER / "passage_cog_2026.csv").rows:
            if row["motif"] == MERGED:
                self.merged[row["code_origine"]] = row["insee_com"]
            else:
                self.restored.setdefault((int(row["annee_cog"]), row["code_origine"]), []).append(row["insee_com"])

    def codes(self, code: str, year: int) -> list[tuple[str, Move | None]]:
        """The COG 2026 codes that commune `code` of year `year` became, each with the move that led there (None
        when unchanged). An empty list means the code is unknown to the referential and its history."""
        if code in self.current:
            now = [(code, None)]
        elif code in self.merged and self.merged[code] in self.current:
            now = [(self.merged[code], Move(code, year, self.merged[code], MERGED))]
        else:
            return []
        for restored in self.restored.get((year, code), []):
            if restored in self.current:
                now.append((restored, Move(code, year, restored, RESTORED)))
        return now
