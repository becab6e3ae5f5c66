"""Stable addresses: a territory's page, downloads and API file depend on its phase and id only, never on its name."""

from conftest import read_rows, write_rows

from tidata.core import urls
from tidata.core.project import Project
from tidata.exports import api, gather
from tidata.model.views import Catalogue


def catalogue(root):
    project = Project(root)
    return Catalogue.read(project, last_change="2026-11-27")


def test_a_renamed_territory_keeps_its_page_downloads_and_api_addresses(petit):
    before = catalogue(petit)
    for name in ("territoires.csv", "territoires_communes.csv"):
        path = petit / "datasets" / name
        fields, rows = read_rows(path)
        for row in rows:
            if (row["phase"], row["id_ti"]) == ("2023-2027", "ti-2704"):
                row["lib_ti"] = "Grand Chalon, nouveau nom"
        write_rows(path, fields, rows)
    after = catalogue(petit)
    assert after.pages == before.pages
    assert after.pages["2023-2027/ti-2704"] == "territoires/2023-2027/ti-2704.md" == urls.territory_page("2023-2027/ti-2704")
    assert gather.territory_folder("2023-2027/ti-2704") == "donnees/territoires/2023-2027/ti-2704"
    assert set(api.api_files(after)) == set(api.api_files(before))
