"""The DCAT-AP 3.0.1 catalogue of the downloads (Turtle and JSON-LD), for data.gouv.fr to harvest.

Two judges read it, and the tests run both: the official DCAT-AP 3.0.1 SHACL shapes (tests/dcat_ap/, with
pyshacl: no violation) and data.gouv.fr's own harvester, udata's DCAT backend (tests/e2e/test_moissonnage.py:
every dataset harvested). What each of them asks shaped the choices below.

- One dataset per resource of datapackage.yaml that has downloads, and one for the whole package (workbook,
  zip, datapackage.json): every file of donnees/ is a distribution, and a new resource appears on its own.
  Identifiers never change between releases: `<site>donnees/<resource>`, `dct:identifier`
  « <package>/<resource> » (udata's remote id).
- Every object carries the class DCAT-AP gives its property (licence document, media type, file type,
  language, frequency, document, concept): the shapes check classes in the data, not in the vocabularies.
- The coverage is a `dcat:bbox` literal; no `locn:geometry`, whose range is a geometry node, not a literal.
- The licence is Etalab's canonical address, the one udata's `lov2` licence is recorded with.
- No `spdx:checksum`. DCAT-AP 3.0.1 types `spdx:checksumValue` as xsd:hexBinary; rdflib, which udata uses,
  reads such a literal as bytes, and udata's checksum field only takes text: every dataset carrying one fails
  to harvest (« checksum.value.StringField only accepts string values »). A plain-text value is harvested but
  breaks the shapes. The checksum being optional in DCAT-AP, the SHA-256 of each file is stated in its
  distribution's description (udata shows it with the resource), and stays machine-readable in
  datapackage.json (`hash`), in the schema.org description of the data pages, and on those pages.
- ASCII only (\\uXXXX escapes): a static host serves .ttl as text/turtle without a charset, which HTTP clients
  (requests, hence udata) decode as Latin-1. An ASCII document reads the same in any charset, so accents arrive
  intact whichever of the two files is registered.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from ..core.project import Project

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
EU = "http://publications.europa.eu/resource/authority/"
FREQUENCY = Namespace(EU + "frequency/")
FILE_TYPE = Namespace(EU + "file-type/")
THEME = Namespace(EU + "data-theme/")
THEMES = URIRef(EU + "data-theme")
LANGUAGE = URIRef(EU + "language/FRA")
# Etalab's canonical address, without the trailing slash: udata's `lov2` licence is recorded with this URL.
LICENCE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
IANA = "https://www.iana.org/assignments/media-types/"
FRANCE_BBOX = "POLYGON((-61.81 -21.39,55.84 -21.39,55.84 51.09,-61.81 51.09,-61.81 -21.39))"
FILE_TYPES = {"csv": "CSV", "parquet": "PARQUET", "xlsx": "XLSX", "json": "JSON", "geojson": "GEOJSON", "zip": "ZIP"}
FORMAT_TEXTS = {
    "csv": "Fichier CSV (UTF-8, séparateur virgule, une ligne d'en-tête)",
    "parquet": "Fichier Parquet, colonnes typées selon le schéma",
    "json": "Fichier JSON",
    "geojson": "Fichier GeoJSON (RFC 7946, coordonnées WGS84)",
    "xlsx": "Classeur Excel : une feuille par table et une feuille « Licence et sources »",
    "zip": "Archive zip de tous les fichiers du paquet",
}
THEME_LABELS = {"REGI": "Régions et villes", "ECON": "Économie et finances"}


def catalogue_graph(project: Project, downloads: list, site_url: str, modified: str, issued: dict | None = None) -> Graph:
    """The catalogue as an RDF graph. `issued`: resource path → date of its first release (see issue_dates)."""
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("skos", SKOS), ("vcard", VCARD),
                              ("gsp", GSP)):
        graph.bind(prefix, namespace)
    descriptor = project.descriptor
    agents = add_agents(graph, descriptor, site_url)
    catalog = add_catalog(graph, descriptor, site_url, agents[0], modified)
    by_resource: dict[str, list] = {}
    for download in downloads:
        by_resource.setdefault(download.resource, []).append(download)
    issued = issued or {}
    described = [(DatasetText.of_resource(project, r), by_resource.pop(r.name), issued.get(r.path, ""))
                 for r in project.resources if r.name in by_resource]
    package_files = [d for files in by_resource.values() for d in files]  # the workbook, the zip, datapackage.json
    if package_files:
        described.append((DatasetText.of_package(project), package_files, min(issued.values(), default="")))
    for text, files, first_release in described:
        dataset = add_dataset(graph, site_url, agents, text, modified, first_release)
        add_distributions(graph, dataset, files, site_url, modified)
        graph.add((catalog, DCAT.dataset, dataset))
    return graph


def add_catalog(graph: Graph, descriptor: dict, site_url: str, publisher: URIRef, modified: str) -> URIRef:
    catalog = typed(graph, URIRef(f"{site_url}donnees/catalogue"), DCAT.Catalog)
    graph.add((catalog, DCTERMS.title, Literal(descriptor.get("title", ""), lang="fr")))
    graph.add((catalog, DCTERMS.description, Literal(" ".join(descriptor.get("description", "").split()), lang="fr")))
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((catalog, DCTERMS.language, typed(graph, LANGUAGE, DCTERMS.LinguisticSystem)))
    graph.add((catalog, DCTERMS.license, typed(graph, LICENCE, DCTERMS.LicenseDocument)))
    graph.add((catalog, FOAF.homepage, typed(graph, URIRef(site_url), FOAF.Document)))
    graph.add((catalog, DCAT.themeTaxonomy, typed(graph, THEMES, SKOS.ConceptScheme)))
    graph.add((THEMES, DCTERMS.title, Literal("Data theme", lang="en")))
    add_dates(graph, catalog, "", modified)
    return catalog


def typed(graph: Graph, node: URIRef, cls: URIRef) -> URIRef:
    graph.add((node, RDF.type, cls))
    return node


def add_agents(graph: Graph, descriptor: dict, site_url: str) -> tuple[URIRef, URIRef]:
    """The publisher (foaf:Agent) and the contact point (vCard with the e-mail of datapackage.yaml's publisher)."""
    editor = next((c for c in descriptor.get("contributors", []) if c.get("role") == "publisher"), {})
    name = editor.get("title", "Équipe Territoires d'industrie — données ouvertes")
    publisher = typed(graph, URIRef(f"{site_url}#editeur"), FOAF.Agent)
    graph.add((publisher, FOAF.name, Literal(name, lang="fr")))
    contact = typed(graph, URIRef(f"{site_url}#contact"), VCARD.Kind)
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(name, lang="fr")))
    if editor.get("email"):
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{editor['email']}")))
    return publisher, contact


