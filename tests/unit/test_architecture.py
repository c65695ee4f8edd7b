"""The core never imports Qt or the UI, and works with PySide6 absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BLOCK_QT = """
import importlib, pkgutil, sys
class _NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'ui'):
            raise ImportError('blocked for this test: ' + name)
        return None
sys.meta_path.insert(0, _NoQt())
import casework
for mod in pkgutil.walk_packages(casework.__path__, 'casework.'):
    if '.migrations.' in mod.name:
        continue
    importlib.import_module(mod.name)
print('imported', len(sys.modules))
"""


def test_core_imports_without_pyside6() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_QT], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr


def test_import_contracts_hold() -> None:
    """import-linter's contracts from pyproject.toml (the core/UI boundary and the layers)."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
