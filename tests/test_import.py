"""`python build.py import FICHIER`: a perimeter list or a resource's sheet, checked, then written all at once.

The golden file tests/fixtures/import/territoires_communes_attendu.csv is what importing perimetre_anct.csv (official
layout: `;`, Windows-1252, an extra EPCI column) for the phase 2023-2027 gives on the petit package. When a change of
the output is intended, refresh it:

    python build.py --racine COPIE_DU_PETIT import tests/fixtures/import/perimetre_anct.csv --phase 2023-2027 \
        --source https://www.data.gouv.fr/fr/datasets/territoires-d-industrie/
    cp COPIE_DU_PETIT/datasets/territoires_communes.csv tests/fixtures/import/territoires_communes_attendu.csv
"""

import csv
import datetime as dt
import io
import sys
from pathlib import Path

import openpyxl
import yaml

from conftest import ROOT, read_rows, set_cell, tree_digest
from tidata.import_files import write_files

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
OFFICIAL = FIXTURES / "perimetre_anct.csv"
BROKEN = FIXTURES / "perimetre_anct_casse.csv"
EXPECTED = FIXTURES / "territoires_communes_attendu.csv"
SOURCE = "https://www.data.gouv.fr/fr/datasets/territoires-d-industrie/"


def import_perimeter(run, root, file=OFFICIAL, *options):
    return run(root, "import", str(file), "--phase", "2023-2027", "--source", SOURCE, *options)


def package_digest(root: Path) -> str:
    return tree_digest(root / "datasets") + (root / "datapackage.yaml").read_text(encoding="utf-8")


def official_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(OFFICIAL.read_bytes().decode("cp1252")), delimiter=";"))


def row_of(root: Path, file: str, key: str, value: str) -> dict:
    return next(row for row in read_rows(root / "datasets" / file)[1] if row[key] == value)


def descriptor_resource(root: Path, name: str) -> dict:
    descriptor = yaml.safe_load((root / "datapackage.yaml").read_text(encoding="utf-8"))
    return next(r for r in descriptor["resources"] if r["name"] == name)


def test_official_perimeter_file_cp1252_semicolon_gives_expected_territoires_communes(petit, run):
    assert OFFICIAL.read_bytes().decode("cp1252").count("\r\n") > 40  # the fixture really is Excel's « CSV »
    result = import_perimeter(run, petit)
    assert result.code == 0, result.text
    assert (petit / "datasets" / "territoires_communes.csv").read_bytes() == EXPECTED.read_bytes()


def test_perimeter_import_report_names_file_encoding_and_territories(petit, run):
    result = import_perimeter(run, petit)
    assert "Fichier lu : perimetre_anct.csv (CSV, encodage Windows-1252, séparateur « ; »)." in result.out
    assert "Périmètre de la phase 2023-2027 lu dans perimetre_anct.csv : 46 communes, 2 territoires." in result.out
    assert "Colonnes ignorées : Code Officiel EPCI." in result.out
    assert "Territoires ajoutés (1, type « nouveau ») : ti-7142 (Brionnais – Marcigny)." in result.out
    assert "Territoires conservés (1, description, binôme et priorités gardés, nom mis à jour pour 1) :" \
           " ti-ex-2001 (Creusot-Montceau, cœur industriel)." in result.out
    assert "Territoires retirés (1) : ti-ex-2002 (Exemple – Grand Autunois Morvan)." in result.out
    assert "Noms de commune écrits comme le référentiel (1) : ligne 35 : « Ecuisses » → « Écuisses »." in result.out
    assert result.out.rstrip().endswith("python build.py diff HEAD")


def test_perimeter_import_kept_territory_keeps_its_description_and_takes_the_file_name(petit, run):
    before = row_of(petit, "territoires.csv", "id_ti", "ti-ex-2001")
    import_perimeter(run, petit)
    after = row_of(petit, "territoires.csv", "id_ti", "ti-ex-2001")
    assert after == {**before, "lib_ti": "Creusot-Montceau, cœur industriel"}