@dataclass(frozen=True)
class DatasetText:
    """What describes a dataset: from a resource of datapackage.yaml, or from the package itself."""

    name: str
    identifier: str
    title: str
    description: str
    landing: str  # under the site's address
    referential: bool  # the geographic referential: updated yearly, not about the programme's economy
    keywords: list[str]
    period: tuple[str, str]  # the programme's (datapackage.yaml); the referential's: the year of its geographic code

    @classmethod
    def of_resource(cls, project, resource) -> DatasetText:
        descriptor, cog = project.descriptor, project.cog_year
        package = descriptor.get("name", "paquet")
        example = " Contient des données d'exemple générées, non officielles." if resource.is_example else ""
        referential = resource.is_referential
        return cls(resource.name, f"{package}/{resource.name}", resource.title, resource.description + example,
                   f"donnees/{resource.name}/" if resource.is_table else "donnees/",
                   referential, descriptor.get("keywords", []) + [resource.title.lower()],
                   (f"{cog}-01-01", f"{cog}-12-31") if referential else project.programme_period)

    @classmethod
    def of_package(cls, project) -> DatasetText:
        descriptor = project.descriptor
        package = descriptor.get("name", "paquet")
        description = " ".join(descriptor.get("description", "").split())
        return cls(package, package, f"{descriptor.get('title', package)} (paquet complet)",
                   f"Tout le paquet de données en un classeur, une archive et son descripteur. {description}",
                   "donnees/", False, descriptor.get("keywords", []), project.programme_period)


