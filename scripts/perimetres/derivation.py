"""From ANCT's groupings to the package's rows: each grouping is expanded with the composition of its own COG
year, and each commune is carried forward to COG 2026 (tidata.model.cog). The filiations between phases come from
tidata.model.perimeters, which check and import use too."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tidata.model.cog import CarryForward, CogYear, Move
from tidata.model.perimeters import geography

from .anct import Territory
from .parametres import Phase


@dataclass
class Derived:
    """Everything one phase gives, before it is written."""

    phase: Phase
    territories: list[Territory]
    members: dict[str, set[str]] = field(default_factory=dict)  # id_ti → its COG 2026 communes
    groupings: list[dict] = field(default_factory=list)
    moves: list[tuple[str, Move]] = field(default_factory=list)  # (id_ti, move)
    expanded: int = 0  # communes in the codes of the phase's year, before carrying forward
    codes_of_year: dict[str, str] = field(default_factory=dict)  # code of the year → id_ti
    owner: dict[str, str] = field(default_factory=dict)  # COG 2026 code → id_ti
    partial_mergers: list[dict] = field(default_factory=list)


class DerivationError(Exception):
    """ANCT's files cannot be turned into a package: a SIREN or a code the COG does not know, a commune twice."""


def derive_phase(phase: Phase, territories: list[Territory], cog: CogYear, carry: CarryForward) -> Derived:
    derived = Derived(phase, territories)
    for territory in territories:
        derived.members[territory.id_ti] = set()
        for siren in territory.sirens:
            grouping = cog.grouping(siren)
            derived.groupings.append({
                "id_ti": territory.id_ti, "phase": phase.name, "siren_groupement": siren,
                "lib_groupement": grouping.name, "nature_groupement": grouping.nature,
                "nb_communes": str(len(grouping.communes)), "annee_cog": str(cog.year), "source": phase.source,
            })
            for code in grouping.communes:
                add_commune(derived, territory.id_ti, code, cog, carry)
    derived.partial_mergers = mergers_across_the_border(derived, cog, carry)
    return derived


def add_commune(derived: Derived, id_ti: str, code: str, cog: CogYear, carry: CarryForward) -> None:
    if code in derived.codes_of_year:
        raise DerivationError(f"{derived.phase.name} : la commune {code} est dans {derived.codes_of_year[code]} et dans {id_ti}.")
    derived.codes_of_year[code] = id_ti
    derived.expanded += 1
    now = carry.codes(code, cog.year)
    if not now:
        raise DerivationError(f"{derived.phase.name} : la commune {code} du COG {cog.year} ({id_ti}) est inconnue du COG 2026.")
    for insee, move in now:
        owner = derived.owner.setdefault(insee, id_ti)
        if owner != id_ti:
            raise DerivationError(f"{derived.phase.name} : la commune {insee} (COG 2026) viendrait de {owner} et de {id_ti}.")
        derived.members[id_ti].add(insee)
        if move:
            derived.moves.append((id_ti, move))


def mergers_across_the_border(derived: Derived, cog: CogYear, carry: CarryForward) -> list[dict]:
    """Communes nouvelles formed since the phase's year from communes inside and outside a perimeter: the new
    commune is in the territory, part of its area was not. Listed in the report."""
    parts: dict[str, list[str]] = defaultdict(list)
    for code in cog.communes:
        for insee, _ in carry.codes(code, cog.year):
            parts[insee].append(code)
    found = []
    for id_ti, communes in sorted(derived.members.items()):
        for insee in sorted(communes):
            outside = [code for code in parts.get(insee, []) if code not in derived.codes_of_year]
            if outside and len(parts[insee]) > 1:
                found.append({"id_ti": id_ti, "insee_com": insee, "dehors": outside,
                              "dedans": [c for c in parts[insee] if c in derived.codes_of_year]})
    return found


def territory_rows(derived: Derived, referential: dict[str, dict]) -> list[dict]:
    """One row per territory: ANCT's id and name, régions and départements computed from the communes, and every
    field that ANCT's files do not give left empty (« non publié » on the site)."""
    return [
        {"id_ti": t.id_ti, "lib_ti": t.lib_ti, "phase": derived.phase.name,
         **geography(derived.members[t.id_ti], referential), "source": derived.phase.source}
        for t in derived.territories
    ]


def perimeter_rows(derived: Derived, referential: dict[str, dict]) -> list[dict]:
    names = {t.id_ti: t.lib_ti for t in derived.territories}
    return [
        {"insee_com": insee, "lib_com": referential[insee]["lib_com"], "id_ti": id_ti, "lib_ti": names[id_ti],
         "phase": derived.phase.name, "source": derived.phase.source}
        for id_ti in sorted(derived.members) for insee in sorted(derived.members[id_ti])
    ]