def test_perimeter_import_new_territory_gets_codes_from_the_referential_and_the_source(petit, run):
    import_perimeter(run, petit)
    added = row_of(petit, "territoires.csv", "id_ti", "ti-7142")
    assert {k: v for k, v in added.items() if v} == {
        "id_ti": "ti-7142", "lib_ti": "Brionnais – Marcigny", "phase": "2023-2027", "codes_reg": "27",
        "codes_dep": "71", "type_labellisation": "nouveau", "source": SOURCE,
    }
    identifiers = [row["id_ti"] for row in read_rows(petit / "datasets" / "territoires.csv")[1]]
    assert identifiers == ["ti-ex-1001", "ti-ex-2001", "ti-7142"]  # ti-ex-2002, absent from the file, is removed


def test_perimeter_import_removes_example_rows_of_removed_territories(petit, run):
    result = import_perimeter(run, petit)
    assert "Lignes d'exemple retirées parce qu'elles renvoyaient à une ligne disparue : enveloppes (1), projets (1)." in result.out
    projects = [row["id_projet"] for row in read_rows(petit / "datasets" / "projets.csv")[1]]
    assert projects == ["prj-ex-00001", "prj-ex-00002", "prj-ex-00004"]


def test_perimeter_import_keeps_example_flag_while_example_rows_remain(petit, run):
    result = import_perimeter(run, petit)
    assert "  - territoires_communes : il reste 64 lignes d'exemple, le drapeau reste à true." in result.out
    resource = descriptor_resource(petit, "territoires_communes")
    assert resource["exemple"] is True
    assert {"title": "Fichier importé : perimetre_anct.csv", "path": SOURCE} in resource["sources"]


def test_imported_package_passes_check(petit, run):
    assert import_perimeter(run, petit).code == 0
    result = run(petit, "check")
    assert result.code == 0, result.text


def test_broken_perimeter_file_fails_naming_line_and_column_and_changes_nothing(petit, run):
    before = package_digest(petit)
    result = import_perimeter(run, petit, BROKEN)
    assert result.code == 1
    assert result.err.startswith("Import refusé : rien n'a été modifié (datasets/ et datapackage.yaml sont intacts).")
    assert "perimetre_anct_casse.csv, ligne 7, colonne insee_com : « 71999 » — commune inconnue du référentiel" \
           " géographique (COG 2026) : si elle a fusionné avec d'autres depuis, écrivez le code de la commune nouvelle." in result.err
    assert "Traceback" not in result.text
    assert package_digest(petit) == before


def test_perimeter_file_without_a_required_column_fails_naming_it_and_changes_nothing(petit, run, tmp_path):
    file = tmp_path / "sans_lib_ti.csv"
    file.write_bytes("\r\n".join(";".join(row[:4]) for row in official_rows()).encode("cp1252"))
    before = package_digest(petit)
    result = import_perimeter(run, petit, file)
    assert result.code == 1
    assert "sans_lib_ti.csv, ligne 1, colonne lib_ti : colonne obligatoire absente de l'en-tête." in result.err
    assert package_digest(petit) == before


