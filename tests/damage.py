"""Damage to a copy of the small package, drawn by hypothesis (tests/test_properties.py): cells, rows and headers,
bytes, encodings and layouts. The files, columns and values come from the package itself (datapackage.yaml, the
schemas, the fixture's rows). Each strategy returns a Damage, whose repr says what was done, for a failing case.
"""

from __future__ import annotations

import contextlib
import csv
import io

from hypothesis import strategies as st

from tidata.core.project import Project


class Bench:
    """A copy of the project on the small package: its files as shipped, and a way to damage one for a while."""

    def __init__(self, root):
        self.root = root
        project = Project(root)
        self.pristine = {r.path: (root / r.path).read_bytes() for r in project.resources}
        self.resources = {r.path: r for r in project.tables}
        self.csv_files = sorted(self.resources)
        self.files = sorted(self.pristine)

    def rows(self, path: str) -> tuple[list[str], list[list[str]]]:
        header, *rows = list(csv.reader(io.StringIO(self.pristine[path].decode("utf-8-sig"))))
        return header, rows

    @contextlib.contextmanager
    def damaged(self, path: str, content: bytes):
        (self.root / path).write_bytes(content)
        try:
            yield
        finally:
            (self.root / path).write_bytes(self.pristine[path])


def readable_rows(bench: Bench, damage: Damage) -> list[list[str]] | None:
    """The rows of a damaged table that passes the file checks (UTF-8, the schema's header), else None."""
    resource = bench.resources.get(damage.path)
    try:
        rows = list(csv.reader(io.StringIO(damage.content.decode("utf-8-sig"), newline="")))  # a bare \r ends a row
    except (UnicodeDecodeError, csv.Error, ValueError):
        return None
    return rows if resource and rows and rows[0] == resource.field_names else None


# ---- Damage ----

NASTY = [
    '"', "'", ",", ";", "\t", "\n", "\r\n", "\r", "|", "\\", "`", "``", "*", "_", "#", "[", "]", "(", ")", "<", ">",
    "&", "&amp;", "&#106;", "{{ x }}", "{% if %}", "---", "- ", "1. ", "> ", "    ", "==", "=SOMME(A1:A9)", "+33 1",
    "-1", "@x", "javascript:alert(1)", "JaVaScRiPt:", "data:text/html,<b>x</b>", "vbscript:x", "//evil.example/x",
    "https://exemple.fr/a)b", "https://exemple.fr/\"onmouseover=alert(1)", "mailto:a@b.fr", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "</textarea>", "</script>", "<!--", "-->", "]]>", "[lien](javascript:alert(1))",
    "![i](data:image/png;base64,AA)", "<javascript:alert(1)>", "[x]: javascript:alert(1)", "*[x]: y", "{: .x }",
    "\u0085", "\u009d", "\u2028", "\u2029", "\ufeff", "\u202e", "\u200b", "\x00", "\x1b[31m", "\x7f", "\x0b", "\x0c",
    "é", "😀", "𝔘", "ﷺ", "NaN", "null", "None", "oui", "non", "0", "1e309", "-0", "2024-02-30", "  ", "",
]
fragments = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=12)), min_size=1, max_size=6).map("".join)


def cell_values(column: list[str]) -> st.SearchStrategy[str]:
    """Any Unicode, the nasty fragments, very long values, and values of the column itself, alone or dressed."""
    shipped = st.sampled_from(column or [""])
    return st.one_of(
        fragments,
        st.text(max_size=40),
        st.text(min_size=300, max_size=3000),
        st.integers(1_000, 20_000).map(lambda n: "x" * n),
        st.sampled_from([131_072, 131_073, 300_000]).map(lambda n: "y" * n),  # the csv module's field limit
        shipped,
        st.tuples(shipped, fragments).map("".join),
        st.tuples(fragments, shipped).map("".join),
        fragments.map(lambda text: "https://exemple.fr/" + text),
    )


