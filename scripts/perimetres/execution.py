"""The derivation's stages in order: read, expand and carry forward, check, write."""

from __future__ import annotations

import sys
from pathlib import Path

from tidata.core.errors import DataError
from tidata.core.project import Project
from tidata.model.cog import FOLDER, CarryForward, CogYear
from tidata.model.load import read_text_table
from tidata.model.perimeters import evolution_rows, filiation_rows

from . import anct, controle, derivation, extraits_cog, rapport, sortie
from .parametres import EXCEPTIONS, LIST_2020, PHASES, ROOT


def derive_all(out_root: Path | None = None, extract: bool = False) -> int:
    if extract:
        extraits_cog.write_extracts(sorted({phase.cog_year for phase in PHASES}))
    project = Project(ROOT)
    referential = {row["insee_com"]: row for row in read_text_table(project, project.resource("communes")).to_dict("records")}
    carry = CarryForward(ROOT, set(referential))
    try:
        phases = [derivation.derive_phase(p, anct.read_phase(p), CogYear(ROOT, p.cog_year), carry) for p in PHASES]
    except (derivation.DerivationError, DataError) as error:
        print(f"Dérivation impossible : {error}", file=sys.stderr)
        return 1
    perimeter = [r for d in phases for r in derivation.perimeter_rows(d, referential)]
    filiations = filiation_rows(perimeter, [p.name for p in PHASES])
    previous = phases[0]
    points = {insee: (float(r["longitude"]), float(r["latitude"])) for insee, r in referential.items()}
    checks = {d.phase.name: controle.agreements(d, points) for d in phases}
    comparison = controle.compare_with_2020(previous, anct.read_list_2020(), carry)
    rows = {
        "territoires": [r for d in phases for r in derivation.territory_rows(d, referential)],
        "territoires_groupements": [g for d in phases for g in d.groupings],
        "territoires_communes": perimeter,
        "territoires_filiations": filiations,
        "communes_evolution": evolution_rows(perimeter, [p.name for p in PHASES], referential),
    }
    sortie.write_resources(rows, out_root or ROOT)
    names = {insee: r["lib_com"] for insee, r in referential.items()}
    sources = [p.path for p in PHASES] + [LIST_2020] + sorted((ROOT / FOLDER).glob("*.csv"))
    rapport.write_report(phases, checks, comparison, filiations, names, sources, out_root or ROOT)
    print_summary(phases, checks, comparison)
    unexplained = [(name, a.id_ti) for name, found in checks.items() for a in found if a.below and (name, a.id_ti) not in EXCEPTIONS]
    if unexplained:
        print("Territoires sous le seuil sans explication : " + ", ".join(f"{i} ({p})" for p, i in unexplained), file=sys.stderr)
        return 1
    return 0


def print_summary(phases, checks, comparison) -> None:
    for d in phases:
        found = checks[d.phase.name]
        print(f"{d.phase.name} : {len(d.territories)} territoires, {len(d.groupings)} groupements, "
              f"{sum(len(c) for c in d.members.values())} communes (COG 2026), {len(d.moves)} codes portés ; "
              f"listées dans le contour ≥ {min(a.share_listed_inside for a in found):.1%}, "
              f"communes du contour listées ≥ {min(a.share_well_inside_listed for a in found):.1%}, "
              f"{sum(a.below for a in found)} sous le seuil")
    print(f"Liste de 2020 : accord {comparison.agreement:.1%} ({comparison.same} communes identiques)")