def test_perimeter_file_utf8_with_bom_and_commas_gives_the_same_result(petit, run, tmp_path):
    file = tmp_path / "perimetre.csv"
    with open(file, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(official_rows())
    result = import_perimeter(run, petit, file)
    assert "(CSV, encodage UTF-8 avec BOM, séparateur « , »)" in result.out
    assert (petit / "datasets" / "territoires_communes.csv").read_bytes() == EXPECTED.read_bytes()


def test_perimeter_xlsx_with_numeric_codes_gives_the_same_result(petit, run, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Périmètre 2023"
    header, *rows = official_rows()
    sheet.append(header)
    for row in rows:
        if any(row):
            sheet.append([int(row[0]), row[1], int(row[2]), row[3], row[4]])
    workbook.save(tmp_path / "perimetre.xlsx")
    result = import_perimeter(run, petit, tmp_path / "perimetre.xlsx")
    assert result.code == 0, result.text
    assert "Fichier lu : perimetre.xlsx (XLSX, 1 feuille)." in result.out
    assert (petit / "datasets" / "territoires_communes.csv").read_bytes() == EXPECTED.read_bytes()


def test_xlsx_code_that_lost_its_leading_zero_is_read_with_it(petit, run, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["insee_com", "lib_com", "id_ti", "lib_ti"])
    workbook.active.append([1001, "L'Abergement-Clémenciat", "ti-ex-2001", "Creusot"])
    workbook.save(tmp_path / "perimetre.xlsx")
    result = import_perimeter(run, petit, tmp_path / "perimetre.xlsx")
    assert result.code == 1
    assert "perimetre.xlsx, feuille « Sheet », ligne 2, colonne insee_com : « 01001 » — commune inconnue" in result.err


def test_perimeter_without_phase_and_without_terminal_exits_2(petit, run):
    before = package_digest(petit)
    result = run(petit, "import", str(OFFICIAL), "--source", SOURCE)
    assert result.code == 2
    assert "précisez-la avec --phase 2019-2022 ou --phase 2023-2027" in result.err
    assert package_digest(petit) == before


def test_perimeter_without_phase_in_a_terminal_asks_for_it(petit, run, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("2023-2027\n"))
    result = run(petit, "import", str(OFFICIAL), "--source", SOURCE)
    assert result.code == 0, result.text
    assert "Phase de ce périmètre (2019-2022 ou 2023-2027) : " in result.out
    assert (petit / "datasets" / "territoires_communes.csv").read_bytes() == EXPECTED.read_bytes()


def test_source_that_is_not_a_web_address_exits_2(petit, run):
    result = run(petit, "import", str(OFFICIAL), "--phase", "2023-2027", "--source", "fichier ANCT")
    assert result.code == 2
    assert "--source : « fichier ANCT » n'est pas une adresse http(s)" in result.err


def test_previous_phase_import_turns_example_renewals_into_new_territories(petit, run, tmp_path):
    file = tmp_path / "perimetre_2019.csv"
    lines = ["insee_com;lib_com;id_ti;lib_ti"] + [
        f"{row[0]};{row[1]};ti-1001;Creusot-Montceau" for row in official_rows()[1:] if row[3] == "ti-ex-2001"
    ]
    file.write_text("\n".join(lines), encoding="utf-8")
    result = run(petit, "import", str(file), "--phase", "2019-2022", "--source", SOURCE)
    assert result.code == 0, result.text
    renewed = row_of(petit, "territoires.csv", "id_ti", "ti-ex-2001")
    assert (renewed["id_ti_precedent"], renewed["type_labellisation"]) == ("", "nouveau")
    assert "territoires ti-ex-2001 (id_ti_precedent : ti-ex-1001) ; ces territoires deviennent « nouveau »." in result.out


def test_real_row_pointing_to_a_removed_territory_fails_and_changes_nothing(petit, run):
    set_cell(petit, "projets.csv", 4, "source", "https://www.exemple-de-presse.fr/projet-reel")  # prj-ex-00003, ti-ex-2002
    before = package_digest(petit)
    result = import_perimeter(run, petit)
    assert result.code == 1
    assert "Le paquet tel que l'import l'écrirait ne passe pas le contrôle" in result.err
    assert "datasets/projets.csv, ligne 4, colonne id_ti : « ti-ex-2002 » — absent de la colonne id_ti de datasets/territoires.csv." in result.err
    assert package_digest(petit) == before


def test_resource_sheet_replaces_its_example_rows_and_clears_the_flag(petit, run, tmp_path):
    fields, _ = read_rows(petit / "datasets" / "projets.csv")
    workbook = openpyxl.Workbook()
    workbook.active.title = "Lisez-moi"
    sheet = workbook.create_sheet("Projets")
    sheet.append(list(reversed(fields)))  # the order of the columns does not matter
    real = {"id_projet": "prj-creusot-campus", "id_ti": "ti-ex-2001", "titre": "Campus industriel", "resume": None,
            "porteur": "Communauté urbaine", "insee_com": 71153, "axe": "compétences", "statut": "en cours",
            "cout_total_eur": 2500000.0, "financement_public_eur": 1250000.5, "date_debut": dt.datetime(2024, 3, 1),
            "date_fin": None, "source": None}
    sheet.append([real[name] for name in reversed(fields)])
    workbook.save(tmp_path / "projets.xlsx")
    result = run(petit, "import", str(tmp_path / "projets.xlsx"), "--source", SOURCE)
    assert result.code == 0, result.text
    assert "projets.xlsx, feuille « Projets » → projets : 1 ligne importée, dont 0 à la place d'une ligne réelle de même" \
           " identifiant ; lignes d'exemple retirées : 4 ; autres lignes réelles gardées : 0." in result.out
    assert "  - projets : plus aucune ligne d'exemple, le drapeau passe à false." in result.out
    assert (petit / "datasets" / "projets.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        f"prj-creusot-campus,ti-ex-2001,Campus industriel,,Communauté urbaine,71153,compétences,en cours,2500000,1250000.5,"
        f"2024-03-01,,{SOURCE}"
    ]
    assert descriptor_resource(petit, "projets")["exemple"] is False


def test_flag_edit_keeps_the_comments_and_layout_of_datapackage_yaml(petit, run, tmp_path):
    fields, rows = read_rows(petit / "datasets" / "projets.csv")
    workbook = openpyxl.Workbook()
    workbook.active.append(fields)
    workbook.active.append([rows[0][name] for name in fields[:-1]] + [SOURCE])
    workbook.save(tmp_path / "projets.xlsx")
    before = (petit / "datapackage.yaml").read_text(encoding="utf-8").splitlines()
    run(petit, "import", str(tmp_path / "projets.xlsx"), "--source", SOURCE)
    after = (petit / "datapackage.yaml").read_text(encoding="utf-8").splitlines()
    flag = before.index("    path: datasets/projets.csv") + 2
    assert before[flag] == "    exemple: true"
    assert after == before[:flag] + ["    exemple: false"] + before[flag + 1:flag + 4] + [
        '      - title: "Fichier importé : projets.xlsx"', f"        path: {SOURCE}"] + before[flag + 4:]


def test_workbook_without_a_matching_sheet_names_the_sheets_and_the_closest_columns(petit, run, tmp_path):
    fields, _ = read_rows(petit / "datasets" / "chiffres_cles.csv")
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.create_sheet("Chiffres").append([name for name in fields if name != "unite"] + ["commentaire"])
    workbook.save(tmp_path / "chiffres.xlsx")
    result = run(petit, "import", str(tmp_path / "chiffres.xlsx"), "--source", SOURCE)
    assert result.code == 1
    assert "chiffres.xlsx : les colonnes ne correspondent à aucune ressource du paquet. Feuilles du classeur : « Notes »," \
           " « Chiffres ». La plus proche est la ressource « chiffres_cles »" in result.err
    assert "chiffres.xlsx, feuille « Chiffres », ligne 1, colonne unite : colonne obligatoire absente de l'en-tête." in result.err
    assert "chiffres.xlsx, feuille « Chiffres », ligne 1, colonne commentaire : colonne inconnue de cette ressource." in result.err


def test_write_files_failing_before_the_swap_leaves_every_file_untouched(petit):
    before = package_digest(petit)
    files = {"datasets/projets.csv": "id_projet\n", "datasets/absent/dossier.csv": "x\n", "datapackage.yaml": "name: x\n"}
    try:
        write_files(petit, files)
    except FileNotFoundError:
        pass
    else:
        raise AssertionError("l'écriture aurait dû échouer")
    assert package_digest(petit) == before
    assert not list(petit.rglob("*.import.tmp"))


def test_readme_documents_the_import_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "build.py import" in readme
