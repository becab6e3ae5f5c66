"""The DCAT-AP catalogue of the downloads (Turtle and JSON-LD), so that data portals harvest the datasets.

Written with rdflib. Identifiers never change between releases: a dataset is
`<site>donnees/<resource>` with `dct:identifier` « territoires-d-industrie/<resource> ». Every distribution
carries its download URL, media type, format, size, SHA-256 checksum and licence.
"""

from __future__ import annotations

import json
import re

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from .project import Project

SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
LANGUAGE = URIRef("http://publications.europa.eu/resource/authority/language/FRA")
LICENCE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
IANA = "https://www.iana.org/assignments/media-types/"
FRANCE_BBOX = "POLYGON((-61.81 -21.39,55.84 -21.39,55.84 51.09,-61.81 51.09,-61.81 -21.39))"
FILE_TYPES = {"csv": "CSV", "parquet": "PARQUET", "xlsx": "XLSX", "json": "JSON", "geojson": "GEOJSON", "zip": "ZIP"}
PROGRAMME_PERIOD = ("2018-11-22", "2027-12-31")
REFERENTIAL_PERIOD = ("2026-01-01", "2026-12-31")


def catalogue_graph(project: Project, downloads: list, site_url: str, modified: str) -> Graph:
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("spdx", SPDX), ("adms", ADMS),
                              ("locn", LOCN), ("gsp", GSP)):
        graph.bind(prefix, namespace)
    descriptor = project.descriptor
    catalog = URIRef(f"{site_url}donnees/catalogue")
    publisher = URIRef(f"{site_url}#editeur")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal("Équipe Territoires d'industrie — données ouvertes", lang="fr")))
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(descriptor.get("title", ""), lang="fr")))
    graph.add((catalog, DCTERMS.description, Literal(" ".join(descriptor.get("description", "").split()), lang="fr")))
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((catalog, DCTERMS.language, LANGUAGE))
    graph.add((catalog, DCTERMS.license, LICENCE))
    graph.add((catalog, FOAF.homepage, URIRef(site_url)))
    if modified:
        graph.add((catalog, DCTERMS.modified, Literal(modified, datatype=XSD.date)))
    by_resource: dict[str, list] = {}
    for download in downloads:
        by_resource.setdefault(download.resource, []).append(download)
    for resource in project.tables:
        dataset = add_dataset(graph, project, resource, site_url, publisher, modified)
        graph.add((catalog, DCAT.dataset, dataset))
        for download in sorted(by_resource.get(resource.name, []), key=lambda d: d.path):
            graph.add((dataset, DCAT.distribution, add_distribution(graph, download, site_url)))
    return graph


def add_dataset(graph: Graph, project: Project, resource, site_url: str, publisher: URIRef, modified: str) -> URIRef:
    dataset = URIRef(f"{site_url}donnees/{resource.name}")
    referential = resource.path.startswith("datasets/referentiel/")
    start, end = REFERENTIAL_PERIOD if referential else PROGRAMME_PERIOD
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(f"territoires-d-industrie/{resource.name}")))
    graph.add((dataset, DCTERMS.title, Literal(resource.title, lang="fr")))
    description = resource.description + (" Contient des données d'exemple générées, non officielles." if resource.is_example else "")
    graph.add((dataset, DCTERMS.description, Literal(description, lang="fr")))
    for keyword in project.descriptor.get("keywords", []):
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang="fr")))
    graph.add((dataset, DCAT.keyword, Literal(resource.title.lower(), lang="fr")))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((dataset, DCTERMS.language, LANGUAGE))
    graph.add((dataset, DCTERMS.license, LICENCE))
    graph.add((dataset, DCAT.landingPage, URIRef(f"{site_url}donnees/{resource.name}/")))
    graph.add((dataset, DCTERMS.accrualPeriodicity, FREQUENCY.ANNUAL if referential else FREQUENCY.IRREG))
    period = BNode(f"periode-{resource.name}")  # named, not random: two builds give the same text
    graph.add((dataset, DCTERMS.temporal, period))
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((period, DCAT.startDate, Literal(start, datatype=XSD.date)))
    graph.add((period, DCAT.endDate, Literal(end, datatype=XSD.date)))
    place = BNode(f"couverture-{resource.name}")
    graph.add((dataset, DCTERMS.spatial, place))
    graph.add((place, RDF.type, DCTERMS.Location))
    graph.add((place, DCAT.bbox, Literal(FRANCE_BBOX, datatype=GSP.wktLiteral)))
    graph.add((place, LOCN.geometry, Literal(FRANCE_BBOX, datatype=GSP.wktLiteral)))
    if modified:
        graph.add((dataset, DCTERMS.modified, Literal(modified, datatype=XSD.date)))
    return dataset


def add_distribution(graph: Graph, download, site_url: str) -> URIRef:
    distribution = URIRef(f"{site_url}{download.path}#distribution")
    url = URIRef(f"{site_url}{download.path}")
    checksum = BNode("empreinte-" + re.sub(r"[^A-Za-z0-9_-]", "-", download.path))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCTERMS.title, Literal(f"{download.path.rsplit('/', 1)[-1]}", lang="fr")))
    graph.add((distribution, DCAT.downloadURL, url))
    graph.add((distribution, DCAT.accessURL, url))
    graph.add((distribution, DCAT.mediaType, URIRef(IANA + download.media_type)))
    graph.add((distribution, DCTERMS.format, FILE_TYPE[FILE_TYPES.get(download.format, download.format.upper())]))
    graph.add((distribution, DCAT.byteSize, Literal(download.size, datatype=XSD.nonNegativeInteger)))
    graph.add((distribution, DCTERMS.license, LICENCE))
    graph.add((distribution, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(download.sha256, datatype=XSD.hexBinary)))
    return distribution


def catalogue_files(project: Project, downloads: list, site_url: str, modified: str) -> dict[str, str]:
    """{path: text}: the catalogue in Turtle and in JSON-LD, with a stable order of statements.

    Kept in the output cache: the pages listing the downloads ask for it again, and it only changes with them."""
    from .cache import text_digest

    inputs = [[(d.path, d.sha256) for d in downloads], site_url, modified, project.descriptor, [r.schema for r in project.tables]]
    cache = project.outputs
    return cache.get_or_make(cache.key("catalogue", text_digest(inputs)),
                             lambda: catalogue_documents(project, downloads, site_url, modified))


def catalogue_documents(project: Project, downloads: list, site_url: str, modified: str) -> dict[str, str]:
    graph = catalogue_graph(project, downloads, site_url, modified)
    jsonld = sorted_lists(json.loads(graph.serialize(format="json-ld")))
    return {"donnees/catalogue.ttl": graph.serialize(format="turtle"),
            "donnees/catalogue.jsonld": json.dumps(jsonld, ensure_ascii=False, sort_keys=True, indent=1) + "\n"}


def sorted_lists(value):
    """JSON-LD with every array sorted: RDF values are sets, and their order must not depend on the run."""
    if isinstance(value, dict):
        return {key: sorted_lists(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [sorted_lists(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def schema_org_dataset(resource, site_url: str, downloads: list, modified: str) -> dict:
    """schema.org Dataset description of a resource, for the JSON-LD of its page."""
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
