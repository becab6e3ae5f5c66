"""Maps drawn at build time: inline SVG that is valid, accessible, small, escaped and the same at every build."""

import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import FIXTURE, ROOT

from tidata.model.load import read_outlines
from tidata.site import maps, projection

SVG = "{http://www.w3.org/2000/svg}"
REFERENTIEL = ROOT / "datasets" / "referentiel"
PETIT = FIXTURE / "datasets" / "referentiel"
NASTY = "<script>alert(1)</script> & \"guillemets\" 'apostrophes'"


def features(path, key, label):
    with open(path, encoding="utf-8") as f:
        return {feature["properties"][key]: feature["properties"][label] for feature in json.load(f)["features"]}


def epci_shapes(path=REFERENTIEL / "epci.geojson", **extra):
    names = features(path, "siren_epci", "lib_epci")
    geometries = read_outlines(path, "siren_epci", "lib_epci")
    return [maps.Shape(key, geometries[key], names[key], **{k: v.format(key=key) for k, v in extra.items()})
            for key in sorted(geometries)]


def departement_shapes(path=REFERENTIEL / "departements.geojson"):
    names = features(path, "code_dep", "lib_dep")
    geometries = read_outlines(path, "code_dep", "lib_dep")
    return [maps.Shape(code, geometries[code], names[code], css_class="carte-fond") for code in sorted(geometries)]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    return root


def view_box(root) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in root.get("viewBox").split())


def path_points(d: str) -> list[tuple[float, float]]:
    """Absolute points of path data made of M, l and z commands (what the maps write)."""
    points, x, y = [], 0.0, 0.0
    for command, arguments in re.findall(r"([MlzZ])([^MlzZ]*)", d):
        values = [float(v) for v in re.findall(r"-?(?:\d+(?:\.\d*)?|\.\d+)", arguments)]
        if command == "M":
            x, y = values[0], values[1]
            points.append((x, y))
        elif command == "l":
            for dx, dy in zip(values[::2], values[1::2]):
                x, y = x + dx, y + dy
                points.append((x, y))
    return points


def all_points(root) -> np.ndarray:
    points = [p for path in root.iter(SVG + "path") for p in path_points(path.get("d"))]
    points += [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(SVG + "circle")]
    return np.array(points)


# --- Lambert-93 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lon, lat, x, y", [
    (2.3522, 48.8566, 652469.02, 6862035.26),  # Paris
    (5.3698, 43.2965, 892390.22, 6247035.26),  # Marseille
    (-4.4861, 48.3904, 146632.98, 6836262.33),  # Brest
    (7.7521, 48.5734, 1050362.70, 6840899.65),  # Strasbourg
])
def test_lambert93_gives_the_published_coordinates_of_reference_points(lon, lat, x, y):
    east, north = projection.lambert93(lon, lat)
    assert east == pytest.approx(x, abs=1.0)
    assert north == pytest.approx(y, abs=1.0)


def test_lambert93_puts_the_projection_origin_at_the_false_easting_and_northing():
    assert projection.lambert93(3.0, 46.5) == pytest.approx((700000.0, 6600000.0), abs=1e-6)


def test_lambert93_projects_arrays_point_by_point():
    x, y = projection.lambert93(np.array([2.3522, 3.0]), np.array([48.8566, 46.5]))
    assert x.shape == y.shape == (2,)
    assert (x[1], y[1]) == pytest.approx(projection.lambert93(3.0, 46.5))


# --- Outlines -----------------------------------------------------------------------------------------------


def test_load_shapes_reads_every_feature_by_key_once():
    first = read_outlines(PETIT / "epci.geojson", "siren_epci", "lib_epci")
    again = read_outlines(PETIT / "epci.geojson", "siren_epci", "lib_epci")
    assert sorted(first) == sorted(features(PETIT / "epci.geojson", "siren_epci", "lib_epci"))
    assert all(first[key] is again[key] for key in first)  # read once, not parsed again


def test_outlines_read_from_their_lines_equal_those_read_from_any_layout(tmp_path):
    """The refresh script's layout (one feature per line) is read from its lines, any other layout from its JSON
    values: the same geometries either way."""
    import json

    pretty = tmp_path / "epci.geojson"
    pretty.write_text(json.dumps(json.loads((PETIT / "epci.geojson").read_text(encoding="utf-8")), indent=1), encoding="utf-8")
    by_lines = read_outlines(PETIT / "epci.geojson", "siren_epci", "lib_epci")
    by_values = read_outlines(pretty, "siren_epci", "lib_epci")
    assert list(by_lines) == list(by_values)
    assert all(shapely.equals_exact(by_lines[key], by_values[key], tolerance=0) for key in by_lines)


def test_load_shapes_refuses_a_file_without_the_properties_asked():
    with pytest.raises(ValueError, match="code_dep"):
        read_outlines(PETIT / "epci.geojson", "code_dep", "lib_dep")


