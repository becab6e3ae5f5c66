"""The commune mosaic: one outline per COG commune, checked as a coverage, and a reference point inside each.

COGiter's outlines already match the COG commune set and tile France without gap or overlap (Llívia, a Spanish
enclave, is the one hole); this stage checks that instead of repairing anything, and stops with the list of
codes if the two disagree (a new COG with merged or split communes needs a newer COGiter: see PROVENANCE.md).
"""

from __future__ import annotations

import sys

import numpy as np
import shapely

from .parametres import POINT_TOLERANCE


def commune_outlines(communes: list[dict], outlines: dict[str, shapely.Geometry]) -> dict[str, shapely.Geometry]:
    """The outline of each COG commune, sorted by code; stops if a commune has none or an outline no commune."""
    codes = [c["code"] for c in communes]
    missing, extra = sorted(set(codes) - set(outlines)), sorted(set(outlines) - set(codes))
    if missing or extra:
        sys.exit(
            "Les contours COGiter et le COG ne concordent pas :\n"
            f"- communes du COG sans contour ({len(missing)}) : {', '.join(missing) or 'aucune'}\n"
            f"- contours sans commune du COG ({len(extra)}) : {', '.join(extra) or 'aucun'}\n"
            "Copiez une version de COGiter au même millésime que le COG (datasets/sources/cogiter/PROVENANCE.md)."
        )
    shapes = np.array([outlines[code] for code in codes], dtype=object)
    invalid = [code for code, valid in zip(codes, shapely.is_valid(shapes)) if not valid]
    if invalid:
        sys.exit(f"Contours invalides une fois en WGS84 à 5 décimales : {', '.join(invalid)}")
    if not shapely.coverage_is_valid(shapes):
        sys.exit("Les contours des communes ne forment plus une mosaïque valide (chevauchements ou frontières"
                 " non partagées) une fois en WGS84 à 5 décimales.")
    return {code: outlines[code] for code in codes}


def commune_points(shapes: dict[str, shapely.Geometry]) -> dict[str, tuple[float, float]]:
    """A reference point per commune: the centre of the largest circle inscribed in its outline (the point
    farthest from its border, inside it by construction, even for a crescent or a commune in several parts)."""
    codes = sorted(shapes)
    circles = shapely.maximum_inscribed_circle(np.array([shapes[c] for c in codes], dtype=object), POINT_TOLERANCE)
    centres = shapely.get_coordinates(shapely.get_point(circles, 0))
    return {code: (float(x), float(y)) for code, (x, y) in zip(codes, centres)}
