"""How the map changed between two phases: what each territory became, and what changed for its communes.

Everything comes from two computed resources (tidata/model/perimeters.py): territoires_filiations (the pairs of
territories of consecutive phases that share communes, with the share of each) and communes_evolution (each
commune's two territories and its status). The kinds of change are computed from the shares, never typed in:

- a territory of the newer phase that took most (MOST, more than half) of the communes of one territory of the
  older phase « renouvelle » it; of several, it is a « fusion »; of none, it is « nouveau »;
- a territory of the older phase whose communes went in a sizeable part (SIZEABLE, a fifth or more) to two
  territories or more was « scindé »; if most of its communes are in no territory now, it « sort du programme ».
"""

from __future__ import annotations

from collections import Counter, defaultdict

from ..model.perimeters import ENTERED, KEPT, LEFT, MOVED
from ..model.views import Catalogue, territory_key

MOST, SIZEABLE = 50.0, 20.0
EVOLUTION = "communes_evolution"
STATUSES = [KEPT, MOVED, ENTERED, LEFT]  # in the order pages show them
STATUS_LABELS = {KEPT: "maintenue", MOVED: "changement de territoire", ENTERED: "entrée dans le programme en 2023",
                 LEFT: "sortie du programme en 2023"}
NEW, RENEWED, MERGED, SPLIT_FROM, SPLIT, OUT = "nouveau", "renouvelé", "fusion", "issu d'une scission", "scindé", "sorti du programme"
KIND_SENTENCES = {
    NEW: "Nouveau territoire : il ne reprend la plupart des communes d'aucun territoire de 2019-2022",
    RENEWED: "Territoire renouvelé d'une phase à l'autre : la plupart de ses communes sont passées de l'un à l'autre",
    MERGED: "Fusion : il reprend la plupart des communes de plusieurs territoires de 2019-2022",
    SPLIT_FROM: "Issu d'une scission : son territoire de 2019-2022 a été partagé entre plusieurs territoires",
    SPLIT: "Territoire scindé en 2023-2027 : ses communes sont allées dans plusieurs territoires",
    OUT: "Sorti du programme en 2023 : la plupart de ses communes ne sont dans aucun territoire de 2023-2027",
}


def newer_kind(cat: Catalogue, key: str) -> str:
    """What a territory of the newer phase is, from the share of each predecessor's communes it took."""
    main = [f for f in cat.predecessors.get(key, []) if float(f["part_precedent"]) > MOST]
    if not main:
        return NEW
    if len(main) > 1:
        return MERGED
    return SPLIT_FROM if older_kind(cat, territory_key(main[0], "phase_precedente", "id_ti_precedent")) == SPLIT else RENEWED


def older_kind(cat: Catalogue, key: str) -> str:
    """What became of a territory of the older phase: split, out of the programme, or carried on."""
    successors = cat.successors.get(key, [])
    if sum(1 for f in successors if float(f["part_precedent"]) >= SIZEABLE) > 1:
        return SPLIT
    if sum(float(f["part_precedent"]) for f in successors) < MOST:
        return OUT
    return RENEWED


def territory_changes(cat: Catalogue, key: str) -> dict:
    """For a territory page: its kind, and its communes that entered, came from another territory or left (the rows
    of communes_evolution that name it, as newer or older territory: its foreign keys to territoires)."""
    rows = cat.rows_of(EVOLUTION, key)
    if cat.territory_rows[key]["phase"] == cat.latest_phase:
        mine = [r for r in rows if territory_key(r) == key]
        return {
            "nature": newer_kind(cat, key),
            "entrees": by_name(r for r in mine if r["statut"] == ENTERED),
            "venues": by_name(r for r in mine if r["statut"] == MOVED),
            "parties": by_name(r for r in rows if territory_key(r) != key),
        }
    mine = [r for r in rows if territory_key(r, "phase_precedente", "id_ti_precedent") == key]
    return {
        "nature": older_kind(cat, key),
        "sorties": by_name(r for r in mine if r["statut"] == LEFT),
        "parties": by_name(r for r in mine if r["statut"] == MOVED),
        "restees": sum(1 for r in mine if r["statut"] == KEPT),
    }


def by_name(rows) -> list[dict]:
    return sorted(rows, key=lambda r: (r["lib_com"], r["insee_com"]))


def evolution_view(cat: Catalogue) -> dict:
    """The national page « De 2019-2022 à 2023-2027 »."""
    rows = cat.records[EVOLUTION]
    population = cat.populations
    totals = {status: {"communes": 0, "population": 0} for status in STATUSES}
    by_region: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        totals[row["statut"]]["communes"] += 1
        totals[row["statut"]]["population"] += population.get(row["insee_com"], 0)
        by_region[row["code_reg"]][row["statut"]] += 1
    newer = [k for k, t in cat.territory_rows.items() if t["phase"] == cat.latest_phase]
    older = [k for k, t in cat.territory_rows.items() if t["phase"] != cat.latest_phase]
    kinds = {key: newer_kind(cat, key) for key in newer}
    return {
        "statuts": STATUSES, "libelles": STATUS_LABELS, "totaux": totals,
        "par_region": sorted(((code, cat.regions.get(code, code), by_region[code]) for code in by_region), key=lambda r: r[1]),
        "nouveaux_territoires": sorted(({"key": k, "nature": kinds[k], "lib_ti": cat.territory_rows[k]["lib_ti"],
                                         "precedents": cat.predecessors.get(k, [])} for k in newer),
                                       key=lambda t: (t["lib_ti"], t["key"])),
        "types_territoires": Counter(kinds.values()),
        "anciens_territoires": sorted(({"key": k, "nature": older_kind(cat, k), "lib_ti": cat.territory_rows[k]["lib_ti"],
                                        "suivants": cat.successors.get(k, [])} for k in older
                                       if older_kind(cat, k) in (SPLIT, OUT)), key=lambda t: (t["lib_ti"], t["key"])),
    }