# --- Map of France ------------------------------------------------------------------------------------------


def test_france_map_is_well_formed_svg_scaling_with_its_container():
    root = parse(maps.france_map(epci_shapes(PETIT / "epci.geojson"), departement_shapes(), title="Carte"))
    assert root.get("width") == "100%"
    assert len(view_box(root)) == 4


def test_every_link_of_the_map_has_a_target_and_an_accessible_name():
    shapes = epci_shapes(PETIT / "epci.geojson", href="../territoires/{key}/")
    points = [maps.Point("site-1", 4.4, 46.8, "Parc d'activités", href="#site-1")]
    root = parse(maps.france_map(shapes, departement_shapes(), points, title="Carte des territoires"))
    links = list(root.iter(SVG + "a"))
    assert len(links) == len(shapes) + len(points)
    for link in links:
        assert link.get("href")
        assert link.get("aria-label") and link.find(SVG + "title").text == link.get("aria-label")


def test_a_map_with_links_is_a_group_named_by_its_title():
    root = parse(maps.france_map(epci_shapes(PETIT / "epci.geojson", href="{key}/"), [], title="Carte des territoires"))
    title = root.find(SVG + "title")
    assert root.get("role") == "group"
    assert root.get("aria-labelledby") == title.get("id") and title.text == "Carte des territoires"


def test_a_map_without_links_is_an_image():
    root = parse(maps.france_map(epci_shapes(PETIT / "epci.geojson"), departement_shapes(), title="Carte"))
    assert root.get("role") == "img"
    assert root.find(SVG + "a") is None


def test_home_map_with_every_epci_of_the_referential_weighs_under_400_kb():
    shapes = epci_shapes(href="territoires/{key}/", css_class="carte-territoire")
    svg = maps.france_map(shapes, departement_shapes(), title="Carte des EPCI")
    assert len(svg.encode()) < 400_000
    assert len(list(parse(svg).iter(SVG + "a"))) == len(shapes) == 1255  # overseas EPCIs included, in insets


def test_map_of_the_101_departements_weighs_under_150_kb():
    svg = maps.france_map(departement_shapes(), [], title="Départements")
    assert len(svg.encode()) < 150_000
    assert len(list(parse(svg).iter(SVG + "path"))) == 101


def test_overseas_departements_are_drawn_in_named_insets_below_the_mainland():
    overseas = [s for s in departement_shapes() if s.key.startswith("97")]
    svg = maps.france_map([maps.Shape(s.key, s.geometry, s.label) for s in overseas], [], title="Outre-mer")
    root = parse(svg)
    assert len(list(root.iter(SVG + "path"))) == 5
    assert {t.text for t in root.iter(SVG + "text")} == {"Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"}
    mainland = [s for s in departement_shapes() if not s.key.startswith("97")]
    lowest_mainland_point = all_points(parse(maps.france_map(mainland, [], title="Métropole")))[:, 1].max()
    assert all_points(root)[:, 1].min() > lowest_mainland_point


def test_shapes_and_points_outside_every_frame_are_left_out():
    saint_pierre = shapely.box(-56.4, 46.75, -56.1, 47.1)  # an overseas collectivity, not a département
    svg = maps.france_map([maps.Shape("975", saint_pierre, "Saint-Pierre-et-Miquelon", href="spm/")], [],
                          [maps.Point("p", -63.05, 18.07, "Saint-Martin")], title="Carte")
    assert "Saint-Pierre" not in svg and "Saint-Martin" not in svg


def test_a_label_with_markup_and_quotes_is_escaped_everywhere():
    geometry = read_outlines(PETIT / "epci.geojson", "siren_epci", "lib_epci")["200070316"]
    svg = maps.france_map([maps.Shape("k", geometry, NASTY, href='t/?a=1&b="2"')],
                          [], [maps.Point("p", 4.4, 46.8, NASTY)], title=NASTY)
    assert "<script" not in svg
    root = parse(svg)
    link = root.find(f"{SVG}g/{SVG}a")
    assert link.get("aria-label") == NASTY and link.get("href") == 't/?a=1&b="2"'
    assert root.find(SVG + "title").text == NASTY


def test_a_javascript_link_is_refused():
    geometry = read_outlines(PETIT / "epci.geojson", "siren_epci", "lib_epci")["200070316"]
    with pytest.raises(ValueError):
        maps.france_map([maps.Shape("k", geometry, "x", href="javascript:alert(1)")], [], title="Carte")


def test_same_input_in_any_order_gives_the_same_bytes():
    shapes = epci_shapes(PETIT / "epci.geojson", href="{key}/")
    background = departement_shapes()
    first = maps.france_map(shapes, background, title="Carte")
    assert maps.france_map(list(reversed(shapes)), list(reversed(background)), title="Carte") == first


