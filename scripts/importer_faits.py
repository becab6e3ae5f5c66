#!/usr/bin/env python3
"""Importe les faits publics collectés (../shared/facts) dans le paquet : chiffres clés et sites clés en main réels.

    python scripts/importer_faits.py [--faits ../shared/facts]

Writes datasets/chiffres_cles.csv and datasets/sites_cles_en_main.csv (real rows only: the sites that public
sources name). A site's territory is the 2023-2027 territory whose perimeter (datasets/territoires_communes.csv,
made by scripts/deriver_perimetres.py: run it first) contains its commune. Values are kept as the sources give them: the
published text stays in `valeur_texte`, a number goes in `valeur` only when the source gives exactly one, and
uncertainty markers ([INCERTAIN: …], [source faible], « ? ») become `incertain = oui` with the note in `remarque`.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tidata.core.project import Project  # noqa: E402
from tidata.model.load import write_csv_rows  # noqa: E402

DATASETS = ROOT / "datasets"
SITES_PHASE = "2023-2027"  # the sites were chosen in April 2024
MARKER = re.compile(r"\s*\[(INCERTAIN[^\]]*|source faible|nom non trouvé)\]\s*")
PLAIN_NUMBER = re.compile(r"^\d{1,3}(?:[ \u00a0]\d{3})*(?:,\d+)?$|^\d+(?:,\d+)?$")

THEMES = [
    ("sites clés en main", ("scem", "clés en main")),
    ("chefs de projet", ("chefs de projet", "chef de projet")),
    ("emplois", ("emplois",)),
    ("projets", ("projets phase", "actions")),
    ("calendrier", ("ouverture des candidatures",)),
    ("financements", ("enveloppe", "financements", "crédits", "fonds", "montant", "banque des territoires", "soutien", "décomposition")),
    ("territoires", ("ti ", "ti,", "epci", "communes", "territoires")),
]

# Where a source names no commune, the one used and why (said in the row's remarque).
SITE_LOCATION_NOTES = {
    "Zone d'activité Pyrénia (autour de l'aéroport Tarbes-Lourdes-Pyrénées)": (
        "Ossun", "65",
        "la source ne donne ni commune ni département ; localisation déduite du nom de la zone (aéroport"
        " Tarbes-Lourdes-Pyrénées, à Ossun)",
    ),
}


def slug(text: str, limit: int = 60) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > limit:  # cut at a word boundary
        text = text[: limit + 1].rsplit("-", 1)[0]
    return text


def fold(text: str) -> str:
    """Name comparison that ignores accents, case, hyphens and apostrophes."""
    return re.sub(r"[^a-z0-9]+", " ", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()).strip()


def split_markers(text: str) -> tuple[str, list[str]]:
    notes = [m.group(1) for m in MARKER.finditer(text)]
    return MARKER.sub(" ", text).strip(), notes


URL = re.compile(r"https?://[^\s;]+")


def sources(cell: str) -> str:
    return " ; ".join(URL.findall(cell))


def source_notes(cell: str) -> list[str]:
    """What a source cell says besides its URLs (a note in brackets), kept for `remarque`."""
    rest = URL.sub("", cell).replace(";", " ").strip(" ()")
    return [rest] if rest else []


def parse_number(text: str) -> str:
    text = text.strip()
    if PLAIN_NUMBER.match(text):
        number = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
        return number
    return ""


def theme(indicator: str) -> str:
    lowered = indicator.lower() + " "
    for name, words in THEMES:
        if any(word in lowered for word in words):
            return name
    return "territoires"


def key_figures(facts: Path) -> list[dict]:
    rows, seen = [], set()
    with open(facts / "chiffres_programme.csv", encoding="utf-8") as f:
        for fact in csv.DictReader(f):
            indicator, notes = split_markers(fact["indicateur"])
            value_text, value_notes = split_markers(fact["valeur"])
            notes += value_notes
            uncertain = bool(notes) or "?" in fact["valeur"]
            identifier = slug(indicator)
            while identifier in seen:
                identifier += "-bis"
            seen.add(identifier)
            rows.append({
                "id_chiffre": identifier,
                "indicateur": indicator,
                "valeur": parse_number(value_text),
                "valeur_texte": value_text,
                "unite": fact["unite"],
                "periode": fact["periode"],
                "theme": theme(indicator),
                "incertain": "oui" if uncertain else "non",
                "remarque": " ; ".join(n.replace("INCERTAIN: ", "incertain : ").replace("INCERTAIN", "incertain") for n in notes),
                "source": sources(fact["source_url"]),
            })
    return rows


def read_communes() -> list[dict]:
    path = DATASETS / "referentiel" / "communes.csv"
    if not path.exists():
        sys.exit("Référentiel absent : lancez d'abord python scripts/actualiser_referentiel.py.")
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def find_commune(communes: list[dict], name: str, departement: str) -> dict:
    wanted = fold(name)
    matches = [c for c in communes if fold(c["lib_com"]) == wanted and (not departement or c["code_dep"] == departement)]
    if not matches:  # renamed since the article (Oissel became Oissel-sur-Seine in the COG)
        matches = [c for c in communes if fold(c["lib_com"]).startswith(wanted + " ") and c["code_dep"] == departement]
    if len(matches) != 1:
        sys.exit(f"Commune introuvable ou ambiguë dans le référentiel : {name} ({departement}) : {len(matches)} résultat(s).")
    return matches[0]


def territories_of_communes(phase: str) -> dict[str, str]:
    """INSEE code → id_ti of the territory whose perimeter holds the commune in that phase."""
    with open(DATASETS / "territoires_communes.csv", encoding="utf-8") as f:
        return {row["insee_com"]: row["id_ti"] for row in csv.DictReader(f) if row["phase"] == phase}


def real_sites(facts: Path, communes: list[dict]) -> list[dict]:
    rows, seen = [], set()
    territory_of = territories_of_communes(SITES_PHASE)
    with open(facts / "sites_cles_en_main.csv", encoding="utf-8") as f:
        for fact in csv.DictReader(f):
            name, notes = split_markers(fact["nom"])
            if "nom non trouvé" in notes:
                notes.remove("nom non trouvé")
                notes.append("nom non publié par la source")
            commune_names, departement = fact["commune"], fact["departement"]
            if fact["nom"] in SITE_LOCATION_NOTES:
                commune_name, departement, note = SITE_LOCATION_NOTES[fact["nom"]]
                commune_names = commune_name
                notes.append(note)
            notes += source_notes(fact["source_url"])
            first = commune_names.split("/")[0].strip()
            commune = find_commune(communes, first, departement)
            maturity = fact["maturite"].strip()
            if maturity.endswith("?"):
                maturity = maturity.rstrip("?")
                notes.append("horizon de disponibilité incertain")
            if "(" in maturity:
                maturity, _, said = maturity.partition("(")
                maturity = maturity.strip()
                notes.append(said.rstrip(")").strip())
            identifier = "scem-" + slug(commune["lib_com"], 40)
            while identifier in seen:
                identifier += "-2"
            seen.add(identifier)
            rows.append({
                "id_site": identifier,
                "nom": name,
                "insee_com": commune["insee_com"],
                "lib_com": commune_names if "/" in commune_names else commune["lib_com"],
                "surface_ha": fact["surface_ha"].replace(",", "."),
                "maturite": maturity,
                "friche": fact["friche"].strip(),
                "type_porteur": "",
                "latitude": commune["latitude"],
                "longitude": commune["longitude"],
                "precision": "commune",
                "id_ti": territory_of.get(commune["insee_com"], ""),
                "phase": SITES_PHASE if commune["insee_com"] in territory_of else "",
                "remarque": " ; ".join(n.replace("INCERTAIN: ", "incertain : ") for n in notes),
                "source": sources(fact["source_url"]),
            })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faits", type=Path, default=ROOT.parent / "shared" / "facts", help="dossier des faits publics")
    args = parser.parse_args()
    project = Project(ROOT)
    figures = key_figures(args.faits)
    write_csv_rows(DATASETS / "chiffres_cles.csv", figures, project.resource("chiffres_cles").field_names)
    print(f"datasets/chiffres_cles.csv : {len(figures)} chiffres clés.")
    sites = real_sites(args.faits, read_communes())
    write_csv_rows(DATASETS / "sites_cles_en_main.csv", sites, project.resource("sites_cles_en_main").field_names)
    print(f"datasets/sites_cles_en_main.csv : {len(sites)} sites réels, "
          f"{sum(1 for s in sites if s['id_ti'])} dans un territoire {SITES_PHASE}.")


if __name__ == "__main__":
    main()
