"""Releases: each publication is recorded, stays downloadable under a versioned URL, and has its change log.

A release is a line of `publications.yaml` (date, commit, content hash of the package), written by
`python build.py publier` together with a git tag `publication-AAAA-MM-JJ`. The files of a past release are
read back from git at its commit, so the repository does not keep copies of old data: the build writes them
under donnees/versions/<date>/, and the change log compares each release with the one before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import yaml

from ..core.errors import ConfigError, UsageError
from ..core.project import Project, git
from ..model.load import file_bytes
from .changes import changes_markdown, package_changes

RELEASES = "publications.yaml"


def read_releases(project: Project) -> list[dict]:
    path = project.root / RELEASES
    if not path.exists():
        return []
    try:
        releases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as error:
        raise ConfigError(f"{RELEASES} n'est pas un YAML valide : {error}") from None
    return sorted(releases, key=lambda r: str(r["date"]))


def package_hash(project: Project, ref: str | None = None) -> str:
    """SHA-256 over the package's files (paths and contents), at a git ref or in the working tree."""
    digest = hashlib.sha256()
    for resource in sorted(project.resources, key=lambda r: r.path):
        if ref:
            shown = git(project, "show", f"{ref}:{resource.path}")
            content = shown.stdout.encode("utf-8") if shown.returncode == 0 else b""
        else:
            content = file_bytes(project, resource) or b""
        digest.update(resource.path.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


def publish(project: Project, today: dt.date | None = None) -> dict:
    """Record a release of the committed package: a line in publications.yaml and a git tag."""
    if git(project, "status", "--porcelain", "--", "datasets", "datapackage.yaml", "schemas").stdout.strip():
        raise UsageError("Des données ne sont pas commitées : commitez-les avant de publier.")
    commit = git(project, "rev-parse", "HEAD").stdout.strip()
    day = (today or dt.date.today()).isoformat()
    releases = [r for r in read_releases(project) if str(r["date"]) != day]
    release = {"date": day, "commit": commit, "empreinte": package_hash(project, commit)}
    releases.append(release)
    (project.root / RELEASES).write_text(
        "# Publications du paquet de données (écrit par python build.py publier).\n"
        + yaml.safe_dump(releases, allow_unicode=True, sort_keys=True), encoding="utf-8")
    git(project, "tag", "-f", f"publication-{day}", commit)
    return release


def version_files(project: Project, release: dict) -> dict[str, str]:
    """{path under docs/: text}: the CSV files of a release, read from git at its commit."""
    files = {}
    for resource in project.tables:
        shown = git(project, "show", f"{release['commit']}:{resource.path}")
        if shown.returncode == 0:
            files[f"donnees/versions/{release['date']}/{resource.name}.csv"] = shown.stdout
    return files


def changelog_markdown(project: Project, releases: list[dict]) -> str:
    """The « Journal des modifications » page: unpublished changes first, then each release against the previous one."""
    titles = {r.name: r.title for r in project.tables}
    parts = ["---", "title: Journal des modifications", "---", "# Journal des modifications", "",
             "Ce qui a changé dans les données à chaque publication : lignes ajoutées, supprimées et modifiées,",
             "avec leurs identifiants et, pour les lignes modifiées, les colonnes changées. Les fichiers de chaque",
             "publication restent téléchargeables à leur adresse datée.", ""]
    if releases:
        latest = releases[-1]
        parts.append(changes_markdown(package_changes(project, latest["commit"]), titles, "Depuis la dernière publication (non publié)"))
    previous = ""
    blocks = []
    for release in releases:
        heading = f"Publication du {release['date']}"
        block = changes_markdown(package_changes(project, previous, release["commit"]), titles, heading)
        links = " · ".join(f"[{r.name}.csv](versions/{release['date']}/{r.name}.csv)" for r in project.tables)
        block += f"\nFichiers de cette publication (empreinte `{release['empreinte'][:16]}…`) : {links}\n"
        blocks.append(block)
        previous = release["commit"]
    if not releases:
        parts.append("Aucune publication n'est encore enregistrée : `python build.py publier` enregistre la première.")
    parts += list(reversed(blocks))
    return "\n".join(parts) + "\n"