def add_dataset(graph: Graph, site_url: str, agents: tuple, text: DatasetText, modified: str, issued: str) -> URIRef:
    dataset = typed(graph, URIRef(f"{site_url}donnees/{text.name}"), DCAT.Dataset)
    publisher, contact = agents
    graph.add((dataset, DCTERMS.identifier, Literal(text.identifier)))
    graph.add((dataset, DCTERMS.title, Literal(text.title, lang="fr")))
    graph.add((dataset, DCTERMS.description, Literal(text.description, lang="fr")))
    for keyword in text.keywords:
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang="fr")))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((dataset, DCAT.contactPoint, contact))
    for code in ["REGI"] if text.referential else ["REGI", "ECON"]:
        graph.add((dataset, DCAT.theme, add_theme(graph, code)))
    graph.add((dataset, DCTERMS.language, LANGUAGE))
    graph.add((dataset, DCTERMS.license, LICENCE))
    graph.add((dataset, DCAT.landingPage, typed(graph, URIRef(site_url + text.landing), FOAF.Document)))
    frequency = FREQUENCY.ANNUAL if text.referential else FREQUENCY.IRREG
    graph.add((dataset, DCTERMS.accrualPeriodicity, typed(graph, frequency, DCTERMS.Frequency)))
    start, end = text.period
    period = BNode(f"periode-{text.name}")  # named, not random: two builds give the same text
    graph.add((dataset, DCTERMS.temporal, typed(graph, period, DCTERMS.PeriodOfTime)))
    graph.add((period, DCAT.startDate, Literal(start, datatype=XSD.date)))
    graph.add((period, DCAT.endDate, Literal(end, datatype=XSD.date)))
    place = BNode(f"couverture-{text.name}")
    graph.add((dataset, DCTERMS.spatial, typed(graph, place, DCTERMS.Location)))
    graph.add((place, DCAT.bbox, Literal(FRANCE_BBOX, datatype=GSP.wktLiteral)))
    add_dates(graph, dataset, issued or modified, modified)
    return dataset


def add_theme(graph: Graph, code: str) -> URIRef:
    theme = typed(graph, THEME[code], SKOS.Concept)
    graph.add((theme, SKOS.prefLabel, Literal(THEME_LABELS[code], lang="fr")))
    graph.add((theme, SKOS.inScheme, THEMES))
    return theme


