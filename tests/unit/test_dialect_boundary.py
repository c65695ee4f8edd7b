"""Nothing dialect-specific outside casework/db/: the services, reports, returns, domain
rules and screens run unchanged on a local file (SQLite) and a team server (PostgreSQL).
Code (not prose) naming a dialect, its driver or a PRAGMA fails here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("casework/services", "casework/reports", "casework/returns", "casework/domain", "ui")
WORDS = ("postgresql", "psycopg", "sqlite", "pragma")
# Features only a local file has, each with why.
ALLOWED = {
    # Backups copy the encrypted file (sqlcipher_export, integrity checks); a team server
    # is backed up with the council's PostgreSQL tooling instead.
    "casework/services/backup.py",
    # `casework-admin info` describes the file: its cipher and SQLite's integrity check.
    "casework/reports/info.py",
}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _named(text: str, *, in_code: bool) -> bool:
    """Names and imports match in any case. In strings, the spellings code uses: a lower-case
    dialect or driver name (``dialect.name == "postgresql"``, ``postgresql+psycopg://``) or
    an upper-case PRAGMA; messages to people name "PostgreSQL" and "SQLite" as prose."""
    if in_code:
        return any(word in text.lower() for word in WORDS)
    return "PRAGMA" in text or any(word in text for word in WORDS if word != "pragma")


def _code_words(path: Path, name: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    out = []
    for node in ast.walk(tree):
        texts: list[tuple[str, bool]] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            texts.append((node.value, False))
        elif isinstance(node, ast.Name):
            texts.append((node.id, True))
        elif isinstance(node, ast.Attribute):
            texts.append((node.attr, True))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            texts += [(a.name, True) for a in node.names]
            texts.append((getattr(node, "module", None) or "", True))
        out += [
            f"{name}:{node.lineno}: {text[:60]!r}"
            for text, in_code in texts
            if _named(text, in_code=in_code)
        ]
    return out


def test_no_dialect_outside_the_database_layer() -> None:
    found = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if str(path.relative_to(ROOT)) not in ALLOWED:
                found += _code_words(path, str(path.relative_to(ROOT)))
    assert found == []


def test_the_scan_finds_a_dialect(tmp_path: Path) -> None:
    path = tmp_path / "screen.py"
    path.write_text(
        '"""SQLite in prose is fine."""\nfrom sqlalchemy.dialects.sqlite import insert\n'
        'NOTE = "The team server runs PostgreSQL."\n'
        'ON_SERVER = session.bind.dialect.name == "postgresql"\n'
    )
    assert _code_words(path, "screen.py") == [
        "screen.py:2: 'sqlalchemy.dialects.sqlite'",
        "screen.py:4: 'postgresql'",
    ]
