"""The shipped data package: complete, self-describing, and valid for the standard frictionless tool."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from tidata.core.project import Project

PROJECT = Project(ROOT)


def table(name):
    return pd.read_csv(PROJECT.path(PROJECT.resource(name)), dtype=str, keep_default_na=False)


def test_referential_holds_every_commune_and_epci_of_the_cog():
    communes, epci = table("communes"), table("epci")
    assert len(communes) >= 34_000
    assert len(epci) >= 1_200
    assert communes["insee_com"].str.len().eq(5).all()  # codes keep their leading zeros
    assert "01001" in set(communes["insee_com"])


def test_every_epci_has_an_outline_and_every_outline_an_epci():
    features = json.loads((ROOT / "datasets/referentiel/epci.geojson").read_text(encoding="utf-8"))["features"]
    assert {f["properties"]["siren_epci"] for f in features} == set(table("epci")["siren_epci"])


def test_current_phase_has_183_territories():
    territories = table("territoires")
    assert (territories["phase"] == "2023-2027").sum() == 183
    assert (territories["phase"] == "2019-2022").sum() == 149


def test_generated_territories_are_never_named_after_real_ones():
    territories = table("territoires")
    generated = territories[territories["source"] == "exemple"]
    assert generated["lib_ti"].str.startswith("Exemple – ").all()
    assert generated["id_ti"].str.startswith("ti-ex-").all()


@pytest.mark.parametrize("resource", [r for r in PROJECT.tables if "source" in r.field_names], ids=lambda r: r.name)
def test_example_flag_matches_the_rows_sources(resource):
    sources = table(resource.name)["source"]
    assert resource.is_example == (sources == "exemple").any()


@pytest.mark.parametrize("resource", PROJECT.tables, ids=lambda r: r.name)
def test_every_field_is_described_in_french(resource):
    for field in resource.fields:
        assert field.get("description"), f"{resource.name}.{field['name']} n'a pas de description"
        assert field.get("title"), f"{resource.name}.{field['name']} n'a pas de titre"
        assert re.fullmatch(r"[a-z][a-z0-9_]*", field["name"]), "noms de colonnes en snake_case ASCII"


@pytest.mark.parametrize("resource", PROJECT.tables, ids=lambda r: r.name)
def test_every_pattern_is_fully_anchored_and_has_an_example(resource):
    for field in resource.fields:
        pattern = field.get("constraints", {}).get("pattern")
        if not pattern:
            continue
        assert not top_level_alternation(pattern), f"{resource.name}.{field['name']} : entourez l'alternative de (?:…)"
        assert "example" in field or resource.name in ("epci", "communes", "regions", "departements"), field["name"]


def top_level_alternation(pattern: str) -> bool:
    depth, escaped = 0, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


def test_standard_frictionless_tool_says_the_package_is_valid():
    tool = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(tool), "validate", "datapackage.yaml"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "INVALID" not in result.stdout
