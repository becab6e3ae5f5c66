"""`python build.py import FICHIER`: a perimeter list or a resource's sheet, checked, then written all at once.

The golden file tests/fixtures/import/territoires_communes_attendu.csv is what importing perimetre_anct.csv (official
layout: `;`, Windows-1252, an extra EPCI column, COG 2023 codes: Ciel 71131 merged since into Verdun-Ciel 71566,
12076 into Conques-en-Rouergue, L'Oie and Sainte-Florence rétablies from Essarts-en-Bocage 85084; ti-2799 and ti-9998
are test territories) for the phase 2023-2027 gives on the petit package. When a change of
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

from tidata.maintenance.package_writer import write_files

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


def test_perimeter_import_report_names_file_encoding_territories_and_moved_codes(petit, run):
    result = import_perimeter(run, petit)
    assert "Fichier lu : perimetre_anct.csv (CSV, encodage Windows-1252, séparateur « ; »)." in result.out
    assert "Liste de communes de la phase 2023-2027 (COG 2023) lue dans perimetre_anct.csv : 151 communes, 3 territoires." in result.out
    assert "Colonnes ignorées : Code Officiel EPCI." in result.out
    assert "Territoires ajoutés (2) : ti-2799 (Brionnais – Marcigny), ti-9998 (Essai de codes anciens)." in result.out
    assert "Territoires conservés (1, gouvernance, priorités et description gardées, nom mis à jour pour 1) :" \
           " ti-2704 (Grand Chalon, cœur industriel)." in result.out
    assert "Territoires retirés (2) : ti-2703 (Bourgogne Industrie), ti-2708 (Nord Franche-Comté)." in result.out
    assert "Noms de commune écrits comme le référentiel (3) : ligne 114 : « Saint-Remy » → « Saint-Rémy »" in result.out
    assert result.out.rstrip().endswith("python build.py diff HEAD")


def test_communes_whose_code_changed_since_2023_are_imported_under_their_current_code(petit, run):
    result = import_perimeter(run, petit)
    assert ("Codes portés au code officiel géographique du référentiel (4) : ligne 34 : 71131 → 71566 Verdun-Ciel (fusion),"
            " ligne 151 : 12076 → 12218 Conques-en-Rouergue (fusion), ligne 152 : 85084 → 85165 L'Oie (rétablissement),"
            " ligne 152 : 85084 → 85212 Sainte-Florence (rétablissement).") in result.out
    perimeter = {(r["phase"], r["insee_com"]): r["id_ti"] for r in read_rows(petit / "datasets" / "territoires_communes.csv")[1]}
    assert perimeter[("2023-2027", "71566")] == "ti-2704" and ("2023-2027", "71131") not in perimeter  # Ciel, merged
    assert perimeter[("2023-2027", "12218")] == "ti-9998" and ("2023-2027", "12076") not in perimeter
    assert {perimeter[("2023-2027", c)] for c in ("85084", "85165", "85212")} == {"ti-9998"}  # rétablies since 2023


def test_perimeter_import_infers_the_groupings_and_recomputes_the_filiations(petit, run):
    import_perimeter(run, petit)
    groupings = [r for r in read_rows(petit / "datasets" / "territoires_groupements.csv")[1] if r["phase"] == "2023-2027"]
    by_territory = {}
    for row in groupings:
        by_territory.setdefault(row["id_ti"], []).append((row["siren_groupement"], row["nature_groupement"], row["annee_cog"]))
    assert by_territory["ti-2799"] == [("247100639", "CC", "2023")]  # the whole CC de Marcigny
    assert sorted(s for s, _, _ in by_territory["ti-2704"]) == ["200040038", "247100589", "247103765", "247104094"]
    assert {nature for _, nature, _ in by_territory["ti-9998"]} == {"COM"}  # two communes without their EPCI
    filiations = read_rows(petit / "datasets" / "territoires_filiations.csv")[1]
    assert [(r["id_ti"], r["id_ti_precedent"], r["communes_en_commun"]) for r in filiations] == [("ti-2704", "ti-2702", "51")]


def test_perimeter_import_gives_turnkey_sites_the_territory_of_their_commune(petit, run):
    result = import_perimeter(run, petit)
    assert "Territoire des lignes de sites_cles_en_main, d'après leur commune (2) : scem-ex-01 : ti-2703 → aucun," \
           " scem-ex-02 : aucun → ti-2799." in result.out
    marcigny = row_of(petit, "sites_cles_en_main.csv", "id_site", "scem-ex-02")
    assert (marcigny["id_ti"], marcigny["phase"]) == ("ti-2799", "2023-2027")


def test_grouping_list_gives_the_same_communes_as_the_commune_list(petit, run, tmp_path):
    file = tmp_path / "liste_groupements.csv"
    file.write_text("id_ti;lib_ti;siren_groupement\n" + "".join(
        f"ti-2704;Grand Chalon, cœur industriel;{siren}\n" for siren in ("247100589", "247103765", "200040038", "247104094")
    ), encoding="utf-8")
    result = import_perimeter(run, petit, file)
    assert result.code == 0, result.text
    assert "Liste de groupements de la phase 2023-2027 (COG 2023) lue dans liste_groupements.csv : 4 groupements," \
           " 1 territoire, 137 communes du COG 2023." in result.out
    communes = {r["insee_com"] for r in read_rows(petit / "datasets" / "territoires_communes.csv")[1]
                if (r["phase"], r["id_ti"]) == ("2023-2027", "ti-2704")}
    expected = {r["insee_com"] for r in read_rows(EXPECTED)[1] if (r["phase"], r["id_ti"]) == ("2023-2027", "ti-2704")}
    assert communes == expected and "71566" in communes


def test_grouping_list_with_an_unknown_siren_fails_and_changes_nothing(petit, run, tmp_path):
    file = tmp_path / "liste_groupements.csv"
    file.write_text("id_ti;lib_ti;siren_groupement\nti-2704;Grand Chalon;247100589\nti-2704;Grand Chalon;999999999\n",
                    encoding="utf-8")
    before = package_digest(petit)
    result = import_perimeter(run, petit, file)
    assert result.code == 1
    assert "liste_groupements.csv, ligne 3, colonne siren_groupement : « 999999999 » — ni EPCI, ni EPT, ni commune du COG 2023" \
           in result.err
    assert package_digest(petit) == before


def test_cog_year_without_extract_exits_2(petit, run):
    result = import_perimeter(run, petit, OFFICIAL, "--cog", "2019")
    assert result.code == 2
    assert "--cog 2019 : pas d'extrait du COG 2019 dans datasets/sources/cog (années disponibles : 2022, 2023)" in result.err


def test_perimeter_import_kept_territory_keeps_its_other_columns_and_takes_the_file_name(petit, run):
    before = row_of(petit, "territoires.csv", "id_ti", "ti-2704")
    import_perimeter(run, petit)
    after = next(r for r in read_rows(petit / "datasets" / "territoires.csv")[1] if (r["phase"], r["id_ti"]) == ("2023-2027", "ti-2704"))
    assert after == {**before, "lib_ti": "Grand Chalon, cœur industriel"}


def test_perimeter_import_new_territory_gets_codes_from_the_referential_and_the_source(petit, run):
    import_perimeter(run, petit)
    added = next(r for r in read_rows(petit / "datasets" / "territoires.csv")[1] if r["id_ti"] == "ti-9998")
    assert {k: v for k, v in added.items() if v} == {
        "id_ti": "ti-9998", "lib_ti": "Essai de codes anciens", "phase": "2023-2027", "codes_reg": "52 76", "codes_dep": "12 85",
        "source": SOURCE,
    }
    keys = [(r["phase"], r["id_ti"]) for r in read_rows(petit / "datasets" / "territoires.csv")[1]]
    assert keys == [("2019-2022", "ti-2702"), ("2019-2022", "ti-2708"), ("2023-2027", "ti-2704"), ("2023-2027", "ti-2799"),
                    ("2023-2027", "ti-9998")]  # 2023-2027 ti-2703 and ti-2708, absent from the file, are removed


def test_perimeter_import_removes_example_rows_of_removed_territories(petit, run):
    result = import_perimeter(run, petit)
    assert "Lignes d'exemple retirées parce qu'elles renvoyaient à une ligne disparue : enveloppes (1), projets (2)." in result.out
    projects = [r["id_projet"] for r in read_rows(petit / "datasets" / "projets.csv")[1]]
    assert projects == ["prj-ex-00003", "prj-ex-00004"]


def test_perimeter_import_records_its_source_in_the_data_package(petit, run):
    import_perimeter(run, petit)
    for name in ("territoires", "territoires_communes", "territoires_groupements", "territoires_filiations", "communes_evolution"):
        resource = descriptor_resource(petit, name)
        assert resource["exemple"] is False
        assert {"title": "Fichier importé : perimetre_anct.csv", "path": SOURCE} in resource["sources"], name


def test_imported_package_passes_check(petit, run):
    assert import_perimeter(run, petit).code == 0
    result = run(petit, "check")
    assert result.code == 0, result.text


def test_broken_perimeter_file_fails_naming_line_and_column_and_changes_nothing(petit, run):
    before = package_digest(petit)
    result = import_perimeter(run, petit, BROKEN)
    assert result.code == 1
    assert result.err.startswith("Import refusé : rien n'a été modifié (datasets/ et datapackage.yaml sont intacts).")
    assert "perimetre_anct_casse.csv, ligne 7, colonne insee_com : « 71999 » — commune inconnue du COG 2023 et du" \
           " référentiel : vérifiez le code ou l'année (--cog)." in result.err
    assert "Traceback" not in result.text
    assert package_digest(petit) == before


def test_perimeter_file_without_a_required_column_fails_naming_it_and_changes_nothing(petit, run, tmp_path):
    file = tmp_path / "sans_lib_ti.csv"
    file.write_bytes("\r\n".join(";".join(row[:3]) for row in official_rows()).encode("cp1252"))
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
            sheet.append([int(row[0]), row[1], row[2], row[3], int(row[4]) if row[4] else None])
    workbook.save(tmp_path / "perimetre.xlsx")
    result = import_perimeter(run, petit, tmp_path / "perimetre.xlsx")
    assert result.code == 0, result.text
    assert "Fichier lu : perimetre.xlsx (XLSX, 1 feuille)." in result.out
    assert (petit / "datasets" / "territoires_communes.csv").read_bytes() == EXPECTED.read_bytes()


def test_xlsx_code_that_lost_its_leading_zero_is_read_with_it(petit, run, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["insee_com", "lib_com", "id_ti", "lib_ti"])
    workbook.active.append([1002, "L'Abergement-de-Varey", "ti-2704", "Grand Chalon"])
    workbook.save(tmp_path / "perimetre.xlsx")
    result = import_perimeter(run, petit, tmp_path / "perimetre.xlsx")
    assert result.code == 1  # 01002 exists in the COG, not in the small package's referential
    assert "perimetre.xlsx, feuille « Sheet », ligne 2, colonne insee_com : « 01002 » — commune inconnue" in result.err


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


def test_previous_phase_import_changes_the_filiations_not_the_other_phase(petit, run, tmp_path):
    file = tmp_path / "perimetre_2019.csv"
    lines = ["insee_com;lib_com;id_ti;lib_ti"] + [
        f"{row[0]};{row[1]};ti-2702;Grand Chalon" for row in official_rows()[1:] if row[2] == "ti-2704"
    ]
    file.write_text("\n".join(lines), encoding="utf-8")
    before = [r for r in read_rows(petit / "datasets" / "territoires_communes.csv")[1] if r["phase"] == "2023-2027"]
    result = run(petit, "import", str(file), "--phase", "2019-2022", "--source", SOURCE)
    assert result.code == 0, result.text
    assert "(COG 2022)" in result.out  # the year of the phase's groupings in the package
    after = read_rows(petit / "datasets" / "territoires_communes.csv")[1]
    assert [r for r in after if r["phase"] == "2023-2027"] == before
    filiations = read_rows(petit / "datasets" / "territoires_filiations.csv")[1]
    assert [(r["id_ti"], r["id_ti_precedent"], r["part_territoire"]) for r in filiations] == [("ti-2704", "ti-2702", "100.0")]


def test_real_row_pointing_to_a_removed_territory_fails_and_changes_nothing(petit, run):
    set_cell(petit, "projets.csv", 2, "source", "https://www.exemple-de-presse.fr/projet-reel")  # prj-ex-00001, ti-2703
    before = package_digest(petit)
    result = import_perimeter(run, petit)
    assert result.code == 1
    assert "Le paquet tel que l'import l'écrirait ne passe pas le contrôle" in result.err
    assert "datasets/projets.csv, ligne 2, colonne phase, id_ti : « 2023-2027, ti-2703 » — absent des colonnes phase, id_ti" \
           " (ensemble) de datasets/territoires.csv." in result.err
    assert package_digest(petit) == before


def test_resource_sheet_replaces_its_example_rows_and_clears_the_flag(petit, run, tmp_path):
    fields, _ = read_rows(petit / "datasets" / "projets.csv")
    workbook = openpyxl.Workbook()
    workbook.active.title = "Lisez-moi"
    sheet = workbook.create_sheet("Projets")
    sheet.append(list(reversed(fields)))  # the order of the columns does not matter
    real = {"id_projet": "prj-creusot-campus", "id_ti": "ti-2703", "phase": "2023-2027", "titre": "Campus industriel", "resume": None,
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
        f"prj-creusot-campus,ti-2703,2023-2027,Campus industriel,,Communauté urbaine,71153,compétences,en cours,2500000,1250000.5,"
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
    following = next(i for i in range(flag, len(before)) if before[i].startswith("  - name:"))
    assert after == before[:flag] + ["    exemple: false"] + before[flag + 1:following] + [
        '      - title: "Fichier importé : projets.xlsx"', f"        path: {SOURCE}"] + before[following:]


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
