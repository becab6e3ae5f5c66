"""`python build.py check`: the programme's rules, each with failing and passing data.

The package is tests/fixtures/petit (tests/fixtures/refaire_petit.py): five real territories with their real
perimeters — Grand Chalon (2019-2022 ti-2702, 2023-2027 ti-2704), Ouest Saône-et-Loire (2019-2022 ti-2708),
Bourgogne Industrie (2023-2027 ti-2703, which took its communes) and Nord Franche-Comté (2023-2027 ti-2708: the
same id as Ouest Saône-et-Loire for another territory) — and generated example projects, envelopes and sites.
territoires.csv lines: 2 = 2019-2022 ti-2702, 3 = 2019-2022 ti-2708, 4 = 2023-2027 ti-2703, 5 = 2023-2027 ti-2704,
6 = 2023-2027 ti-2708.
"""

from conftest import add_row, read_rows, set_cell, tree_digest, write_rows


def perimeter_line(root, phase, id_ti, index=0):
    _, rows = read_rows(root / "datasets" / "territoires_communes.csv")
    lines = [n + 2 for n, row in enumerate(rows) if (row["phase"], row["id_ti"]) == (phase, id_ti)]
    return lines[index], rows[lines[index] - 2]


def remove_rows(root, file, keep):
    path = root / "datasets" / file
    fields, rows = read_rows(path)
    write_rows(path, fields, [r for r in rows if keep(r)])


def test_small_package_passes(petit, run):
    result = run(petit, "check")
    assert result.code == 0, result.text
    assert "aucun problème" in result.out


def test_shipped_package_passes(run):
    from conftest import ROOT

    result = run(ROOT, "check")
    assert result.code == 0, result.text
    assert "aucun problème" in result.out


def test_check_never_changes_datasets(petit, run):
    set_cell(petit, "projets.csv", 2, "date_debut", "23/06/2023")
    before = tree_digest(petit / "datasets")
    run(petit, "check")
    assert tree_digest(petit / "datasets") == before


def test_commune_in_two_territories_of_one_phase_is_refused(petit, run):
    _, row = perimeter_line(petit, "2023-2027", "ti-2704")
    line = add_row(petit, "territoires_communes.csv", insee_com=row["insee_com"], lib_com=row["lib_com"],
                   id_ti="ti-2703", lib_ti="Bourgogne Industrie", phase="2023-2027")
    result = run(petit, "check")
    assert result.code == 1
    assert f"datasets/territoires_communes.csv, ligne {line}, colonne insee_com : « {row['insee_com']} »" in result.err
    assert "appartient déjà au territoire ti-2704" in result.err


def test_commune_in_territories_of_two_phases_is_accepted(petit, run):
    _, rows = read_rows(petit / "datasets" / "territoires_communes.csv")
    le_creusot = {(r["phase"], r["id_ti"]) for r in rows if r["insee_com"] == "71153"}
    assert le_creusot == {("2019-2022", "ti-2708"), ("2023-2027", "ti-2703")}
    assert run(petit, "check").code == 0


def test_commune_name_differing_from_the_referential_is_refused(petit, run):
    line, _ = perimeter_line(petit, "2023-2027", "ti-2704")
    set_cell(petit, "territoires_communes.csv", line, "lib_com", "Chalon-la-Belle")
    result = run(petit, "check")
    assert result.code == 1
    assert f"ligne {line}, colonne lib_com : « Chalon-la-Belle »" in result.err
    assert "datasets/referentiel/communes.csv nomme" in result.err


def test_commune_filed_under_another_departement_than_its_insee_code_is_refused(petit, run):
    # found by the property tests: check accepted it, then the commune finder stopped the build
    set_cell(petit, "referentiel/communes.csv", 2, "code_dep", "03")
    result = run(petit, "check")
    assert result.code == 1
    assert "datasets/referentiel/communes.csv, ligne 2, colonne code_dep : « 03 » — écrivez 01 : le code INSEE 01370 est celui d'une commune de ce département" in result.err


def test_territory_name_is_the_one_of_the_same_phase(petit, run):
    # ti-2708 is Ouest Saône-et-Loire in 2019-2022 and Nord Franche-Comté in 2023-2027
    line, _ = perimeter_line(petit, "2023-2027", "ti-2708")
    set_cell(petit, "territoires_communes.csv", line, "lib_ti", "Ouest Saône-et-Loire")
    result = run(petit, "check")
    assert result.code == 1
    assert f"ligne {line}, colonne lib_ti : « Ouest Saône-et-Loire » — datasets/territoires.csv nomme 2023-2027 ti-2708 « Nord Franche-Comté »" in result.err


def test_territory_without_communes_is_refused(petit, run):
    remove_rows(petit, "territoires_communes.csv", lambda r: (r["phase"], r["id_ti"]) != ("2023-2027", "ti-2708"))
    result = run(petit, "check")
    assert result.code == 1
    assert "ligne 6, colonne id_ti : « ti-2708 » — aucune commune de datasets/territoires_communes.csv n'appartient à ce territoire pour la phase 2023-2027" in result.err


