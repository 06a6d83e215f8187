"""Every query lives in ``mailflow.tracker``: the rest of the code asks a repository.

Outside the tracker a module may name SQLAlchemy's ``Session`` (and ``sessionmaker``) to pass one
along, and use the unit of work (add, get, flush, commit), but it builds no statement and runs none:
no other SQLAlchemy import, no ``execute`` / ``scalar`` / ``scalars`` / ``query`` call. The rule is
read from the source, so a query written in a service fails here with its file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import mailflow

PACKAGE = Path(mailflow.__file__).parent
ALLOWED_NAMES = {("sqlalchemy.orm", "Session"), ("sqlalchemy.orm", "sessionmaker")}
QUERY_METHODS = {"execute", "scalar", "scalars", "query"}


def modules_outside_tracker() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "tracker" not in p.relative_to(PACKAGE).parts)


def violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    where = path.relative_to(PACKAGE.parent)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                f"{where}:{node.lineno}: import {a.name}"
                for a in node.names
                if a.name.split(".")[0] == "sqlalchemy"
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found += [
                f"{where}:{node.lineno}: from {node.module} import {a.name}"
                for a in node.names
                if (node.module, a.name) not in ALLOWED_NAMES
            ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERY_METHODS
            and "session" in ast.unparse(node.func.value).lower()
        ):
            found.append(f"{where}:{node.lineno}: {ast.unparse(node.func)}(…)")
    return found


def test_the_rule_sees_a_query() -> None:
    source = "from sqlalchemy import select\nsession.scalars(select(X))\n"
    tree = ast.parse(source)
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert imports and imports[0].module == "sqlalchemy"
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert any(isinstance(c.func, ast.Attribute) and c.func.attr == "scalars" for c in calls)


def test_no_sql_outside_the_tracker() -> None:
    modules = modules_outside_tracker()
    assert len(modules) > 100, "the package was not found where expected"
    found = [line for path in modules for line in violations(path)]
    assert found == [], "SQL outside mailflow.tracker:\n" + "\n".join(found)