class Damage:
    """A damaged file: its path, what was done to it (printed by hypothesis for a failing case) and its bytes."""

    def __init__(self, path: str, done: list[str], content: bytes):
        self.path, self.done, self.content = path, done, content

    def __repr__(self) -> str:
        return f"Damage({self.path} : {' ; '.join(self.done)})"


def shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 300 else f"{text[:240]}… ({len(value)} caractères)"


def free_text(field: dict) -> bool:
    """A string field with no pattern, list or format: any text may be accepted there."""
    constraints = field.get("constraints", {})
    return field.get("type", "string") == "string" and not field.get("format") and not {"pattern", "enum"} & set(constraints)


def to_csv(header: list[str], rows: list[list[str]], **dialect) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=dialect.pop("lineterminator", "\n"), **dialect).writerows([header, *rows])
    return out.getvalue().encode("utf-8")


@st.composite
def damaged_cells(draw, bench: Bench):
    path = draw(st.sampled_from([p for p in bench.csv_files if bench.rows(p)[1]]))
    header, rows = bench.rows(path)
    rows, done = [list(row) for row in rows], []
    fields = bench.resources[path].fields
    free = [i for i, field in enumerate(fields) if free_text(field)] or list(range(len(header)))
    for _ in range(draw(st.integers(1, 3))):
        line = draw(st.integers(0, len(rows) - 1))
        # half the damage goes to free text, where a value is most often accepted and shown as it is
        column = draw(st.one_of(st.sampled_from(free), st.integers(0, len(header) - 1)).filter(lambda c: c < len(rows[line])))
        values = [row[column] for row in rows if column < len(row)]
        rows[line][column] = draw(cell_values(values))
        done.append(f"ligne {line + 2}, colonne {header[column]} = {shown(rows[line][column])}")
    return Damage(path, done, to_csv(header, rows))


ROW_DAMAGE = ["supprimer", "dupliquer", "mélanger", "tronquer", "cellule en trop", "ligne vide", "garder l'en-tête seul",
              "renommer une colonne", "supprimer une colonne", "doubler une colonne", "permuter deux colonnes",
              "en-tête en majuscules", "espaces dans l'en-tête"]


@st.composite
def damaged_rows(draw, bench: Bench):
    path = draw(st.sampled_from(bench.csv_files))
    header, rows = bench.rows(path)
    header, rows, done = list(header), [list(row) for row in rows], []
    for damage in draw(st.lists(st.sampled_from(ROW_DAMAGE), min_size=1, max_size=3)):
        line = draw(st.integers(0, max(0, len(rows) - 1)))
        j, k = draw(st.integers(0, len(header) - 1)), draw(st.integers(0, len(header) - 1))
        done.append(f"{damage} (ligne {line + 2}, colonnes {j + 1} et {k + 1})")
        if damage == "supprimer" and rows:
            del rows[line]
        elif damage == "dupliquer" and rows:
            rows.insert(line, list(rows[line]))
        elif damage == "mélanger":
            rows = draw(st.permutations(rows))
        elif damage == "tronquer" and rows:
            rows[line] = rows[line][: draw(st.integers(0, max(0, len(rows[line]) - 1)))]
        elif damage == "cellule en trop" and rows:
            rows[line].append(draw(fragments))
        elif damage == "ligne vide":
            rows.insert(line, [])
        elif damage == "garder l'en-tête seul":
            rows = []
        elif damage == "renommer une colonne":
            header[j] = draw(st.one_of(fragments, st.sampled_from(header)))
            done[-1] += f" → {shown(header[j])}"
        elif damage == "supprimer une colonne" and len(header) > 1:
            del header[j]
            rows = [row[:j] + row[j + 1:] for row in rows]
        elif damage == "doubler une colonne":
            header.insert(j, header[j])
            rows = [row[:j] + row[j:j + 1] + row[j:] for row in rows]
        elif damage == "permuter deux colonnes":
            header[j], header[k] = header[k], header[j]
            if draw(st.booleans()):
                rows = [swapped(row, j, k) for row in rows]
                done[-1] += ", valeurs comprises"
        elif damage == "en-tête en majuscules":
            header = [name.upper() for name in header]
        elif damage == "espaces dans l'en-tête":
            header[j] = f" {header[j]} "
    return Damage(path, done, to_csv(header, rows))


