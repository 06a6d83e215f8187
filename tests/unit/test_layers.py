"""The layering of docs/architecture.md holds: import-linter's contracts in pyproject.toml.

The contracts (``[tool.importlinter]``) say which top-level part of mailflow may import which,
that no two siblings import each other in a cycle (packages, and modules inside a package), and
that the domain and the configuration import no database, mail or scheduler library. This test
runs the linter in-process, so ``scripts/test`` checks them without a command of its own;
``.venv/bin/lint-imports`` prints the same report.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from importlinter import configuration
from importlinter.application import use_cases

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def _layers() -> list[list[str]]:
    """The layers contract, top first, each layer as its module names."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c["id"] == "layers")
    return [re.split(r"\s*[|:]\s*", layer.strip()) for layer in contract["layers"]]


def test_the_import_contracts_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    configuration.configure()  # what the lint-imports command does first
    kept = use_cases.lint_imports(config_filename=str(PYPROJECT), cache_dir=None, no_logo=True)
    report = capsys.readouterr().out
    assert kept, report
    assert "0 broken" in report


def test_the_architecture_picture_names_every_layer() -> None:
    # The mermaid picture in docs/architecture.md draws the same layers as the contract, so a
    # module added to the contract has to be drawn as well.
    text = ARCHITECTURE.read_text(encoding="utf-8")
    picture = text.split("```mermaid", 1)[1].split("```", 1)[0]
    missing = [
        module
        for layer in _layers()
        for module in layer
        if not re.search(rf"\b{re.escape(module)}\b", picture)
    ]
    assert not missing, f"not drawn in docs/architecture.md: {missing}"
