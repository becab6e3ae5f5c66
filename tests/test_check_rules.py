"""`python build.py check`: the programme's rules, each with failing and passing data.

The package is tests/fixtures/petit: real communes and EPCIs of Saône-et-Loire, three example territories
(ti-ex-1001 for 2019-2022; ti-ex-2001, which renews it, and ti-ex-2002 for 2023-2027).
"""

from conftest import add_row, read_rows, set_cell, tree_digest, write_rows


def perimeter_line(root, id_ti, index=0):
    _, rows = read_rows(root / "datasets" / "territoires_communes.csv")
    lines = [n + 2 for n, row in enumerate(rows) if row["id_ti"] == id_ti]
    return lines[index], rows[lines[index] - 2]


def test_small_package_passes(petit, run):
    result = run(petit, "check")
    assert result.code == 0, result.text
    assert "aucun problème" in result.out


def test_shipped_package_passes(run):
    from conftest import ROOT

    result = run(ROOT, "check")
    assert result.code == 0, result.text


def test_check_never_changes_datasets(petit, run):
    set_cell(petit, "projets.csv", 2, "date_debut", "23/06/2023")
    before = tree_digest(petit / "datasets")
    run(petit, "check")
    assert tree_digest(petit / "datasets") == before


def test_commune_in_two_territories_of_one_phase_is_refused(petit, run):
    _, row = perimeter_line(petit, "ti-ex-2001")
    line = add_row(petit, "territoires_communes.csv", insee_com=row["insee_com"], lib_com=row["lib_com"],
                   id_ti="ti-ex-2002", lib_ti="Exemple – Grand Autunois Morvan")
    result = run(petit, "check")
    assert result.code == 1
    assert f"datasets/territoires_communes.csv, ligne {line}, colonne insee_com : « {row['insee_com']} »" in result.err
    assert "appartient déjà au territoire ti-ex-2001" in result.err


def test_commune_in_territories_of_two_phases_is_accepted(petit, run):
    _, rows = read_rows(petit / "datasets" / "territoires_communes.csv")
    first_phase = {r["insee_com"] for r in rows if r["id_ti"] == "ti-ex-1001"}
    second_phase = {r["insee_com"] for r in rows if r["id_ti"] == "ti-ex-2001"}
    assert first_phase & second_phase
    assert run(petit, "check").code == 0


def test_commune_name_differing_from_the_referential_is_refused(petit, run):
    line, row = perimeter_line(petit, "ti-ex-2002")
    set_cell(petit, "territoires_communes.csv", line, "lib_com", "Autun-la-Belle")
    result = run(petit, "check")
    assert result.code == 1
    assert f"ligne {line}, colonne lib_com : « Autun-la-Belle »" in result.err
    assert "datasets/referentiel/communes.csv nomme" in result.err


def test_territory_name_differing_from_territoires_is_refused(petit, run):
    line, _ = perimeter_line(petit, "ti-ex-2002")
    set_cell(petit, "territoires_communes.csv", line, "lib_ti", "Autre nom")
    result = run(petit, "check")
    assert result.code == 1
    assert "datasets/territoires.csv nomme ti-ex-2002 « Exemple – Grand Autunois Morvan »" in result.err


def test_territory_of_five_epci_is_refused_without_exception(petit, run):
    move_second_territory_and_marcigny_into_first(petit)
    result = run(petit, "check")
    assert result.code == 1
    assert "datasets/territoires.csv, ligne 3, colonne id_ti : « ti-ex-2001 » — le périmètre rassemble 5 EPCI" in result.err


def test_territory_of_five_epci_is_accepted_with_an_exception(petit, run):
    move_second_territory_and_marcigny_into_first(petit)
    set_cell(petit, "territoires.csv", 3, "exception_perimetre", "Dérogation accordée par le comité de pilotage.")
    result = run(petit, "check")
    assert "rassemble 5 EPCI" not in result.text


def move_second_territory_and_marcigny_into_first(root):
    path = root / "datasets" / "territoires_communes.csv"
    fields, rows = read_rows(path)
    lib = next(r["lib_ti"] for r in rows if r["id_ti"] == "ti-ex-2001")
    for row in rows:
        if row["id_ti"] == "ti-ex-2002":
            row.update(id_ti="ti-ex-2001", lib_ti=lib)
    _, communes = read_rows(root / "datasets" / "referentiel" / "communes.csv")
    for commune in communes:
        if commune["siren_epci"] == "247100639":
            rows.append({"insee_com": commune["insee_com"], "lib_com": commune["lib_com"], "id_ti": "ti-ex-2001",
                         "lib_ti": lib, "source": "exemple"})
    write_rows(path, fields, rows)


