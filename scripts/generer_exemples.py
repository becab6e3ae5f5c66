#!/usr/bin/env python3
"""Génère les données d'exemple du paquet, de façon déterministe, sur le référentiel géographique réel.

    python scripts/generer_exemples.py [--graine 2018] [--echelle 1] [--territoires] [--sortie datasets]

What is not public in usable form (territory perimeters, projects, per-territory envelopes, most turnkey sites)
is generated here so that the site can be built and tested until maintainers load the official files. Every
generated row has `source = exemple` and every generated territory is named « Exemple – … » after its own EPCIs,
never after a real Territoire d'industrie: the commune finder must not give citizens a false answer.

Real rows already present (national envelopes of datasets/enveloppes.csv, sites imported by
scripts/importer_faits.py: every row whose source is not « exemple ») are kept as they are. `--echelle 10`
writes ten times more projects and envelopes (for the benchmarks) into another folder; the territories stay 332,
since the communes of France cannot hold ten times more disjoint perimeters of 1 to 4 EPCIs.

`--echelle N --territoires` (bench/bench_croissance.py) also multiplies the territories, as far as the geography
allows: every territory is then a single whole EPCI, up to N × 149 and N × 183 of them, at most one per EPCI and
phase (France has 1,255 EPCIs, so at N = 10 every EPCI is a territory in both phases, ≈ 7.6 × 332). Projects and
envelopes per territory are then scaled so that each phase still has about N times as many as by default, with
amounts divided by N so that territorial shares stay within their national envelopes.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import shutil
from collections import defaultdict
from pathlib import Path

import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
REFERENTIAL = ROOT / "datasets" / "referentiel"
EXAMPLE = "exemple"
PHASES = {"2019-2022": 149, "2023-2027": 183}
RENEWED = 125  # of the 183 territories of 2023-2027, how many prolong one of 2019-2022
EPCI_COUNT_WEIGHTS = {1: 5, 2: 10, 3: 25, 4: 60}  # ≈ 3.4 EPCI per territory, as the 630 EPCI of the 183 TI
PRIORITIES = ["compétences", "innovation", "foncier", "décarbonation", "attractivité"]
PROJECTS_PER_TERRITORY = {"2019-2022": 6, "2023-2027": 6}

PROJECT_TITLES = {
    "compétences": [
        "Campus des métiers de l'industrie de {commune}",
        "Plateforme de formation aux métiers de la maintenance à {commune}",
        "Parcours « découverte de l'industrie » pour les collégiens de {commune}",
        "Groupement d'employeurs industriels de {commune}",
        "Formation d'opérateurs de production en alternance à {commune}",
    ],
    "innovation": [
        "Démonstrateur industrie 4.0 & robotique à {commune}",
        "Centre d'essais pour les matériaux composites à {commune}",
        "Accélérateur de start-up industrielles de {commune}",
        "Programme de numérisation des PME sous-traitantes de {commune}",
    ],
    "foncier": [
        "Requalification de la friche industrielle de {commune}",
        "Extension de la zone d'activités de {commune}",
        "Densification de la zone industrielle de {commune} (zéro artificialisation nette)",
        "Acquisition et dépollution d'un ancien site industriel à {commune}",
    ],
    "décarbonation": [
        "Réseau de chaleur alimenté par la chaleur fatale industrielle à {commune}",
        "Écologie industrielle territoriale : mutualisation des flux à {commune}",
        "Production d'hydrogène bas carbone pour les industriels de {commune}",
        "Décarbonation des procédés d'une fonderie à {commune}",
    ],
    "attractivité": [
        "Logements pour les salariés et alternants de l'industrie à {commune}",
        "Maison de l'industrie et de l'emploi de {commune}",
        "Marque territoriale « Fabriqué à {commune} »",
        "Desserte en transport des zones industrielles de {commune}",
    ],
}
PROJECT_OWNERS = ["{epci}", "Commune de {commune}", "Entreprise d'exemple {n}", "Chambre de commerce et d'industrie (exemple)", "Association d'industriels (exemple)"]


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict], fieldnames: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def schema_fields(name: str) -> list[str]:
    import yaml

    with open(ROOT / "schemas" / f"{name}.yaml", encoding="utf-8") as f:
        return [field["name"] for field in yaml.safe_load(f)["fields"]]


class Referential:
    """The real communes and EPCIs, with EPCI neighbourhoods taken from the gap-free EPCI mosaic."""

    def __init__(self):
        self.communes = {c["insee_com"]: c for c in read_csv(REFERENTIAL / "communes.csv")}
        self.epci = {e["siren_epci"]: e for e in read_csv(REFERENTIAL / "epci.csv")}
        self.members = defaultdict(list)
        for commune in self.communes.values():
            if commune["siren_epci"]:
                self.members[commune["siren_epci"]].append(commune["insee_com"])
        self.neighbours = epci_neighbours(REFERENTIAL / "epci.geojson")

    def region(self, siren: str) -> str:
        return self.communes[self.members[siren][0]]["code_reg"]


def epci_neighbours(path: Path) -> dict[str, list[str]]:
    with open(path, encoding="utf-8") as f:
        features = json.load(f)["features"]
    sirens = [feature["properties"]["siren_epci"] for feature in features]
    geometries = [shape(feature["geometry"]) for feature in features]
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    neighbours = defaultdict(set)
    for i, j in zip(left, right):
        if i != j:
            neighbours[sirens[i]].add(sirens[j])
    return {siren: sorted(others) for siren, others in neighbours.items()}


def short_epci_name(name: str) -> str:
    name = re.sub(
        r"^(Communauté (de communes|d'agglomération|urbaine)|Métropole|CC|CA|CU)\s+(du |de la |de l'|des |de |d')?",
        "",
        name,
    )
    return name.strip() or name


def pick_size(rng: random.Random) -> int:
    sizes, weights = zip(*EPCI_COUNT_WEIGHTS.items())
    return rng.choices(sizes, weights)[0]


def grow_territory(rng: random.Random, ref: Referential, start: list[str], size: int, taken: set[str]) -> list[str]:
    """Start EPCIs and free neighbours of the same région, chosen at random, up to `size` EPCIs in one piece."""
    chosen = list(start)
    seed = start[0]
    while len(chosen) < size:
        frontier = sorted({n for s in chosen for n in ref.neighbours.get(s, []) if n not in taken and n not in chosen})
        frontier = [n for n in frontier if ref.region(n) == ref.region(seed)] or frontier
        if not frontier:
            break
        chosen.append(rng.choice(frontier))
    return chosen


def eligible_seeds(ref: Referential) -> list[str]:
    """Industrial territories are mostly small and mid-sized towns: metropolises and urban communities are left out."""
    return sorted(s for s, e in ref.epci.items() if e["type_epci"] in ("CC", "CA") and ref.members[s])


def draw_perimeters(rng: random.Random, ref: Referential, count: int, taken: set[str]) -> list[list[str]]:
    seeds = eligible_seeds(ref)
    rng.shuffle(seeds)
    perimeters = []
    for seed in seeds:
        if len(perimeters) == count:
            break
        if seed in taken:
            continue
        perimeter = grow_territory(rng, ref, [seed], pick_size(rng), taken)
        taken.update(perimeter)
        perimeters.append(perimeter)
    return perimeters


def renew(rng: random.Random, ref: Referential, perimeter: list[str], taken: set[str]) -> list[str]:
    """A renewed territory keeps most of its EPCIs; sometimes it gains a neighbour or loses one."""
    kept = list(perimeter)
    taken.difference_update(kept)
    roll = rng.random()
    if roll < 0.15 and len(kept) > 1:
        kept.pop(rng.randrange(1, len(kept)))
    elif roll < 0.35 and len(kept) < 4:
        kept = grow_territory(rng, ref, kept, len(kept) + 1, taken)
    taken.update(kept)
    return kept


def territory_row(ref: Referential, identifier: str, phase: str, perimeter: list[str], number: int, previous: str, rng) -> dict:
    communes = [ref.communes[c] for s in perimeter for c in ref.members[s]]
    by_population = sorted(perimeter, key=lambda s: -int(ref.epci[s]["population"] or 0))
    names = [short_epci_name(ref.epci[s]["lib_epci"]) for s in by_population[:2]]
    main_epci = ref.epci[by_population[0]]["lib_epci"]
    priorities = sorted(rng.sample(PRIORITIES, rng.randint(2, 3)), key=PRIORITIES.index)
    date = "2019-03-05" if phase == "2019-2022" else "2023-11-09"
    return {
        "id_ti": identifier,
        "lib_ti": "Exemple – " + " – ".join(names),
        "phase": phase,
        "codes_reg": " ".join(sorted({c["code_reg"] for c in communes})),
        "codes_dep": " ".join(sorted({c["code_dep"] for c in communes})),
        "type_labellisation": "renouvelé" if previous else "nouveau",
        "id_ti_precedent": previous,
        "date_labellisation": date,
        "elu_nom": "Élu référent (exemple)",
        "elu_fonction": f"Président ou présidente de {main_epci}",
        "industriel_nom": "Industriel référent (exemple)",
        "industriel_fonction": "Dirigeant ou dirigeante",
        "industriel_entreprise": f"Entreprise d'exemple {number}",
        "chef_projet_courriel": "",
        "priorites": ";".join(priorities),
        "description": (
            f"Territoire d'exemple généré à partir de {len(perimeter)} EPCI réels ({', '.join(names)}"
            f"{'…' if len(perimeter) > 2 else ''}) : son périmètre, son binôme et ses projets ne sont pas officiels."
        ),
        "exception_perimetre": "",
        "source": EXAMPLE,
    }


def make_many_territories(rng: random.Random, ref: Referential, scale: int) -> tuple[list[dict], dict[str, list[str]]]:
    """Single-EPCI territories, `scale` times as many per phase as by default, as far as the EPCIs of France allow.

    Of the 2023-2027 territories, the default share (RENEWED of 183) prolongs a 2019-2022 territory on the same EPCI.
    """
    every_epci = sorted(s for s in ref.epci if ref.members[s])
    counts = {phase: min(count * scale, len(every_epci)) for phase, count in PHASES.items()}
    rows, perimeters = [], {}
    for number, siren in enumerate(rng.sample(every_epci, counts["2019-2022"]), start=1):
        identifier = f"ti-ex-{10000 + number}"
        rows.append(territory_row(ref, identifier, "2019-2022", [siren], 10000 + number, "", rng))
        perimeters[identifier] = [siren]
    renewed = min(round(counts["2023-2027"] * RENEWED / PHASES["2023-2027"]), len(perimeters))
    renewed_ids = sorted(rng.sample(sorted(perimeters), renewed))
    taken = {perimeters[identifier][0] for identifier in renewed_ids}
    fresh = rng.sample([s for s in every_epci if s not in taken], counts["2023-2027"] - renewed)
    second = [(previous, perimeters[previous]) for previous in renewed_ids] + [("", [siren]) for siren in fresh]
    for number, (previous, perimeter) in enumerate(second, start=1):
        identifier = f"ti-ex-{20000 + number}"
        rows.append(territory_row(ref, identifier, "2023-2027", perimeter, 20000 + number, previous, rng))
        perimeters[identifier] = perimeter
    return rows, perimeters


def per_territory_scale(territories: list[dict], scale: int, more_territories: bool) -> dict[str, float]:
    """How many times the default number of projects and envelopes each territory gets, per phase.

    By default `scale`; with more territories, `scale` × the default count of territories / the actual count, so
    that each phase has about `scale` times the default number of projects and envelopes in all.
    """
    if not more_territories:
        return {phase: scale for phase in PHASES}
    actual = {phase: sum(1 for t in territories if t["phase"] == phase) for phase in PHASES}
    return {phase: scale * PHASES[phase] / actual[phase] for phase in PHASES}


class Copies:
    """Copies per envelope slot: `factor` on average per phase, spread evenly (always `factor` if it is whole)."""

    def __init__(self, factors: dict[str, float]):
        self.factors = factors
        self.carry = {phase: 0.0 for phase in factors}

    def next(self, phase: str) -> int:
        self.carry[phase] += self.factors[phase]
        count = int(self.carry[phase] + 1e-9)
        self.carry[phase] -= count
        return count


def make_territories(rng: random.Random, ref: Referential) -> tuple[list[dict], dict[str, list[str]]]:
    """149 territories for 2019-2022, then 183 for 2023-2027 of which RENEWED prolong one of the first phase."""
    rows, perimeters = [], {}
    first = draw_perimeters(rng, ref, PHASES["2019-2022"], set())
    for number, perimeter in enumerate(first, start=1):
        identifier = f"ti-ex-{1000 + number}"
        rows.append(territory_row(ref, identifier, "2019-2022", perimeter, number, "", rng))
        perimeters[identifier] = perimeter
    renewed_ids = sorted(rng.sample(sorted(perimeters), RENEWED))
    taken = {siren for identifier in renewed_ids for siren in perimeters[identifier]}  # reserved for their renewal
    second = [(previous, renew(rng, ref, perimeters[previous], taken)) for previous in renewed_ids]
    second += [("", p) for p in draw_perimeters(rng, ref, PHASES["2023-2027"] - RENEWED, taken)]
    for number, (previous, perimeter) in enumerate(second, start=1):
        identifier = f"ti-ex-{2000 + number}"
        rows.append(territory_row(ref, identifier, "2023-2027", perimeter, 200 + number, previous, rng))
        perimeters[identifier] = perimeter
    return rows, perimeters


def perimeter_rows(ref: Referential, territories: list[dict], perimeters: dict[str, list[str]]) -> list[dict]:
    rows = []
    for territory in territories:
        for siren in perimeters[territory["id_ti"]]:
            for insee in ref.members[siren]:
                rows.append({
                    "insee_com": insee,
                    "lib_com": ref.communes[insee]["lib_com"],
                    "id_ti": territory["id_ti"],
                    "lib_ti": territory["lib_ti"],
                    "source": EXAMPLE,
                })
    return sorted(rows, key=lambda r: (r["id_ti"], r["insee_com"]))


def weighted_commune(rng: random.Random, ref: Referential, perimeter: list[str]) -> dict:
    communes = [ref.communes[c] for s in perimeter for c in ref.members[s]]
    weights = [int(c["population"] or 0) ** 0.7 + 1 for c in communes]
    return rng.choices(communes, weights)[0]


def make_projects(rng: random.Random, ref: Referential, territories: list[dict], perimeters: dict, factors: dict) -> list[dict]:
    """`factors`: per phase, how many times the default number of projects each territory gets."""
    rows = []
    number = 0
    for territory in territories:
        phase = territory["phase"]
        start_year = 2019 if phase == "2019-2022" else 2024
        for _ in range(round(rng.randint(3, 2 * PROJECTS_PER_TERRITORY[phase] - 3) * factors[phase])):
            number += 1
            perimeter = perimeters[territory["id_ti"]]
            commune = weighted_commune(rng, ref, perimeter)
            axis = rng.choice(sorted(territory["priorites"].split(";")) + PRIORITIES)
            cost = round(rng.lognormvariate(13.3, 1.2), -3)
            public = round(cost * rng.uniform(0.1, 0.8), -3)
            start = f"{start_year + rng.randint(0, 2)}-{rng.randint(1, 12):02d}-01"
            end = f"{int(start[:4]) + rng.randint(1, 4)}-{rng.randint(1, 12):02d}-{rng.choice(['15', '28'])}"
            epci = ref.epci[commune["siren_epci"]]["lib_epci"] if commune["siren_epci"] else commune["lib_com"]
            owner = rng.choice(PROJECT_OWNERS).format(epci=epci, commune=commune["lib_com"], n=number)
            title = rng.choice(PROJECT_TITLES[axis]).format(commune=commune["lib_com"])
            status = project_status(rng, phase, start)
            rows.append({
                "id_projet": f"prj-ex-{number:05d}",
                "id_ti": territory["id_ti"],
                "titre": title,
                "resume": f"Projet d'exemple (non réel) de l'axe « {axis} », porté par {owner}.",
                "porteur": owner,
                "insee_com": commune["insee_com"],
                "axe": axis,
                "statut": status,
                "cout_total_eur": f"{cost:.0f}",
                "financement_public_eur": f"{public:.0f}",
                "date_debut": start,
                "date_fin": end,
                "source": EXAMPLE,
            })
    return rows


def project_status(rng: random.Random, phase: str, start: str) -> str:
    if phase == "2019-2022":
        return rng.choices(["terminé", "en cours", "abandonné"], [70, 20, 10])[0]
    if start >= "2026":
        return rng.choices(["à l'étude", "en cours"], [70, 30])[0]
    return rng.choices(["à l'étude", "en cours", "terminé", "abandonné"], [20, 55, 20, 5])[0]


def make_envelopes(rng: random.Random, territories: list[dict], national: list[dict], scale: int, factors: dict) -> list[dict]:
    """Per-territory shares of the real national envelopes, within them, plus territory-only example envelopes.

    Each slot (territory, year, dispositif) has `factors[phase]` copies on average, each of its amount / `scale`.
    """
    copies = Copies(factors)
    rows = list(national)
    parents = {(row["dispositif"], int(row["annee"])): row for row in national}
    for territory in territories:
        identifier = territory["id_ti"]
        years = range(2020, 2023) if territory["phase"] == "2019-2022" else range(2024, 2027)
        for year in years:
            for dispositif, low, high, financer in (
                ("ingénierie et chef de projet", 20_000, 60_000, "ANCT"),
                ("investissements productifs", 100_000, 2_000_000, "Banque des Territoires"),
                ("compétences", 30_000, 300_000, "France Travail"),
            ):
                if dispositif != "ingénierie et chef de projet" and rng.random() < 0.5:
                    continue
                parent = parents.get(("ensemble du programme", year)) if dispositif != "investissements productifs" else None
                if territory["phase"] == "2019-2022" and dispositif == "ingénierie et chef de projet":
                    # 7.5 M€ over 2020-2022 for 149 territories: about 17 k€ a year each
                    parent, low, high = parents.get(("ingénierie et chef de projet", 2022)), 5_000, 20_000
                for copy in range(copies.next(territory["phase"])):
                    suffix = f"-{copy + 1}" if scale > 1 else ""
                    rows.append({
                        "id_enveloppe": f"env-{identifier}-{year}-{slug_dispositif(dispositif)}{suffix}",
                        "libelle": f"{dispositif.capitalize()} {year} – {territory['lib_ti']}",
                        "id_ti": identifier,
                        "dispositif": dispositif,
                        "financeur": financer,
                        "annee": str(year),
                        "montant_eur": f"{round(rng.uniform(low, high) / scale, -2):.0f}",
                        "statut": envelope_status(rng, year),
                        "id_enveloppe_parent": parent["id_enveloppe"] if parent else "",
                        "source": EXAMPLE,
                    })
    return rows


def slug_dispositif(dispositif: str) -> str:
    return {"ingénierie et chef de projet": "ingenierie", "investissements productifs": "investissements", "compétences": "competences"}[dispositif]


def envelope_status(rng: random.Random, year: int) -> str:
    if year <= 2022:
        return "versé"
    if year == 2024:
        return rng.choices(["versé", "engagé"], [60, 40])[0]
    if year == 2025:
        return rng.choices(["engagé", "versé", "prévu"], [60, 20, 20])[0]
    return "prévu"


def make_sites(rng: random.Random, ref: Referential, territories: list[dict], perimeters: dict, real_sites: list[dict], total: int) -> list[dict]:
    """Example sites up to `total`, mostly in 2023-2027 territories, with the territory that holds their commune."""
    current = [t for t in territories if t["phase"] == "2023-2027"]
    holder = {c: t["id_ti"] for t in current for s in perimeters[t["id_ti"]] for c in ref.members[s]}
    rows = []
    for number in range(1, total - len(real_sites) + 1):
        territory = rng.choice(current)
        commune = weighted_commune(rng, ref, perimeters[territory["id_ti"]])
        rows.append({
            "id_site": f"scem-ex-{number:02d}",
            "nom": f"Site d'exemple n° {number} de {commune['lib_com']}",
            "insee_com": commune["insee_com"],
            "lib_com": commune["lib_com"],
            "surface_ha": f"{rng.choice([rng.uniform(3, 40), rng.uniform(20, 120), rng.uniform(50, 340)]):.1f}",
            "maturite": rng.choices(["2025-2027", "2027-2030"], [18, 32])[0],
            "friche": rng.choice(["oui", "non"]),
            "type_porteur": rng.choices(["collectivité", "privé", "autre"], [28, 11, 16])[0],
            "latitude": commune["latitude"],
            "longitude": commune["longitude"],
            "precision": "commune",
            "id_ti": holder.get(commune["insee_com"], ""),
            "remarque": "",
            "source": EXAMPLE,
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graine", type=int, default=2018, help="graine du tirage aléatoire (2018 par défaut)")
    parser.add_argument("--echelle", type=int, default=1, help="multiplie projets et enveloppes (banc d'essai)")
    parser.add_argument("--territoires", action="store_true",
                        help="l'échelle multiplie aussi les territoires, autant que la géographie le permet (un EPCI chacun)")
    parser.add_argument("--sortie", type=Path, default=ROOT / "datasets", help="dossier où écrire les CSV")
    args = parser.parse_args()
    rng = random.Random(args.graine)
    ref = Referential()
    source = ROOT / "datasets"
    out = args.sortie.resolve()
    out.mkdir(parents=True, exist_ok=True)

    if args.territoires:
        territories, perimeters = make_many_territories(rng, ref, args.echelle)
    else:
        territories, perimeters = make_territories(rng, ref)
    factors = per_territory_scale(territories, args.echelle, args.territoires)
    national = [e for e in read_csv(source / "enveloppes.csv") if e["source"] != EXAMPLE]
    real_sites = [s for s in read_csv(source / "sites_cles_en_main.csv") if s["source"] != EXAMPLE]
    outputs = {
        "territoires": territories,
        "territoires_communes": perimeter_rows(ref, territories, perimeters),
        "projets": make_projects(rng, ref, territories, perimeters, factors),
        "enveloppes": make_envelopes(rng, territories, national, args.echelle, factors),
        "sites_cles_en_main": real_sites + make_sites(rng, ref, territories, perimeters, real_sites, 55),
    }
    for name, rows in outputs.items():
        write_csv(out / f"{name}.csv", rows, schema_fields(name))
        print(f"{name}.csv : {len(rows)} lignes")
    if out != source:
        for name in ("chiffres_cles.csv",):
            shutil.copy(source / name, out / name)


if __name__ == "__main__":
    main()