def test_communes_joining_without_the_rest_of_their_epci_are_accepted(run):
    from conftest import ROOT

    _, groupings = read_rows(ROOT / "datasets" / "territoires_groupements.csv")
    assert sum(1 for g in groupings if g["phase"] == "2023-2027" and g["nature_groupement"] == "COM") == 12
    result = run(ROOT, "--strict", "check")
    assert result.code == 0, result.text


def test_departements_differing_from_the_perimeter_are_refused(petit, run):
    set_cell(petit, "territoires.csv", 5, "codes_dep", "21 71")
    result = run(petit, "check")
    assert result.code == 1
    assert "ligne 5, colonne codes_dep : « 21 71 » — les communes du périmètre donnent « 71 »" in result.err


def test_unknown_territory_reference_is_refused(petit, run):
    set_cell(petit, "projets.csv", 3, "id_ti", "ti-9999")
    result = run(petit, "check")
    assert result.code == 1
    assert ("datasets/projets.csv, ligne 3, colonne phase, id_ti : « 2023-2027, ti-9999 » — absent des colonnes phase, id_ti"
            " (ensemble) de datasets/territoires.csv") in result.err


def test_a_territory_is_found_by_its_phase_and_its_id_together(petit, run):
    # the 2019-2022 project of ti-2708 (Ouest Saône-et-Loire, Le Creusot) moved to 2023-2027 names Nord Franche-Comté
    set_cell(petit, "projets.csv", 5, "phase", "2023-2027")
    result = run(petit, "check")
    assert result.code == 1
    assert "ligne 5, colonne insee_com : « 71153 » — cette commune n'est pas dans le périmètre du territoire ti-2708 (2023-2027)" in result.err


def test_project_commune_outside_its_territory_is_refused(petit, run):
    set_cell(petit, "projets.csv", 4, "insee_com", read_commune(petit, "Marcigny"))
    result = run(petit, "check")
    assert result.code == 1
    assert "datasets/projets.csv, ligne 4, colonne insee_com" in result.err
    assert "n'est pas dans le périmètre du territoire ti-2704 (2023-2027)" in result.err


def read_commune(root, name):
    _, communes = read_rows(root / "datasets" / "referentiel" / "communes.csv")
    return next(c["insee_com"] for c in communes if c["lib_com"] == name)


def test_public_funding_above_total_cost_is_refused(petit, run):
    set_cell(petit, "projets.csv", 2, "financement_public_eur", "2600000")
    result = run(petit, "check")
    assert result.code == 1
    assert "ligne 2, colonne financement_public_eur : « 2600000 » — le financement public dépasse le coût total (2500000)" in result.err


def test_public_funding_equal_to_total_cost_is_accepted(petit, run):
    set_cell(petit, "projets.csv", 2, "financement_public_eur", "2500000")
    assert run(petit, "check").code == 0


def test_end_date_before_start_is_refused(petit, run):
    set_cell(petit, "projets.csv", 2, "date_fin", "2024-02-28")
    result = run(petit, "check")
    assert result.code == 1
    assert "ligne 2, colonne date_fin : « 2024-02-28 » — la date de fin précède la date de début (2024-03-01)" in result.err


def test_site_in_a_territory_that_does_not_hold_its_commune_is_refused(petit, run):
    set_cell(petit, "sites_cles_en_main.csv", 2, "id_ti", "ti-2704")
    result = run(petit, "check")
    assert result.code == 1
    assert ("datasets/sites_cles_en_main.csv, ligne 2, colonne id_ti : « ti-2704 » — le territoire est celui dont le"
            " périmètre contient la commune ; écrivez ti-2703 dans id_ti et 2023-2027 dans phase") in result.err


def test_site_without_the_territory_that_holds_its_commune_is_refused(petit, run):
    set_cell(petit, "sites_cles_en_main.csv", 2, "id_ti", "")
    set_cell(petit, "sites_cles_en_main.csv", 2, "phase", "")
    result = run(petit, "check")
    assert result.code == 1
    assert "écrivez ti-2703 dans id_ti et 2023-2027 dans phase : ce territoire contient sa commune 71153" in result.err


def test_site_outside_every_territory_has_no_territory(petit, run):
    assert run(petit, "check").code == 0  # scem-ex-02, in Marcigny, has an empty id_ti and phase


def test_territory_shares_above_the_national_envelope_are_refused(petit, run):
    set_cell(petit, "enveloppes.csv", 4, "montant_eur", "99990000")
    result = run(petit, "check")
    assert result.code == 1
    assert "datasets/enveloppes.csv, ligne 2, colonne montant_eur : « 100000000 » — les 2 parts territoriales" in result.err


def test_territory_shares_within_the_national_envelope_are_accepted(petit, run):
    set_cell(petit, "enveloppes.csv", 4, "montant_eur", "99960000")
    assert run(petit, "check").code == 0


