"""`python build.py check` on malformed files: exit 1 and a French message naming the file and the line.

Accepted as they are: UTF-8 with a byte-order mark and Windows line endings (what Excel's « CSV UTF-8 » writes).
Refused with a fix: Windows-1252, `;` separators, decimal commas, dd/mm/yyyy dates, and every broken layout.
"""

import subprocess
import sys

import pytest
from conftest import ROOT, add_row, assert_refused, read_rows, set_cell, write_rows

PROJECTS = "datasets/projets.csv"


def projects_path(root):
    return root / PROJECTS


def test_utf8_with_bom_and_crlf_is_accepted(petit, run):
    path = projects_path(petit)
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert run(petit, "check").code == 0


def test_windows_1252_file_is_refused_with_the_line(petit, run):
    path = projects_path(petit)
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    result = run(petit, "check")
    assert_refused(result, f"{PROJECTS}, ligne 2", "encodé en Windows-1252", "CSV UTF-8 (délimité par des virgules)")


def test_semicolon_separated_file_is_refused(petit, run):
    path = projects_path(petit)
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 1", "séparées par le point-virgule")


def test_decimal_comma_is_refused_with_the_corrected_value(petit, run):
    set_cell(petit, "projets.csv", 3, "cout_total_eur", "4000000,50")
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 3, colonne cout_total_eur : « 4000000,50 »", "écrivez 4000000.50")


def test_thousands_spaces_are_refused_with_the_corrected_value(petit, run):
    set_cell(petit, "projets.csv", 3, "cout_total_eur", "4 000 000")
    assert_refused(run(petit, "check"), "colonne cout_total_eur : « 4 000 000 »", "écrivez 4000000")


def test_french_date_is_refused_with_the_iso_date(petit, run):
    set_cell(petit, "projets.csv", 2, "date_debut", "23/06/2023")
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 2, colonne date_debut : « 23/06/2023 »", "écrivez 2023-06-23")


def test_empty_file_is_refused(petit, run):
    projects_path(petit).write_bytes(b"")
    assert_refused(run(petit, "check"), f"{PROJECTS} : fichier vide")


def test_missing_file_is_refused(petit, run):
    projects_path(petit).unlink()
    assert_refused(run(petit, "check"), f"{PROJECTS} : fichier introuvable")


def test_random_bytes_are_refused(petit, run):
    projects_path(petit).write_bytes(bytes(range(256)) * 4)
    assert_refused(run(petit, "check"), f"{PROJECTS}", "n'est pas un fichier texte")


def test_missing_column_is_refused_and_named(petit, run):
    path = projects_path(petit)
    fields, rows = read_rows(path)
    fields.remove("porteur")
    for row in rows:
        del row["porteur"]
    write_rows(path, fields, rows)
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 1, colonne porteur : colonne obligatoire absente")


def test_extra_column_is_refused_and_named(petit, run):
    path = projects_path(petit)
    fields, rows = read_rows(path)
    write_rows(path, fields + ["commentaire"], [{**row, "commentaire": "x"} for row in rows])
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 1, colonne commentaire : colonne inconnue du schéma")


def test_renamed_column_is_refused_with_the_expected_name(petit, run):
    path = projects_path(petit)
    path.write_text(path.read_text(encoding="utf-8").replace("cout_total_eur", "cout_total", 1), encoding="utf-8")
    assert_refused(run(petit, "check"), "colonne cout_total : « cout_total » — colonne inconnue : elle devrait sans doute s'appeler « cout_total_eur »")


def test_duplicate_identifier_is_refused_with_both_lines(petit, run):
    line = add_row(petit, "projets.csv", id_projet="prj-ex-00001")
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne {line}, colonne id_projet : « prj-ex-00001 » — déjà utilisé ligne 2")


def test_truncated_last_line_is_refused(petit, run):
    path = projects_path(petit)
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text[: text.rindex(",", 0, text.rindex(",") - 1)] + "\n", encoding="utf-8")
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 5, colonne date_fin", "ligne tronquée")


def test_path_like_identifier_is_refused(petit, run):
    set_cell(petit, "projets.csv", 2, "id_projet", "../../x")
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 2, colonne id_projet : « ../../x » — format incorrect", "valeur attendue de la forme « prj-2023-0001 »")


def test_half_anchored_code_pattern_is_refused(petit, run):
    set_cell(petit, "projets.csv", 2, "insee_com", "123456")
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 2, colonne insee_com : « 123456 » — format incorrect")


def test_value_outside_the_allowed_list_is_refused_with_the_list(petit, run):
    set_cell(petit, "projets.csv", 2, "statut", "fini")
    assert_refused(run(petit, "check"), "colonne statut : « fini » — valeur attendue parmi : « à l'étude » ; « en cours » ; « terminé » ; « abandonné »")


def test_blank_line_is_refused(petit, run):
    path = projects_path(petit)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:2] + ["\n"] + lines[2:]), encoding="utf-8")
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 3 : ligne vide")