def swapped(row: list[str], j: int, k: int) -> list[str]:
    row = list(row)
    if j < len(row) and k < len(row):
        row[j], row[k] = row[k], row[j]
    return row


INTERESTING_BYTES = [b'"', b",", b";", b"\n", b"\r", b"\x00", b"\xff", b"\xfe", b"\xc3", b"\xe2\x80", b"\xef\xbb\xbf",
                     b"{", b"}", b"[", b"]", b"null", b"<", b"\\"]


@st.composite
def damaged_bytes(draw, bench: Bench):
    path = draw(st.sampled_from(bench.files))
    content, done = bytearray(bench.pristine[path]), []
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(content)))
        kind = draw(st.sampled_from(["inverser des bits", "tronquer", "insérer", "supprimer"]))
        if kind == "inverser des bits" and position < len(content):
            mask = draw(st.integers(1, 255))
            content[position] ^= mask
            done.append(f"octet {position} ^ {mask:#04x}")
        elif kind == "tronquer":
            del content[position:]
            done.append(f"tronqué à {position} octets")
        elif kind == "insérer":
            inserted = draw(st.one_of(st.sampled_from(INTERESTING_BYTES), st.binary(min_size=1, max_size=8)))
            content[position:position] = inserted
            done.append(f"{inserted!r} inséré à l'octet {position}")
        elif kind == "supprimer":
            length = draw(st.integers(1, 16))
            del content[position:position + length]
            done.append(f"{length} octets supprimés à l'octet {position}")
    return Damage(path, done, bytes(content))


def reencoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


ENCODINGS = {
    "Windows-1252": lambda text: reencoded(text, "cp1252"),
    "Latin-1": lambda text: reencoded(text, "latin-1"),
    "UTF-16 avec BOM": lambda text: reencoded(text, "utf-16"),
    "UTF-16LE sans BOM": lambda text: reencoded(text, "utf-16-le"),
    "UTF-8 avec BOM": lambda text: reencoded(text, "utf-8-sig"),
    "BOM doublé": lambda text: b"\xef\xbb\xbf\xef\xbb\xbf" + text.encode("utf-8"),
    "UTF-8": lambda text: text.encode("utf-8"),
}
LAYOUTS = {
    "tel quel": lambda header, rows: to_csv(header, rows).decode("utf-8"),
    "CRLF": lambda header, rows: to_csv(header, rows, lineterminator="\r\n").decode("utf-8"),
    "CR seul": lambda header, rows: to_csv(header, rows, lineterminator="\r").decode("utf-8"),
    "point-virgule": lambda header, rows: to_csv(header, rows, delimiter=";").decode("utf-8"),
    "tabulation": lambda header, rows: to_csv(header, rows, delimiter="\t").decode("utf-8"),
    "tout entre guillemets": lambda header, rows: to_csv(header, rows, quoting=csv.QUOTE_ALL).decode("utf-8"),
    "sans fin de ligne finale": lambda header, rows: to_csv(header, rows).decode("utf-8").rstrip("\n"),
    "lignes vides finales": lambda header, rows: to_csv(header, rows).decode("utf-8") + "\n\n",
}


@st.composite
def damaged_encodings(draw, bench: Bench):
    path = draw(st.sampled_from(bench.csv_files))
    layout = draw(st.sampled_from(sorted(LAYOUTS)))
    encoding = draw(st.sampled_from(sorted(ENCODINGS)))
    return Damage(path, [layout, encoding], ENCODINGS[encoding](LAYOUTS[layout](*bench.rows(path))))
