"""The DCAT-AP catalogue and the public address, on the small package: the official DCAT-AP 3.0.1 shapes,
every published file as a distribution, the same distributions in schema.org, and one setting for the address.

data.gouv.fr's own harvester reads the catalogue of the shipped data in tests/e2e/test_moissonnage.py.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, copy_project
from dcat_ap import violations
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS

import build
from tidata.core.project import Project
from tidata.exports import dcat, downloads
from tidata.model.views import Catalogue

DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open namespaces: pytest's collection trips on rdflib's closed ones
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LICENCE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
PACKAGE = "territoires-d-industrie"
CATALOGUES = (("catalogue.ttl", "turtle"), ("catalogue.jsonld", "json-ld"))


def project_copy(parent: Path, site_url: str | None = None) -> Path:
    """A copy of the project on the small package; `site_url` replaces the address of mkdocs.yml."""
    root = copy_project(parent / "projet")
    if site_url:
        config = root / "mkdocs.yml"
        config.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {site_url}", config.read_text(encoding="utf-8")),
                          encoding="utf-8")
    return root


def built_site(parent: Path, site_url: str | None = None) -> Path:
    root = project_copy(parent, site_url)
    assert build.main(["--racine", str(root), "--quiet"]) == 0
    return root / "site"


def configured_address(root: Path = ROOT) -> str:
    return yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return built_site(tmp_path_factory.mktemp("catalogue"))


@pytest.fixture(scope="module")
def graph(site) -> Graph:
    return Graph().parse(site / "donnees" / "catalogue.ttl", format="turtle")


def published_files(site: Path) -> list[Path]:
    """The downloads: every file directly in donnees/, but its page and the catalogue itself."""
    return sorted(p for p in (site / "donnees").iterdir()
                  if p.is_file() and p.name != "index.html" and not p.name.startswith("catalogue."))


def dataset_of(graph: Graph, identifier: str) -> URIRef:
    found = [d for d in graph.subjects(DCTERMS.identifier, Literal(identifier)) if (d, RDF.type, DCAT.Dataset) in graph]
    assert len(found) == 1, identifier
    return found[0]


# ---- The official shapes ----


@pytest.mark.parametrize("name, fmt", CATALOGUES)
def test_catalogue_has_no_violation_of_the_full_dcat_ap_3_0_1_shapes(site, name, fmt):
    assert violations(site / "donnees" / name, fmt) == []


# ---- What the catalogue holds ----


def test_every_published_file_is_a_distribution_with_its_size_and_checksum(site, graph):
    import hashlib

    address = configured_address()
    files = published_files(site)
    assert {p.suffix for p in files} == {".csv", ".json", ".parquet", ".geojson", ".xlsx", ".zip"}
    by_url = {str(graph.value(d, DCAT.downloadURL)): d for d in graph.subjects(RDF.type, DCAT.Distribution)}
    assert set(by_url) == {f"{address}donnees/{p.name}" for p in files}
    for path in files:
        distribution = by_url[f"{address}donnees/{path.name}"]
        content = path.read_bytes()
        assert len(list(graph.subjects(DCAT.distribution, distribution))) == 1, path.name
        assert graph.value(distribution, DCAT.byteSize) == Literal(len(content), datatype=XSD.nonNegativeInteger)
        description = str(graph.value(distribution, DCTERMS.description))
        assert f"SHA-256 : {hashlib.sha256(content).hexdigest()}" in description, path.name
        assert (graph.value(distribution, DCAT.mediaType), RDF.type, DCTERMS.MediaType) in graph
        assert (graph.value(distribution, DCTERMS.format), RDF.type, DCTERMS.MediaTypeOrExtent) in graph


def test_one_dataset_per_resource_with_files_and_one_for_the_whole_package(graph):
    project = Project(ROOT)
    with_files = {r.name for r in project.resources}  # every resource has at least one download
    identifiers = {str(graph.value(d, DCTERMS.identifier)) for d in graph.subjects(RDF.type, DCAT.Dataset)}
    assert identifiers == {f"{PACKAGE}/{name}" for name in with_files} | {PACKAGE}
    package = dataset_of(graph, PACKAGE)
    names = {str(graph.value(d, DCAT.downloadURL)).rsplit("/", 1)[-1] for d in graph.objects(package, DCAT.distribution)}
    assert names == {"territoires-d-industrie.xlsx", "territoires-d-industrie.zip", "datapackage.json"}
    outlines = dataset_of(graph, f"{PACKAGE}/epci_contours")
    assert [str(graph.value(d, DCAT.downloadURL)).rsplit("/", 1)[-1] for d in graph.objects(outlines, DCAT.distribution)] == ["epci.geojson"]


def test_datasets_carry_licence_contact_themes_and_typed_objects(graph):
    editor = next(c for c in Project(ROOT).descriptor["contributors"] if c["role"] == "publisher")
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        assert graph.value(dataset, DCTERMS.license) == LICENCE
        contact = graph.value(dataset, DCAT.contactPoint)
        assert (contact, RDF.type, VCARD.Kind) in graph
        assert graph.value(contact, VCARD.hasEmail) == URIRef(f"mailto:{editor['email']}")
        themes = set(graph.objects(dataset, DCAT.theme))
        assert URIRef("http://publications.europa.eu/resource/authority/data-theme/REGI") in themes
        for theme in themes:
            assert (theme, SKOS.inScheme, URIRef("http://publications.europa.eu/resource/authority/data-theme")) in graph
        assert (graph.value(dataset, DCAT.landingPage), RDF.type, FOAF.Document) in graph
        assert (graph.value(dataset, DCTERMS.accrualPeriodicity), RDF.type, DCTERMS.Frequency) in graph
        assert graph.value(dataset, DCTERMS.spatial, any=False) is not None
    assert (LICENCE, RDF.type, DCTERMS.LicenseDocument) in graph
    assert not list(graph.triples((None, URIRef("http://www.w3.org/ns/locn#geometry"), None)))  # dcat:bbox carries it


def test_landing_pages_exist_in_the_site(site, graph):
    address = configured_address()
    for page in set(graph.objects(None, DCAT.landingPage)):
        assert (site / str(page).removeprefix(address) / "index.html").exists(), page


def test_catalogue_is_ascii_so_that_any_charset_reads_the_accents_right(site):
    """GitHub Pages serves .ttl as text/turtle without a charset, which HTTP clients decode as Latin-1."""
    graphs = []
    for name, fmt in CATALOGUES:
        content = (site / "donnees" / name).read_bytes()
        assert content.decode("ascii") == content.decode("latin-1")
        graphs.append(Graph().parse(data=content.decode("latin-1"), format=fmt))
    turtle, jsonld = graphs
    assert Literal("Sites industriels clés en main France 2030", lang="fr") in set(turtle.objects(None, DCTERMS.title))
    from rdflib.compare import to_isomorphic

    assert to_isomorphic(turtle) == to_isomorphic(jsonld)


def test_a_new_resource_of_datapackage_yaml_becomes_a_dataset(tmp_path):
    root = project_copy(tmp_path)
    (root / "datasets" / "zones.csv").write_text("id_zone,nom\nz1,Zone d'activité des Épinettes\n", encoding="utf-8")
    (root / "schemas" / "zones.yaml").write_text(yaml.safe_dump(
        {"fields": [{"name": "id_zone", "type": "string"}, {"name": "nom", "type": "string"}], "primaryKey": ["id_zone"]}),
        encoding="utf-8")
    descriptor = yaml.safe_load((root / "datapackage.yaml").read_text(encoding="utf-8"))
    descriptor["resources"].append({"name": "zones", "title": "Zones d'activité", "description": "Une zone par ligne.",
                                    "path": "datasets/zones.csv", "schema": "schemas/zones.yaml"})
    (root / "datapackage.yaml").write_text(yaml.safe_dump(descriptor, allow_unicode=True), encoding="utf-8")
    project = Project(root)
    files = downloads.build_downloads(Catalogue.read(project), "https://donnees.example.net/", updated="2026-05-04")
    graph = Graph().parse(data=dcat.catalogue_documents(project, files, "https://donnees.example.net/", "2026-05-04")
                          ["donnees/catalogue.ttl"], format="turtle")
    zones = dataset_of(graph, f"{PACKAGE}/zones")
    assert graph.value(zones, DCTERMS.title) == Literal("Zones d'activité", lang="fr")
    assert {str(graph.value(d, DCAT.downloadURL)) for d in graph.objects(zones, DCAT.distribution)} == {
        f"https://donnees.example.net/donnees/zones.{ext}" for ext in ("csv", "json", "parquet")}


def test_dates_are_the_last_data_commit_and_the_first_release_that_held_the_file(tmp_path):
    root = project_copy(tmp_path)
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2026-03-02T10:00:00",
           "GIT_COMMITTER_DATE": "2026-03-02T10:00:00", "PATH": "/usr/bin:/bin"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "données"]):
        subprocess.run(["git", *command], cwd=root, env=env, check=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
    project = Project(root)
    modified = project.data_last_change
    assert modified == "2026-03-02"

    def dates() -> set:
        files = downloads.build_downloads(Catalogue.read(project), "https://donnees.example.net/", updated=modified)
        text = dcat.catalogue_files(project, files, "https://donnees.example.net/", modified)["donnees/catalogue.ttl"]
        graph = Graph().parse(data=text, format="turtle")
        return {(str(graph.value(d, DCTERMS.issued)), str(graph.value(d, DCTERMS.modified)))
                for d in graph.subjects(RDF.type, DCAT.Dataset)}

    assert dates() == {("2026-03-02", "2026-03-02")}  # not yet released: issued no later than the data
    (root / "publications.yaml").write_text(yaml.safe_dump([{"date": "2026-04-01", "commit": commit, "empreinte": "x"}]),
                                            encoding="utf-8")
    assert dates() == {("2026-04-01", "2026-03-02")}


# ---- schema.org on the data pages ----


def test_schema_org_on_each_dictionary_page_names_the_same_distributions_as_dcat(site, graph):
    for resource in Project(ROOT).tables:
        page = (site / "donnees" / resource.name / "index.html").read_text(encoding="utf-8")
        scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert len(scripts) == 1, resource.name
        described = json.loads(scripts[0])
        assert described["@type"] == "Dataset" and described["license"] == str(LICENCE)
        dataset = dataset_of(graph, f"{PACKAGE}/{resource.name}")
        assert {d["contentUrl"] for d in described["distribution"]} == {
            str(graph.value(d, DCAT.downloadURL)) for d in graph.objects(dataset, DCAT.distribution)}, resource.name


# ---- One setting for the public address ----


def site_texts(site: Path) -> dict[str, str]:
    """Every output file as text (Latin-1: any byte is kept), archives and gzip files unpacked."""
    texts = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        content = path.read_bytes()
        if path.suffix in (".zip", ".xlsx"):
            with zipfile.ZipFile(path) as archive:
                content = b"\n".join(archive.read(name) for name in archive.namelist())
        elif path.suffix == ".gz":
            content = gzip.decompress(content)
        texts[str(path.relative_to(site))] = content.decode("latin-1")
    return texts


ABSOLUTE_URL = re.compile(r"https?://[^\s\"'<>\\)\]]+")


def test_changing_the_site_url_in_mkdocs_yml_changes_every_absolute_url_of_the_site(tmp_path):
    first, second = "https://premiere-adresse.example.net/", "https://compte.github.io/territoires-industrie/"
    texts_first = site_texts(built_site(tmp_path / "premiere", first))
    texts_second = site_texts(built_site(tmp_path / "seconde", second))
    assert texts_first.keys() == texts_second.keys()
    shipped = configured_address().rstrip("/")
    for path, text in texts_first.items():
        other = texts_second[path]
        assert second.rstrip("/") not in text and first.rstrip("/") not in other, path
        assert shipped not in text + other, f"{path} : adresse écrite ailleurs que dans site_url"
        assert text.count(first.rstrip("/")) == other.count(second.rstrip("/")), path
        outside = [u for u in ABSOLUTE_URL.findall(text) if not u.startswith(first.rstrip("/"))]
        assert outside == [u for u in ABSOLUTE_URL.findall(other) if not u.startswith(second.rstrip("/"))], path
    for path in ("index.html", "sitemap.xml", "sitemap.xml.gz", "api/index.html", "donnees/projets/index.html",
                 "donnees/catalogue.ttl", "donnees/catalogue.jsonld", "donnees/datapackage.json",
                 "donnees/territoires-d-industrie.xlsx", "donnees/projets.parquet", "donnees/territoires-d-industrie.zip"):
        assert texts_second[path].count(second) > 0, path
    assert f'<link rel="canonical" href="{second}donnees/projets/">' in texts_second["donnees/projets/index.html"]


@pytest.mark.parametrize("value", ["", "territoires.example.org", "/donnees/", "https://données.example.org/"])
def test_a_missing_or_relative_site_url_stops_the_build_with_a_french_message(petit, run, value):
    config = petit / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: '{value}'", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    result = run(petit)
    assert result.code == 1
    assert f"mkdocs.yml, site_url : « {value} » — attendu : l'adresse publique du site" in result.text
    assert "Traceback" not in result.text and not (petit / "site").exists()
