#!/usr/bin/env python3
"""Dérive la ressource fonds_vert des fichiers du ministère copiés dans datasets/sources/fonds_vert/ (un par année).

    python scripts/deriver_fonds_vert.py                  # écrit datasets/fonds_vert.csv et son rapport
    python scripts/deriver_fonds_vert.py --sortie DOSSIER # les écrit sous DOSSIER (DOSSIER/datasets/…), pour comparer

Every grant of each year's file (fonds_vert_AAAA.csv; add a year by copying its file there, its address in
SOURCE_URLS and its published totals in datapackage.yaml) is kept, in its order (id « fv2023-00001 »…), with its values as published except what
is cleaned and said: whitespace (tabs inside four project names) made plain spaces; numbers written as decimals
(« 403202179.0 ») brought back to their digits, and non-numbers (« # ») left empty; the commune code carried forward
to the referential's COG (communes nouvelles, as for the perimeters: tidata/model/cog.py; an arrondissement of Paris,
Lyon or Marseille is placed in its city), left empty when the source
gives « NULL » or a code that no COG knows (counted and listed in datasets/RAPPORT_FONDS_VERT.md); the kind of
beneficiary read from its SIREN; the 2023-2027 territory whose perimeter holds the project's commune (phase, id_ti).
A grant is attached once, by the commune of its project, whoever receives it: nothing is counted twice.
Deterministic: the same sources give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tidata.core.project import Project  # noqa: E402
from tidata.model.cog import FOLDER, CarryForward  # noqa: E402
from tidata.model.load import csv_rows, write_csv_rows  # noqa: E402

SOURCES = ROOT / "datasets" / "sources" / "fonds_vert"  # one file per year: fonds_vert_AAAA.csv
SOURCE_URLS = {  # where each year's file comes from (the « source » of its rows)
    2023: "https://github.com/brunocpu/fonds-vert-paca-carto/blob/7cc154a/data/fonds_vert_2023_source.csv",
}
COG_YEAR, PHASE = 2023, "2023-2027"  # the COG of the grants' commune codes; the phase whose territories hold them
REPORT = Path("datasets") / "RAPPORT_FONDS_VERT.md"
SPACES = re.compile(r"\s+")
MISSING = "NULL"
# Paris, Lyon and Marseille are communes divided into arrondissements municipaux, which have codes of their own
# (75101-75120, 69381-69389, 13201-13216) but are not communes of the COG: a grant placed in one is placed in its city.
ARRONDISSEMENTS = {"751": "75056", "6938": "69123", "132": "13055"}


def city_of(code: str) -> str:
    """The commune of an arrondissement municipal code, or the code itself."""
    return next((city for prefix, city in ARRONDISSEMENTS.items() if code.startswith(prefix) and code != city), code)


def digits(text: str, cleaned: Counter, what: str) -> str:
    """A number the source writes as text: « 403202179.0 » (a spreadsheet's float) is 403202179; anything that is
    not digits (« # », « Non Renseigné ») is left empty. Each repair is counted for the report."""
    if text.isdigit():
        return text
    if re.fullmatch(r"[0-9]+\.0", text):
        cleaned[f"{what} écrits comme des nombres décimaux (« 403202179.0 »), ramenés à leurs chiffres"] += 1
        return text[:-2]
    cleaned[f"{what} sans chiffres (« {text} »), laissés vides"] += 1
    return ""


def plain(text: str) -> str:
    """Control characters and runs of whitespace as single spaces (a tab inside a name would break a page)."""
    return SPACES.sub(" ", "".join(" " if ord(c) < 32 or 0x7F <= ord(c) < 0xA0 else c for c in text)).strip()


class Beneficiaries:
    """The kind of a beneficiary, from its SIREN (the first nine digits of a SIRET)."""

    def __init__(self):
        self.epci = {row["siren_epci"] for row in csv_rows(ROOT / "datasets" / "referentiel" / "epci.csv").rows}
        self.epci |= {row["siren_groupement"] for row in csv_rows(ROOT / FOLDER / f"groupements_{COG_YEAR}.csv").rows}
        self.communes = {row["siren"] for row in csv_rows(ROOT / FOLDER / f"communes_{COG_YEAR}.csv").rows if row["siren"]}

    def kind(self, siren: str) -> str:
        siren = siren[:9]
        if len(siren) < 9 or not siren.isdigit():
            return "non renseigné"
        if siren in self.communes:
            return "commune"
        if siren in self.epci:
            return "EPCI"
        return {"22": "département", "23": "région", "25": "syndicat"}.get(siren[:2], "autre")


def read_year(path: Path, year: int, carry: CarryForward, territory_of: dict, beneficiaries: Beneficiaries,
              moved: list, unknown: list, cleaned: Counter) -> list[dict]:
    """The grants of one year's file, in its order, cleaned and placed (what is changed is counted for the report)."""
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for number, grant in enumerate(csv.DictReader(f), start=1):
            given = "" if grant["code_commune"] == MISSING else grant["code_commune"]
            now = carry.codes(city_of(given), COG_YEAR) if given else []
            insee = now[0][0] if now else ""
            if given and not now:
                unknown.append((f"{year}, ligne {number}", given, grant["nom_commune"]))
            elif now and (now[0][1] or insee != given):
                moved.append((f"{year}, ligne {number}", given, insee))
            id_ti = territory_of.get(insee, "")
            rows.append({
                "id_subvention": f"fv{year}-{number:05d}", "annee": str(year), "axe": grant["axe"],
                "mesure": plain(grant["nom_demarche_ds"]), "numero_demarche": grant["numero_demarche_ds"],
                "numero_dossier": digits(grant["numero_dossier_ds"], cleaned, "numéros de dossier"),
                "projet": plain(grant["nom_du_projet"]), "beneficiaire": plain(grant["nom_beneficiaire_principal"]),
                "siren_beneficiaire": (siren := digits(grant["siren"], cleaned, "SIREN")),
                "type_beneficiaire": beneficiaries.kind(siren), "insee_com_source": given,
                "lib_com_source": "" if grant["nom_commune"] == MISSING else plain(grant["nom_commune"]),
                "insee_com": insee, "code_dep": grant["code_departement"], "montant_eur": grant["montant_engage"],
                "id_ti": id_ti, "phase": PHASE if id_ti else "", "source": SOURCE_URLS[year],
            })
    return rows


def derive(out_root: Path) -> int:
    project = Project(ROOT)
    communes = {row["insee_com"] for row in csv_rows(ROOT / "datasets" / "referentiel" / "communes.csv").rows}
    carry = CarryForward(ROOT, communes)
    territory_of = {row["insee_com"]: row["id_ti"] for row in csv_rows(ROOT / "datasets" / "territoires_communes.csv").rows
                    if row["phase"] == PHASE}
    beneficiaries = Beneficiaries()
    rows, moved, unknown, cleaned = [], [], [], Counter()
    for path in sorted(SOURCES.glob("fonds_vert_*.csv")):
        year = int(path.stem.rsplit("_", 1)[1])
        rows += read_year(path, year, carry, territory_of, beneficiaries, moved, unknown, cleaned)
    resource = project.resource("fonds_vert")
    target = out_root / resource.path
    target.parent.mkdir(parents=True, exist_ok=True)
    write_csv_rows(target, rows, resource.field_names)
    (out_root / REPORT).write_text(report(rows, moved, unknown, cleaned), encoding="utf-8")
    print(f"{resource.path} : {len(rows)} subventions, {total(rows) / 1e6:,.2f} M€ ; sans commune : "
          f"{sum(1 for r in rows if not r['insee_com_source'])}, commune inconnue : {len(unknown)}, codes portés : {len(moved)}")
    return 0


def total(rows: list[dict]) -> float:
    return sum(float(r["montant_eur"]) for r in rows)


def euros(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f") + " €"


def report(rows: list[dict], moved: list, unknown: list, cleaned: Counter) -> str:
    attached = [r for r in rows if r["id_ti"]]
    outside = [r for r in rows if r["insee_com"] and not r["id_ti"]]
    loose = [r for r in rows if not r["insee_com"]]
    kinds = Counter(r["type_beneficiaire"] for r in rows)
    lines = [
        "# Fonds vert : dérivation",
        "",
        "Rapport écrit par `scripts/deriver_fonds_vert.py` à partir des exports du ministère (data.gouv.fr, « Fonds vert –",
        "projets subventionnés en 2023 », Licence Ouverte 2.0), copiés dans `datasets/sources/fonds_vert/`. Fonds vert :",
        "dépenses publiques dans le périmètre, hors crédits du programme Territoires d'industrie.",
        "",
        f"- {len(rows)} subventions, {euros(total(rows))} engagés : toutes gardées.",
        f"- Rattachées à un Territoire d'industrie 2023-2027 par la commune du projet : {len(attached)}, {euros(total(attached))}.",
        f"- Dans une commune hors de tout territoire : {len(outside)}, {euros(total(outside))}.",
        f"- Sans commune rattachable : {len(loose)}, {euros(total(loose))} (commune « NULL » dans la source : "
        f"{sum(1 for r in loose if not r['insee_com_source'])} ; code inconnu du COG : {len(unknown)}).",
        "- Bénéficiaires, d'après leur SIREN : " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda i: (-i[1], i[0]))) + ".",
        *[f"- {what} : {count}." for what, count in sorted(cleaned.items())],
        "",
        "## Codes de commune portés au COG du référentiel (communes fusionnées depuis, arrondissements de Paris, Lyon et Marseille)",
        "",
    ]
    lines += [f"- {n} : {old} → {new}" for n, old, new in moved] or ["- aucun."]
    lines += ["", "## Codes de commune inconnus", ""]
    lines += [f"- {n} : « {code} » ({name})" for n, code, name in unknown] or ["- aucun."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sortie", type=Path, default=ROOT, help="racine où écrire datasets/… (le dépôt par défaut)")
    return derive(parser.parse_args().sortie)


if __name__ == "__main__":
    sys.exit(main())