def test_filiation_out_of_date_with_the_perimeters_is_refused(petit, run):
    set_cell(petit, "territoires_filiations.csv", 3, "communes_en_commun", "50")
    result = run(petit, "check")
    assert result.code == 1
    assert ("datasets/territoires_filiations.csv, ligne 3, colonne communes_en_commun : « 50 » — les périmètres donnent 51 ;"
            " recalculez-la") in result.err


def test_missing_filiation_is_refused(petit, run):
    remove_rows(petit, "territoires_filiations.csv", lambda r: r["id_ti"] != "ti-2704")
    result = run(petit, "check")
    assert result.code == 1
    assert "2023-2027 ti-2704 partage 51 communes avec ce territoire, mais la ligne manque" in result.err


def test_filiation_between_territories_without_common_communes_is_refused(petit, run):
    add_row(petit, "territoires_filiations.csv", id_ti="ti-2708", id_ti_precedent="ti-2702")
    result = run(petit, "check")
    assert result.code == 1
    assert "colonne id_ti_precedent : « ti-2702 » — ces deux territoires n'ont aucune commune en commun" in result.err


def test_text_starting_like_a_formula_is_refused(petit, run):
    set_cell(petit, "projets.csv", 2, "titre", "=HYPERLINK(\"http://x\")")
    result = run(petit, "check")
    assert result.code == 1
    assert "ligne 2, colonne titre" in result.err
    assert "ne doit pas commencer par =, +, - ou @" in result.err


def test_text_with_an_html_tag_is_refused(petit, run):
    set_cell(petit, "projets.csv", 2, "resume", "Voir <script>alert(1)</script>")
    result = run(petit, "check")
    assert result.code == 1
    assert "ligne 2, colonne resume" in result.err and "balise HTML" in result.err


def test_text_with_ordinary_signs_is_accepted(petit, run):
    set_cell(petit, "projets.csv", 2, "titre", "R&D | *usine* _4.0_ # 100 % > objectif")
    assert run(petit, "check").code == 0


def test_example_row_in_a_resource_declared_real_is_refused(petit, run):
    from tidata.maintenance.package_writer import set_example_flag

    path = petit / "datapackage.yaml"
    path.write_text(set_example_flag(path.read_text(encoding="utf-8"), "projets", False), encoding="utf-8")
    result = run(petit, "check")
    assert result.code == 1
    assert ("datasets/projets.csv, ligne 2, colonne source : « exemple » — une ligne d'exemple générée ne peut pas être"
            " publiée : datapackage.yaml déclare « projets » réelle (exemple: false)") in result.err


def test_evolution_out_of_date_with_the_perimeters_is_refused(petit, run):
    _, rows = read_rows(petit / "datasets" / "communes_evolution.csv")
    line = next(n + 2 for n, row in enumerate(rows) if row["statut"] == "maintenue")
    set_cell(petit, "communes_evolution.csv", line, "statut", "entree")
    result = run(petit, "check")
    assert result.code == 1
    assert f"datasets/communes_evolution.csv, ligne {line}, colonne statut : « entree » — les périmètres donnent « maintenue »" in result.err


def test_grant_placed_in_a_territory_that_does_not_hold_its_commune_is_refused(petit, run):
    _, rows = read_rows(petit / "datasets" / "fonds_vert.csv")
    line = next(n + 2 for n, row in enumerate(rows) if row["id_ti"] == "ti-2704")
    set_cell(petit, "fonds_vert.csv", line, "id_ti", "ti-2703")
    result = run(petit, "check")
    assert result.code == 1
    assert f"datasets/fonds_vert.csv, ligne {line}, colonne id_ti : « ti-2703 » — le territoire est celui dont le" \
           " périmètre contient la commune ; écrivez ti-2704" in result.err


def test_missing_grant_is_refused_by_the_published_total(petit, run):
    path = petit / "datasets" / "fonds_vert.csv"
    fields, rows = read_rows(path)
    write_rows(path, fields, rows[:-1])
    result = run(petit, "check")
    assert result.code == 1
    assert "Total publié" in result.err and "une ligne manque, est en double ou a changé de montant" in result.err


def test_invisible_control_character_in_a_name_is_refused_with_its_position(petit, run):
    set_cell(petit, "projets.csv", 2, "titre", "Campus\u0085des métiers")
    result = run(petit, "check")
    assert result.code == 1
    assert "ligne 2, colonne titre : « Campus\\u0085des métiers » — caractère de contrôle U+0085 en position 7" in result.err


def test_verbatim_duplicate_territory_row_is_reported_not_a_crash(petit, run):
    path = petit / "datasets" / "territoires.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [lines[2]]) + "\n", encoding="utf-8")
    result = run(petit, "check")
    assert result.code == 1 and "Traceback" not in result.text
    assert "ligne 7, colonne phase, id_ti : « 2019-2022, ti-2708 » — déjà utilisé ligne 3" in result.err