def test_many_problems_are_capped_per_rule(petit, run):
    path = petit / "datasets" / "territoires_communes.csv"
    fields, rows = read_rows(path)
    for row in rows:
        row["lib_com"] = row["lib_com"].upper()
    write_rows(path, fields, rows)
    result = run(petit, "check")
    assert_refused(result, "Erreurs — Nom différent du référentiel (", "… et ")
    assert result.err.count("colonne lib_com") == 20


def test_usage_error_exits_with_code_2(petit):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "verifier"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "usage incorrect" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_datapackage_is_a_clear_error(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--racine", str(tmp_path), "check"], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "datapackage.yaml : fichier introuvable" in result.stderr
    assert "Traceback" not in result.stderr


def test_outline_feature_without_geometry_is_refused_naming_it(petit, run):
    import json

    path = petit / "datasets" / "referentiel" / "epci.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][1]["geometry"] = None
    path.write_text(json.dumps(data), encoding="utf-8")
    siren = data["features"][1]["properties"]["siren_epci"]
    assert_refused(run(petit, "check"), f"datasets/referentiel/epci.geojson, colonne geometry : « aucune (null) » — entité n° 2"
                   f" (siren_epci = {siren}", "un contour (Polygon ou MultiPolygon) avec ses coordonnées est attendu")


def test_a_file_with_too_many_errors_says_where_its_check_stopped(petit, run):
    path = projects_path(petit)
    fields, rows = read_rows(path)
    rows += [{**rows[-1], "id_projet": f"prj-ex-{10_000 + n}", "date_debut": "23/06/2023"} for n in range(1_500)]
    write_rows(path, fields, rows)
    result = run(petit, "check")
    assert_refused(
        result, "Contrôle des données : au moins ",
        f"{PROJECTS}, ligne 1005 : 1\u202f000 erreurs de type, de contrainte ou de forme dans ce fichier : leur contrôle "
        "s'est arrêté à cette ligne, les lignes suivantes n'ont pas été contrôlées.",
    )
    assert "Erreurs — Type de valeur (1000) :" in result.err


def test_spaces_around_a_column_name_are_refused_and_named(petit, run):
    path = projects_path(petit)
    path.write_text(path.read_text(encoding="utf-8").replace(",id_ti,", ", id_ti ,", 1), encoding="utf-8")
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 1, colonne id_ti : «  id_ti  » — espace avant ou après le nom")


def test_a_file_whose_first_line_is_blank_is_refused(petit, run):
    path = projects_path(petit)
    path.write_bytes(b"\r" + path.read_bytes())
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 1 : la ligne 1 est vide ; elle doit être l'en-tête : id_projet,id_ti,")


def test_a_header_label_longer_than_the_csv_field_limit_is_refused(petit, run):
    """Past the csv module's field limit (131,072 characters unless a library raised it) the header is unreadable;
    under it, an unknown column: refused on line 1 either way, never a traceback."""
    path = projects_path(petit)
    path.write_bytes(b'"' + b"x" * 200_000 + b'",' + path.read_bytes())
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 1")


@pytest.mark.parametrize("value", ["2500000\u0085", "+2500000", "2_500_000", "NaN", "Infinity", "\u0662\u0665"])
def test_a_number_python_reads_but_the_exports_cannot_is_refused(petit, run, value):
    """Frictionless reads cells with int() and float(); the Parquet export and the pages do not (found by the
    property tests: check accepted these, the build raised)."""
    set_cell(petit, "projets.csv", 2, "cout_total_eur", value)
    assert_refused(run(petit, "check"), f"{PROJECTS}, ligne 2, colonne cout_total_eur : « {value} » — attendu : un nombre")


def test_a_number_with_spaces_around_is_refused_with_the_plain_number(petit, run):
    set_cell(petit, "projets.csv", 2, "cout_total_eur", " 2500000 ")
    assert_refused(run(petit, "check"), "colonne cout_total_eur : «  2500000  » — attendu : un nombre", "écrivez 2500000, sans espace autour.")


@pytest.mark.parametrize("line, setting, fragment", [
    ("millesime_cog: 2026", "millesime_cog: deux mille vingt-six", "millesime_cog vaut « deux mille vingt-six »"),
    ('periode_programme: {debut: "2018-11-22", fin: "2027-12-31"}', 'periode_programme: {debut: "2027-12-31", fin: "2018-11-22"}',
     "periode_programme vaut"),
])
def test_a_bad_setting_of_the_package_is_refused_by_check_before_the_build_reads_it(petit, run, line, setting, fragment):
    """The COG year and the programme's period are read by the build (pages, catalogue): check names them first."""
    descriptor = petit / "datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    assert line in text
    descriptor.write_text(text.replace(line, setting), encoding="utf-8")
    assert_refused(run(petit, "check"), "datapackage.yaml", fragment)


def test_outline_file_laid_out_otherwise_than_one_feature_per_line_is_refused(petit, run):
    """An editor that pretty-prints the file keeps its features but not its lines, which the downloads copy."""
    import json

    path = petit / "datasets" / "referentiel" / "epci.geojson"
    path.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8")), indent=2, ensure_ascii=False), encoding="utf-8")
    assert_refused(run(petit, "check"), "datasets/referentiel/epci.geojson : une entité par ligne est attendue",
                   "scripts/actualiser_referentiel.py")