def add_dates(graph: Graph, node: URIRef, issued: str, modified: str) -> None:
    if issued:
        graph.add((node, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    if modified:
        graph.add((node, DCTERMS.modified, Literal(modified, datatype=XSD.date)))


def add_distributions(graph: Graph, dataset: URIRef, downloads: list, site_url: str, modified: str) -> None:
    for download in sorted(downloads, key=lambda d: d.path):
        graph.add((dataset, DCAT.distribution, add_distribution(graph, download, site_url, modified)))


def add_distribution(graph: Graph, download, site_url: str, modified: str) -> URIRef:
    distribution = typed(graph, URIRef(f"{site_url}{download.path}#distribution"), DCAT.Distribution)
    url = URIRef(f"{site_url}{download.path}")
    graph.add((distribution, DCTERMS.title, Literal(download.name, lang="fr")))
    graph.add((distribution, DCTERMS.description, Literal(distribution_text(download), lang="fr")))
    graph.add((distribution, DCAT.downloadURL, url))
    graph.add((distribution, DCAT.accessURL, url))
    graph.add((distribution, DCAT.mediaType, typed(graph, URIRef(IANA + download.media_type), DCTERMS.MediaType)))
    file_type = FILE_TYPE[FILE_TYPES.get(download.format, download.format.upper())]
    graph.add((distribution, DCTERMS.format, typed(graph, file_type, DCTERMS.MediaTypeOrExtent)))
    graph.add((distribution, DCAT.byteSize, Literal(download.size, datatype=XSD.nonNegativeInteger)))
    graph.add((distribution, DCTERMS.license, LICENCE))
    add_dates(graph, distribution, "", modified)
    return distribution


def distribution_text(download) -> str:
    """What the file is, its size and its SHA-256 (the checksum, stated here: see the module's docstring)."""
    from ..core.formats import number

    rows = f"{number(download.rows)} lignes, " if download.rows is not None else ""
    return (f"{FORMAT_TEXTS.get(download.format, 'Fichier ' + download.format.upper())} : {rows}"
            f"{number(download.size)} octets. SHA-256 : {download.sha256}")


def issue_dates(project: Project) -> dict[str, str]:
    """Resource path → date of the first release (publications.yaml) whose commit holds it; {} without git."""
    from ..core.project import git
    from .releases import read_releases

    first: dict[str, str] = {}
    for release in read_releases(project):
        listed = git(project, "ls-tree", "-r", "--name-only", str(release["commit"]), "--", "datasets")
        for path in listed.stdout.split() if listed.returncode == 0 else []:
            first.setdefault(path, str(release["date"]))
    return first


def catalogue_files(project: Project, downloads: list, site_url: str, modified: str) -> dict[str, str]:
    """{path: text}: the catalogue in Turtle and in JSON-LD, with a stable order of statements.

    Kept in the output cache: the pages listing the downloads ask for it again, and it only changes with them."""
    from ..core.cache import text_digest

    issued = issue_dates(project)
    inputs = [[(d.path, d.sha256) for d in downloads], site_url, modified, issued, project.descriptor,
              [r.schema for r in project.tables]]
    cache = project.outputs
    return cache.get_or_make(cache.key("catalogue", text_digest(inputs)),
                             lambda: catalogue_documents(project, downloads, site_url, modified, issued))


def catalogue_documents(project: Project, downloads: list, site_url: str, modified: str,
                        issued: dict | None = None) -> dict[str, str]:
    graph = catalogue_graph(project, downloads, site_url, modified, issued)
    jsonld = sorted_lists(json.loads(graph.serialize(format="json-ld")))
    return {"donnees/catalogue.ttl": ascii_turtle(graph.serialize(format="turtle")),
            "donnees/catalogue.jsonld": json.dumps(jsonld, ensure_ascii=True, sort_keys=True, indent=1) + "\n"}


def ascii_turtle(text: str) -> str:
    """Turtle with every non-ASCII character escaped (\\uXXXX, \\UXXXXXXXX): they only occur in literals and
    IRIs, where Turtle reads these escapes back."""
    def escape(match: re.Match) -> str:
        code = ord(match.group())
        return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"

    return re.sub(r"[^\x00-\x7f]", escape, text)


def sorted_lists(value):
    """JSON-LD with every array sorted: RDF values are sets, and their order must not depend on the run."""
    if isinstance(value, dict):
        return {key: sorted_lists(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [sorted_lists(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def schema_org_dataset(resource, site_url: str, downloads: list, modified: str) -> dict:
    """schema.org Dataset description of a resource, for the JSON-LD of its page: the same distributions as
    its DCAT dataset."""
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": resource.title,
        "description": resource.description,
        "identifier": f"territoires-d-industrie/{resource.name}",
        "url": f"{site_url}donnees/{resource.name}/",
        "license": str(LICENCE),
        "inLanguage": "fr",
        "isAccessibleForFree": True,
        "dateModified": modified or None,
        "creator": {"@type": "Organization", "name": "Équipe Territoires d'industrie — données ouvertes"},
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": d.media_type, "contentUrl": f"{site_url}{d.path}",
             "contentSize": f"{d.size} octets", "sha256": d.sha256}
            for d in sorted(downloads, key=lambda d: d.path) if d.resource == resource.name
        ],
    }
