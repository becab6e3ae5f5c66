"""Writing an import into the package: datapackage.yaml edited as text, so that its comments and layout stay
(a resource's « exemple » flag, a source added), the edit verified by reading it back, and every file first written
next to its target under a temporary name, then swapped in with os.replace, datapackage.yaml last.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

import yaml

from ..core.errors import ConfigError
from ..core.project import DATAPACKAGE, Project


def resource_block(lines: list[str], name: str) -> tuple[int, int, str]:
    """A resource's block in datapackage.yaml: its first line, the line after its last content line, its keys' indentation."""
    top = next((i for i, line in enumerate(lines) if line.startswith("resources:")), 0)
    for start in range(top, len(lines)):
        found = re.match(r"^( *)- name: *['\"]?([\w-]+)['\"]? *$", lines[start])
        if found and found.group(2) == name:
            indent, end = len(found.group(1)), start + 1
            for i in range(start + 1, len(lines)):
                if is_filler(lines[i]):
                    continue
                if indentation(lines[i]) <= indent:
                    break
                end = i + 1
            return start, end, " " * (indent + 2)
    raise ConfigError(f"{DATAPACKAGE} : la ressource « {name} » est introuvable.")


def is_filler(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def indentation(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def set_example_flag(text: str, name: str, flag: bool) -> str:
    lines = text.split("\n")
    start, end, keys = resource_block(lines, name)
    value = "true" if flag else "false"
    for i in range(start + 1, end):
        if found := re.match(rf"^{keys}exemple:( *)\S+(.*)$", lines[i]):
            lines[i] = f"{keys}exemple:{found.group(1) or ' '}{value}{found.group(2)}"
            return "\n".join(lines)
    if flag:
        lines.insert(end, f"{keys}exemple: true")
    return "\n".join(lines)


def add_source(text: str, name: str, title: str, url: str) -> str:
    lines = text.split("\n")
    start, end, keys = resource_block(lines, name)
    heading = next((i for i in range(start + 1, end) if lines[i].startswith(f"{keys}sources:")), None)
    if heading is None:
        lines[end:end] = [f"{keys}sources:", f"{keys}  - title: {yaml_scalar(title)}", f"{keys}    path: {yaml_scalar(url)}"]
        return "\n".join(lines)
    if lines[heading][len(keys) + len("sources:"):].split("#")[0].strip():
        raise ConfigError(f"{DATAPACKAGE} : les sources de « {name} » sont partagées (ancre ou alias YAML) ; "
                          f"ajoutez à la main la source {url}. Rien n'a été modifié.")
    last, item = heading, None
    for i in range(heading + 1, end):
        if not is_filler(lines[i]) and indentation(lines[i]) > len(keys):
            last = i
            item = item if item is not None else " " * indentation(lines[i])
    item = item if item is not None else keys + "  "
    lines[last + 1:last + 1] = [f"{item}- title: {yaml_scalar(title)}", f"{item}  path: {yaml_scalar(url)}"]
    return "\n".join(lines)


def yaml_scalar(value: str) -> str:
    """The value as written, or double-quoted when YAML would read it otherwise."""
    try:
        if yaml.safe_load(f"k: {value}") == {"k": value}:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)


def verify_datapackage(project: Project, text: str, flags: dict[str, bool], urls: dict[str, str]) -> None:
    """The edited text says exactly what was meant: only flags and sources changed, as intended."""
    try:
        new = yaml.safe_load(text)
    except yaml.YAMLError:
        new = None
    old = project.descriptor

    def without(descriptor, keys=("exemple", "sources")):
        items = [{k: v for k, v in r.items() if k not in keys} for r in descriptor.get("resources", [])]
        return {**descriptor, "resources": items}

    by_name = {r.get("name"): r for r in (new or {}).get("resources", [])}
    ok = isinstance(new, dict) and without(new) == without(old)
    ok = ok and all(bool(by_name[name].get("exemple", False)) == flag for name, flag in flags.items())
    ok = ok and all(url in [s.get("path") for s in by_name[name].get("sources", [])] for name, url in urls.items())
    if not ok:
        raise ConfigError(f"{DATAPACKAGE} : sa mise en page empêche de le mettre à jour automatiquement (drapeau « exemple »,"
                          " sources). Rien n'a été modifié.")


def write_files(root: Path, files: dict[str, str]) -> None:
    """Each file to a temporary name next to it, then all the os.replace calls, datapackage.yaml last."""
    pending = []
    try:
        for rel, text in sorted(files.items(), key=lambda item: item[0] == DATAPACKAGE):
            target = root / rel
            temporary = target.with_name(f".{target.name}.import.tmp")
            temporary.write_bytes(text.encode("utf-8"))
            pending.append((temporary, target))
        with interrupts_deferred():
            for temporary, target in pending:
                os.replace(temporary, target)
    finally:
        for temporary, _ in pending:
            temporary.unlink(missing_ok=True)


@contextmanager
def interrupts_deferred():
    """Ctrl-C is ignored during the few os.replace calls: the package is never left with some files swapped and not others."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""
