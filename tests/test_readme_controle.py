"""The README's table « Ce que le contrôle accepte et ce qu'il refuse » is true: each of its rows is tried on a copy
of the small package, and a row without a case here fails the test (the table cannot drift from the check)."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, read_rows, set_cell, write_rows

PROJECTS = "datasets/projets.csv"


def table_rows() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("### Ce que le contrôle accepte et ce qu'il refuse", 1)[1].split("\n\n", 2)[1]
    rows = [line.strip("|").split(" | ", 1) for line in table.splitlines()[2:] if line.startswith("|")]
    return [(variant.strip(), decision.strip()) for variant, decision in rows]


def projects(root):
    return root / PROJECTS


def rewrite(root, transform):
    path = projects(root)
    path.write_bytes(transform(path.read_bytes()))


def header_only(root):
    path = projects(root)
    fields, _ = read_rows(path)
    write_rows(path, fields, [])


def null_outline(root):
    path = root / "datasets" / "referentiel" / "epci.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][0]["geometry"] = None
    path.write_text(json.dumps(data), encoding="utf-8")


def pretty_printed_outlines(root):
    path = root / "datasets" / "referentiel" / "epci.geojson"
    path.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8")), indent=2), encoding="utf-8")


def linked_file(root):
    target = root.parent / "ailleurs.csv"
    target.write_bytes(projects(root).read_bytes())
    projects(root).unlink()
    projects(root).symlink_to(target)


def declared_real(root):
    from tidata.maintenance.package_writer import set_example_flag

    path = root / "datapackage.yaml"
    path.write_text(set_example_flag(path.read_text(encoding="utf-8"), "projets", False), encoding="utf-8")


def rewrite_descriptor(root, old, new):
    path = root / "datapackage.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def too_many_errors(root):
    path = projects(root)
    fields, rows = read_rows(path)
    write_rows(path, fields, rows + [{**rows[-1], "id_projet": f"p-{n}", "date_debut": "23/06/2023"} for n in range(1_100)])


# README row (its first words) → (the damage, what check must answer: None when accepted, else a text of the report)
CASES = {
    "UTF-8 avec BOM": (lambda r: rewrite(r, lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")), None),
    "Windows-1252": (lambda r: rewrite(r, lambda b: b.decode("utf-8").encode("cp1252", "replace")), "Windows-1252"),
    "Virgule décimale": (lambda r: set_cell(r, "projets.csv", 2, "cout_total_eur", "2500000,5"), "écrivez 2500000.5"),
    "Nombre écrit `+12`": (lambda r: set_cell(r, "projets.csv", 2, "cout_total_eur", "+2500000"), "attendu : un nombre"),
    "Dates `23/06/2023`": (lambda r: set_cell(r, "projets.csv", 2, "date_debut", "23/06/2023"), "écrivez 2023-06-23"),
    "Fichier vide": (lambda r: projects(r).write_bytes(b""), "projets.csv"),
    "Identifiant en double": (lambda r: set_cell(r, "projets.csv", 3, "id_projet", "prj-ex-00001"), "déjà utilisé ligne 2"),
    "Texte commençant par `=`": (lambda r: set_cell(r, "projets.csv", 2, "titre", "=1+1"), "formule"),
    "Lien symbolique": (linked_file, "Lien symbolique refusé"),
    "Plus de 1 000 erreurs": (too_many_errors, "au moins"),
    "Caractère de contrôle invisible": (lambda r: set_cell(r, "projets.csv", 2, "titre", "A\tB"), "caractère de contrôle U+0009"),
    "Adresse (colonne `source`)": (lambda r: set_cell(r, "projets.csv", 2, "source", "https://a.fr/x)y"), "colonne source"),
    "Ligne d'exemple": (declared_real, "ne peut pas être publiée"),
    "Table réduite à son en-tête": (header_only, None),
    "Contour GeoJSON sans géométrie": (null_outline, "entité n° 1"),
    "Contours GeoJSON mis en forme": (pretty_printed_outlines, "une entité par ligne est attendue"),
    "Réglage de `datapackage.yaml`": (lambda r: rewrite_descriptor(r, "millesime_cog: 2026", "millesime_cog: 2026-01-01"),
                                      "millesime_cog vaut"),
}


def case_of(variant: str):
    found = [key for key in CASES if variant.startswith(key)]
    assert len(found) == 1, f"aucun cas (ou plusieurs) pour la ligne du README « {variant} »"
    return CASES[found[0]]


def test_every_row_of_the_readme_table_has_its_case():
    variants = [variant for variant, _ in table_rows()]
    assert len(variants) == len(CASES)
    for variant in variants:
        case_of(variant)


@pytest.mark.parametrize("variant, decision", table_rows(), ids=lambda v: re.sub(r"\W+", "-", v)[:40])
def test_the_readme_says_what_check_does(petit, run, variant, decision):
    damage, expected = case_of(variant)
    damage(petit)
    result = run(petit, "check")
    accepted = decision.startswith("accepté")
    assert (result.code == 0) == accepted, result.text
    assert "Traceback" not in result.text
    if expected:
        assert expected in result.text, result.text
