"""Harvest a DCAT catalogue with data.gouv.fr's own code, and print what it recorded as JSON.

Runs in the udata virtual environment (.venv-udata/, from requirements.txt beside this file), never in the
project's: `.venv-udata/bin/python moissonner.py URL LICENCES.json`. tests/e2e/test_moissonnage.py calls it and
checks the result.

udata's production settings (udata.settings.Defaults) apply, except what a machine without services or
network needs:
- MongoDB is mongomock's in-memory client, through mongoengine's `mongo_client_class` (there is no MongoDB
  package in Debian; pymongo-inmemory downloads a server binary, which this machine cannot);
- the DCAT backend is enabled (data.gouv.fr enables its backends in its own settings; the default is none);
- Celery runs tasks in the calling process (no broker), the cache is a null cache, search indexing is off;
- URLS_ALLOW_LOCAL: the catalogue is served from 127.0.0.1 (udata refuses loopback sources by default);
- URLS_RESOLVE_HOSTNAME off: udata resolves each landing page's host only to refuse private addresses, and
  there is no DNS here (an unresolved name is only logged, after five tries that take seconds each).
The licences are those of data.gouv.fr (licences.json, see README.md), loaded as `udata licenses` would.
"""

from __future__ import annotations

import json
import sys

import mongomock
from udata.app import create_app, standalone


class Settings:
    MONGODB_SETTINGS = {"host": "mongodb://localhost:27017/udata", "mongo_client_class": mongomock.MongoClient}
    SECRET_KEY = API_TOKEN_SECRET = "moisson-locale"
    CELERY_TASK_ALWAYS_EAGER = True
    CACHE_TYPE = "flask_caching.backends.NullCache"
    CACHE_NO_NULL_WARNING = True
    SEND_MAIL = False
    AUTO_INDEX = False
    SEARCH_SERVICE_API_URL = None
    SCHEMA_CATALOG_URL = None
    HARVESTER_BACKENDS = ["dcat"]
    URLS_ALLOW_LOCAL = True
    URLS_RESOLVE_HOSTNAME = False


def load_licences(path: str) -> None:
    from udata.models import License

    with open(path, encoding="utf-8") as f:
        for item in json.load(f):
            License.objects.create(id=item["id"], title=item["title"], url=item["url"], active=True,
                                   alternate_urls=item.get("alternate_urls", []),
                                   alternate_titles=item.get("alternate_titles", []))


def harvest(url: str) -> dict:
    from udata.harvest.backends import get_backend
    from udata.harvest.models import HarvestSource
    from udata.models import Dataset, Organization

    owner = Organization.objects.create(name="Territoires d'industrie", description="Organisation du moissonnage.")
    source = HarvestSource.objects.create(name="Territoires d'industrie", url=url, backend="dcat", organization=owner)
    job = get_backend("dcat")(source).harvest()
    return {
        "statut": job.status,
        "erreurs": [error.message for error in job.errors],
        "elements": [{"id": item.remote_id, "statut": item.status, "erreurs": [e.message for e in item.errors]}
                     for item in job.items],
        "jeux": [dataset_summary(dataset) for dataset in Dataset.objects.order_by("harvest.remote_id")],
    }


def dataset_summary(dataset) -> dict:
    return {
        "id": dataset.harvest.remote_id,
        "titre": dataset.title,
        "description": dataset.description,
        "licence": dataset.license.id if dataset.license else None,
        "frequence": str(dataset.frequency.value if hasattr(dataset.frequency, "value") else dataset.frequency),
        "couverture_temporelle": [str(dataset.temporal_coverage.start), str(dataset.temporal_coverage.end)]
        if dataset.temporal_coverage else None,
        "couverture_spatiale": dataset.spatial.geom["type"] if dataset.spatial and dataset.spatial.geom else None,
        "mots_cles": sorted(dataset.tags),
        "contacts": sorted({c.email for c in dataset.contact_points if c.email}),
        "publie_le": str(dataset.harvest.issued_at or ""),
        "modifie_le": str(dataset.harvest.modified_at or ""),
        "ressources": [{"titre": r.title, "url": r.url, "format": r.format, "mime": r.mime, "taille": r.filesize,
                        "description": r.description,
                        "somme": r.checksum.value if r.checksum else None} for r in dataset.resources],
    }


def main(url: str, licences: str) -> None:
    app = standalone(create_app("udata.settings.Defaults", override=Settings))
    with app.app_context():
        load_licences(licences)
        print(json.dumps(harvest(url), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:])
