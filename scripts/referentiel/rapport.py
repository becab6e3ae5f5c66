"""RAPPORT.md: what a refresh read, built and measured, in French, with no date so that it stays deterministic."""

from __future__ import annotations

from collections import Counter

from .parametres import COGITER, CREDIT, DECIMALS, LAYERS, OUT, OUTPUTS, ROOT


def write_report(c: dict) -> None:
    lines = report_header(c) + report_outlines(c) + report_points(c) + report_layers(c)
    lines += ["", "## Fichiers", ""]
    lines += [f"- {name} : {fr((OUT / name).stat().st_size / 1e6, 2)} Mo" for name in OUTPUTS]
    lines += [
        "",
        "Actualisation : `make referentiel` (chaque janvier, avec la nouvelle version du paquet",
        "@etalab/decoupage-administratif et des contours COGiter du même millésime).",
        "",
    ]
    (OUT / "RAPPORT.md").write_text("\n".join(lines), encoding="utf-8")


def report_header(c: dict) -> list[str]:
    without_epci = [row for row in c["commune_rows"] if not row["siren_epci"]]
    made_up = [e for e in c["epci_rows"] if e["siren_epci"].startswith("99")]
    types = Counter(e["type_epci"] for e in c["epci_rows"])
    labels = {row["insee_com"]: f"{row['lib_com']} ({row['insee_com']})" for row in c["commune_rows"]}
    year = c["cog_year"]
    files = ", ".join(f"`{name}` ({crs}, {fr_int(count)} communes)" for name, (crs, count) in sorted(c["files"].items()))
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
        f"- Contours des communes : {CREDIT}.",
        f"  Fichiers du paquet R COGiter copiés dans `{COGITER.relative_to(ROOT)}/` (provenance, commits et sommes SHA-256 :",
        f"  `PROVENANCE.md`, vérifiées avant lecture) : {files}.",
        "",
        "## Effectifs",
        "",
        f"- Régions : {len(c['region_rows'])}",
        f"- Départements : {len(c['departement_rows'])}",
        f"- EPCI à fiscalité propre : {len(c['epci_rows'])} ({', '.join(f'{t} {n}' for t, n in sorted(types.items()))})",
        f"- Communes : {len(c['commune_rows'])} (communes actuelles de métropole et des DROM ; sans les {c['excluded_com']} communes",
        "  des collectivités d'outre-mer, ni les arrondissements municipaux, communes déléguées et communes associées)",
        f"- Communes sans EPCI : {len(without_epci)} ({', '.join(labels[r['insee_com']] for r in without_epci)}).",
        f"- Population d'un EPCI : somme des populations municipales {year - 3} de ses communes. Département du siège : le",
        "  paquet ne le donne pas ; c'est le département qui porte la plus grande part de la population de l'EPCI.",
    ]
    if made_up:
        lines.append(f"- EPCI au code inventé commençant par 99 (pas un SIREN) : {', '.join(e['siren_epci'] + ' ' + e['lib_epci'] for e in made_up)} ; conservés tels que la source les donne, à remplacer dès que leur SIREN sera publié.")
    else:
        lines.append("- EPCI au code inventé commençant par 99 : aucun dans cette version, tous les codes sont des SIREN.")
    return lines


def report_outlines(c: dict) -> list[str]:
    communes = c["checks"]["communes.geojson"]
    return [
        "",
        "## Contours des communes",
        "",
        f"- Un contour par commune du COG : {fr_int(communes['features'])} contours pour {fr_int(len(c['commune_rows']))} communes"
        " (aucune commune sans contour, aucun contour sans commune : le script s'arrête sinon).",
        "- Généralisation : celle de COGiter (mapshaper, 3 % des sommets d'ADMIN EXPRESS gardés sur toute la couche,",
        "  frontières communes préservées) ; aucune simplification n'est ajoutée (tolérance : 0). Les sommets sont",
        f"  projetés en WGS84 (EPSG:4326) par pyproj puis arrondis à 1e-{DECIMALS}° (≈ 1 m), {DECIMALS} décimales : deux communes",
        "  voisines gardent exactement les mêmes sommets sur leur frontière.",
        f"- Mosaïque : {'valide' if communes['coverage_valid'] else 'NON VALIDE'} (`coverage_is_valid` : ni chevauchement, ni frontière mal raccordée) ;"
        f" chevauchements {fr(communes['overlap_km2'], 6)} km² ;",
        f"  trous {communes['gaps']} ({fr(communes['gap_km2'], 6)} km²) en dehors des enclaves étrangères, qui restent des trous :"
        f" {', '.join(communes['enclaves']) or 'aucune'}.",
    ]


def report_points(c: dict) -> list[str]:
    labels = {row["insee_com"]: f"{row['lib_com']} ({row['insee_com']})" for row in c["commune_rows"]}
    return [
        "",
        "## Points de référence des communes",
        "",
        "- Latitude et longitude de communes.csv : le centre du plus grand cercle inscrit dans le contour publié de la",
        "  commune (le point le plus éloigné de ses limites), arrondi à 5 décimales. Le paquet du COG ne donne pas de point.",
        f"- Points hors de leur commune (contrôle sur les fichiers écrits) : {len(c['outside'])}"
        + (" : " + ", ".join(labels[code] for code in c["outside"]) + "." if c["outside"] else "."),
    ]


def report_layers(c: dict) -> list[str]:
    lines = [
        "",
        "## Contours publiés",
        "",
        "Les EPCI, départements et régions sont l'union exacte de leurs communes (`coverage_union_all` sur la mosaïque",
        "des communes : aucune simplification, aucun sommet nouveau), avec la composition du COG ci-dessus ; les",
        f"{len(c['island_communes'])} communes sans EPCI (îles) figurent dans departements.geojson et regions.geojson, pas dans epci.geojson.",
        "Contrôle des fichiers écrits, relus :",
        "",
        "| Fichier | Contours | Sommets | Invalides | Mosaïque valide | Chevauchements (km²) | Trous hors enclaves | Enclaves | Taille | Compressé (gzip -9) |",
        "|---|--:|--:|--:|---|--:|--:|---|--:|--:|",
    ]
    for name in LAYERS:
        check = c["checks"][name]
        lines.append(
            f"| {name} | {fr_int(check['features'])} | {fr_int(check['vertices'])} | {check['invalid'] + check['empty']}"
            f" | {'oui' if check['coverage_valid'] else 'NON'} | {fr(check['overlap_km2'], 6)} | {check['gaps']}"
            f" | {', '.join(check['enclaves']) or 'aucune'} | {fr(check['bytes'] / 1e6, 2)} Mo | {fr(check['gzip_bytes'] / 1e6, 2)} Mo |"
        )
    return lines


def fr(value: float, decimals: int = 1) -> str:
    """A number written the French way (decimal comma)."""
    text = f"{value:.{decimals}f}"
    return (text.lstrip("-") if float(text) == 0 else text).replace(".", ",")


def fr_int(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")  # narrow no-break space, as on the site