def test_maps_hold_no_script_no_external_resource_and_no_inline_colour():
    svg = maps.france_map(epci_shapes(PETIT / "epci.geojson", href="{key}/"), departement_shapes(), title="Carte")
    root = parse(svg)
    assert root.find(f".//{SVG}script") is None
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for element in root.iter():
        assert element.get("style") is None
        assert not (element.get("fill") or "").startswith("#") and not (element.get("stroke") or "").startswith("#")


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of a #rgb or #rrggbb colour against white."""
    digits = colour[1:] if len(colour) == 7 else "".join(c * 2 for c in colour[1:])
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_default_colours_of_what_the_map_shows_stand_out_from_white_and_links_show_focus():
    svg = maps.france_map(epci_shapes(PETIT / "epci.geojson", href="{key}/"), [], title="Carte")
    style = parse(svg).find(SVG + "style").text
    rule = lambda selector: re.search(re.escape(selector) + r"\{([^}]*)\}", style).group(1)
    assert contrast_with_white(re.search(r"fill:(#\w+)", rule(":where(.carte-formes)")).group(1)) >= 3
    assert contrast_with_white(re.search(r"stroke:(#\w+)", rule(":where(.carte-points)")).group(1)) >= 3
    assert contrast_with_white(re.search(r"fill:(#\w+)", rule(":where(.carte-repere)")).group(1)) >= 3
    assert "a:focus path" in style


# --- Zoom on an area ----------------------------------------------------------------------------------------


GRAND_CHALON = {"247100589", "247103765", "200040038", "247104094"}  # the EPCI of 2023-2027 ti-2704


def area_of_the_fixture(**kwargs) -> str:
    """The map of Grand Chalon (2023-2027), a territory of the small package."""
    own = [s for s in epci_shapes(PETIT / "epci.geojson", css_class="carte-epci") if s.key in GRAND_CHALON]
    keys = {s.key for s in own}
    around = [maps.Shape(s.key, s.geometry, "", css_class="carte-fond") for s in epci_shapes() if s.key not in keys]
    communes = pd.read_csv(PETIT / "communes.csv", dtype=str)
    communes = communes[communes.siren_epci.isin(GRAND_CHALON)].head(3).itertuples()
    points = [maps.Point(c.insee_com, float(c.longitude), float(c.latitude), f"Site de {c.lib_com}") for c in communes]
    return maps.area_map(own, around, points, title="Carte du territoire", **kwargs)


def test_area_map_of_the_fixture_fits_its_viewbox():
    root = parse(area_of_the_fixture())
    _, _, width, height = view_box(root)
    group = next(g for g in root.iter(SVG + "g") if g.get("class").startswith("carte-formes"))
    shapes = np.array([p for path in group.iter(SVG + "path") for p in path_points(path.get("d"))])
    assert shapes[:, 0].min() > 0 and shapes[:, 0].max() < width
    assert shapes[:, 1].min() > 0 and shapes[:, 1].max() < height
    spread = shapes.max(axis=0) - shapes.min(axis=0)
    assert spread[0] > 0.8 * width or spread[1] > 0.8 * height  # the view is fitted to the shapes
    every = all_points(root)  # the neighbours too: clipped to the view
    assert every.min() >= -2.1 and every[:, 0].max() <= width + 2.1 and every[:, 1].max() <= height + 2.1


def test_area_map_names_its_shapes_and_points_and_stays_small():
    svg = area_of_the_fixture()
    root = parse(svg)
    names = {t.text for t in root.iter(SVG + "title")}
    epci = features(PETIT / "epci.geojson", "siren_epci", "lib_epci")
    assert {epci[siren] for siren in GRAND_CHALON} <= names
    assert len(list(root.iter(SVG + "circle"))) == 3
    assert len(svg.encode()) < 60_000


def test_area_map_is_the_same_at_every_build():
    assert area_of_the_fixture() == area_of_the_fixture()


# --- Locator ------------------------------------------------------------------------------------------------


def test_locator_map_is_a_small_image_named_by_its_title():
    territory = shapely.union_all(list(read_outlines(PETIT / "epci.geojson", "siren_epci", "lib_epci").values()))
    svg = maps.locator_map(territory, departement_shapes(), title="Situation du territoire en France")
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "Situation du territoire en France"
    assert root.find(f"{SVG}path[@class='carte-repere']") is not None
    assert root.find(SVG + "a") is None
    assert len(svg.encode()) < 15_000


def test_locator_of_an_overseas_territory_shows_its_departement():
    reunion = read_outlines(REFERENTIEL / "departements.geojson", "code_dep", "lib_dep")["974"]
    root = parse(maps.locator_map(reunion, departement_shapes(), title="Situation"))
    highlight = np.array(path_points(root.find(f"{SVG}path[@class='carte-repere']").get("d")))
    _, _, width, _ = view_box(root)
    assert highlight[:, 0].max() - highlight[:, 0].min() > 0.8 * width  # the island fills the map
    assert [t.text for t in root.iter(SVG + "text")] == ["La Réunion"]
