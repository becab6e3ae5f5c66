#!/usr/bin/env python3
"""Génère des données d'exemple pour les tests et les bancs d'essai, jamais pour le paquet publié.

    python scripts/generer_exemples.py --sortie DOSSIER [--graine 2018] [--echelle 1]

Projects and per-territory envelopes are not public in usable form, so the published package has none. To
measure how the site behaves with them (bench/bench_croissance.py, bench/bench_apercu.py), this script copies
the package's CSV files into DOSSIER and adds generated projects and envelope shares to the real territories of
both phases: every generated row has `source = exemple` and an id with « -ex- ». When DOSSIER is the datasets/
of a project copy, the copy's datapackage.yaml is changed to declare those resources « exemple: true » (check
refuses example rows in a resource declared real, and the site then shows its example banner).
`--echelle N` makes N times as many projects and envelopes (amounts divided by N, so that territorial shares stay
within their national envelopes). Refuses to write into the repository's own datasets/: examples cannot be
published by mistake.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tidata.core.project import Project  # noqa: E402
from tidata.model.load import write_csv_rows  # noqa: E402

DATASETS = ROOT / "datasets"
EXAMPLE = "exemple"
PRIORITIES = ["compétences", "innovation", "foncier", "décarbonation", "attractivité"]
PROJECTS_PER_TERRITORY = 6

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


class Package:
    """The real package's territories, their communes (with population and EPCI) and the national envelopes."""

    def __init__(self, datasets: Path):
        self.territories = read_csv(datasets / "territoires.csv")
        communes = {c["insee_com"]: c for c in read_csv(datasets / "referentiel" / "communes.csv")}
        self.epci = {e["siren_epci"]: e for e in read_csv(datasets / "referentiel" / "epci.csv")}
        self.communes_of: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for row in read_csv(datasets / "territoires_communes.csv"):
            self.communes_of[(row["phase"], row["id_ti"])].append(communes[row["insee_com"]])
        self.national = [e for e in read_csv(datasets / "enveloppes.csv") if e["source"] != EXAMPLE]


def weighted_commune(rng: random.Random, communes: list[dict]) -> dict:
    weights = [int(c["population"] or 0) ** 0.7 + 1 for c in communes]
    return rng.choices(communes, weights)[0]


def make_projects(rng: random.Random, package: Package, scale: int) -> list[dict]:
    """About PROJECTS_PER_TERRITORY × scale projects per territory, in communes of its perimeter."""
    rows = []
    number = 0
    for territory in package.territories:
        phase = territory["phase"]
        start_year = 2019 if phase == "2019-2022" else 2024
        communes = package.communes_of[(phase, territory["id_ti"])]
        for _ in range(rng.randint(3, 2 * PROJECTS_PER_TERRITORY - 3) * scale):
            number += 1
            commune = weighted_commune(rng, communes)
            axis = rng.choice(PRIORITIES)
            cost = round(rng.lognormvariate(13.3, 1.2), -3)
            public = round(cost * rng.uniform(0.1, 0.8), -3)
            start = f"{start_year + rng.randint(0, 2)}-{rng.randint(1, 12):02d}-01"
            end = f"{int(start[:4]) + rng.randint(1, 4)}-{rng.randint(1, 12):02d}-{rng.choice(['15', '28'])}"
            epci = package.epci[commune["siren_epci"]]["lib_epci"] if commune["siren_epci"] else commune["lib_com"]
            owner = rng.choice(PROJECT_OWNERS).format(epci=epci, commune=commune["lib_com"], n=number)
            rows.append({
                "id_projet": f"prj-ex-{number:06d}",
                "id_ti": territory["id_ti"],
                "phase": phase,
                "titre": rng.choice(PROJECT_TITLES[axis]).format(commune=commune["lib_com"]),
                "resume": f"Projet d'exemple (non réel) de l'axe « {axis} », porté par {owner}.",
                "porteur": owner,
                "insee_com": commune["insee_com"],
                "axe": axis,
                "statut": project_status(rng, phase, start),
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


def make_envelopes(rng: random.Random, package: Package, scale: int) -> list[dict]:
    """Per-territory shares of the real national envelopes, within them: `scale` copies of each slot (territory,
    year, dispositif), each of its amount / `scale`."""
    rows = []
    parents = {(row["dispositif"], int(row["annee"])): row for row in package.national}
    for territory in package.territories:
        phase, identifier = territory["phase"], territory["id_ti"]
        years = range(2020, 2023) if phase == "2019-2022" else range(2024, 2027)
        for year in years:
            for dispositif, low, high, financer in (
                ("ingénierie et chef de projet", 20_000, 60_000, "ANCT"),
                ("investissements productifs", 100_000, 2_000_000, "Banque des Territoires"),
                ("compétences", 30_000, 300_000, "France Travail"),
            ):
                if dispositif != "ingénierie et chef de projet" and rng.random() < 0.5:
                    continue
                parent = parents.get(("ensemble du programme", year)) if dispositif != "investissements productifs" else None
                if phase == "2019-2022" and dispositif == "ingénierie et chef de projet":
                    # 7.5 M€ over 2020-2022 for 149 territories: about 17 k€ a year each
                    parent, low, high = parents.get(("ingénierie et chef de projet", 2022)), 5_000, 20_000
                for copy in range(scale):
                    suffix = f"-{copy + 1}" if scale > 1 else ""
                    rows.append({
                        "id_enveloppe": f"env-ex-{phase[:4]}-{identifier}-{year}-{slug_dispositif(dispositif)}{suffix}",
                        "libelle": f"{dispositif.capitalize()} {year} – {territory['lib_ti']} (exemple)",
                        "id_ti": identifier,
                        "phase": phase,
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sortie", type=Path, required=True, help="dossier où écrire le paquet d'exemple (pas datasets/)")
    parser.add_argument("--graine", type=int, default=2018, help="graine du tirage aléatoire (2018 par défaut)")
    parser.add_argument("--echelle", type=int, default=1, help="multiplie projets et enveloppes (banc d'essai)")
    args = parser.parse_args()
    out = args.sortie.resolve()
    if out == DATASETS.resolve():
        print("Refusé : les données d'exemple ne s'écrivent pas dans datasets/ (elles seraient publiées).", file=sys.stderr)
        return 2
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(DATASETS, out)
    rng = random.Random(args.graine)
    package = Package(DATASETS)
    project = Project(ROOT)
    outputs = {
        "projets": make_projects(rng, package, args.echelle),
        "enveloppes": package.national + make_envelopes(rng, package, args.echelle),
    }
    for name, rows in outputs.items():
        write_csv_rows(out / f"{name}.csv", rows, project.resource(name).field_names)
        print(f"{name}.csv : {len(rows)} lignes")
    declare_examples(out.parent / "datapackage.yaml", list(outputs))
    return 0


def declare_examples(datapackage: Path, names: list[str]) -> None:
    """In a project copy, the resources that now hold example rows are declared « exemple: true »."""
    from tidata.maintenance.package_writer import set_example_flag

    if datapackage.exists():
        text = datapackage.read_text(encoding="utf-8")
        for name in names:
            text = set_example_flag(text, name, True)
        datapackage.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