def test_territory_without_communes_is_refused(petit, run):
    path = petit / "datasets" / "territoires_communes.csv"
    fields, rows = read_rows(path)
    write_rows(path, fields, [r for r in rows if r["id_ti"] != "ti-ex-2002"])
    result = run(petit, "check")
    assert result.code == 1
    assert "ligne 4, colonne id_ti : « ti-ex-2002 » — aucune commune" in result.err


def test_epci_partly_inside_is_a_warning_and_fails_in_strict_mode(petit, run):
    path = petit / "datasets" / "territoires_communes.csv"
    fields, rows = read_rows(path)
    line, removed = perimeter_line(petit, "ti-ex-2002")
    write_rows(path, fields, [r for r in rows if r is not rows[line - 2]])
    result = run(petit, "check")
    assert result.code == 0, result.text
    assert "Avertissements — EPCI en partie dans un territoire" in result.out
    assert "l'EPCI 200070530 (CC du Grand Autunois Morvan) n'a que 54 de ses 55 communes" in result.out
    assert run(petit, "--strict", "check").code == 1


def test_departements_differing_from_the_perimeter_are_refused(petit, run):
    set_cell(petit, "territoires.csv", 4, "codes_dep", "21 71")
    result = run(petit, "check")
    assert result.code == 1
    assert "ligne 4, colonne codes_dep : « 21 71 » — les communes du périmètre donnent « 71 »" in result.err


def test_renewed_territory_without_predecessor_is_refused(petit, run):
    set_cell(petit, "territoires.csv", 3, "id_ti_precedent", "")
    result = run(petit, "check")
    assert result.code == 1
    assert "un territoire renouvelé indique dans id_ti_precedent" in result.err


def test_new_territory_with_predecessor_is_refused(petit, run):
    set_cell(petit, "territoires.csv", 4, "id_ti_precedent", "ti-ex-1001")
    result = run(petit, "check")
    assert result.code == 1
    assert "un nouveau territoire n'a pas de territoire précédent" in result.err


def test_unknown_territory_reference_is_refused(petit, run):
    set_cell(petit, "projets.csv", 3, "id_ti", "ti-ex-9999")
    result = run(petit, "check")
    assert result.code == 1
    assert "datasets/projets.csv, ligne 3, colonne id_ti : « ti-ex-9999 » — absent de la colonne id_ti de datasets/territoires.csv" in result.err


def test_project_commune_outside_its_territory_is_refused(petit, run):
    set_cell(petit, "projets.csv", 4, "insee_com", read_commune(petit, "Marcigny"))
    result = run(petit, "check")
    assert result.code == 1
    assert "datasets/projets.csv, ligne 4, colonne insee_com" in result.err
    assert "n'est pas dans le périmètre du territoire ti-ex-2002" in result.err


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
    set_cell(petit, "sites_cles_en_main.csv", 2, "id_ti", "ti-ex-2002")
    result = run(petit, "check")
    assert result.code == 1
    assert "ligne 2, colonne id_ti : « ti-ex-2002 » — le territoire d'un site est celui dont le périmètre contient sa commune" in result.err
    assert "elle est dans le territoire ti-ex-2001" in result.err


def test_site_outside_every_territory_may_have_no_territory(petit, run):
    assert run(petit, "check").code == 0  # scem-ex-02, in Marcigny, has an empty id_ti


def test_territory_shares_above_the_national_envelope_are_refused(petit, run):
    set_cell(petit, "enveloppes.csv", 4, "montant_eur", "99990000")
    result = run(petit, "check")
    assert result.code == 1
    assert "datasets/enveloppes.csv, ligne 2, colonne montant_eur : « 100000000 » — les 2 parts territoriales" in result.err


def test_territory_shares_within_the_national_envelope_are_accepted(petit, run):
    set_cell(petit, "enveloppes.csv", 4, "montant_eur", "99960000")
    assert run(petit, "check").code == 0


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
