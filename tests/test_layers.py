"""The package's layers import one way: no module imports from a layer above its own.

Every module's imports are read with ``ast`` (those inside functions and
``importlib.import_module("clvmodels...")`` calls included) and each arrow is
checked against the layer order below, which follows the flow of
``docs/architecture.md``: transaction log -> summary -> model -> predictions -> CLV
-> evaluation -> figures -> report -> command line.

==========  =================================================================
rank        top-level names under ``clvmodels``
==========  =================================================================
0           utilities: ``_version``, ``atomic``, ``checks``, ``compat``, ``deprecation``,
            ``exceptions``
1           ``data`` (summaries, units, validation, datasets, engines)
2           ``simulate``: logs and summaries drawn from the models' stories. It
            writes those stories itself from numpy and ``data.units`` and must
            not import the models: the tests use it as known truth for them.
3           ``estimation``, ``models``, ``bayes`` (the frameworks and the models,
            one level: the Bayesian estimators build on the MLE classes)
4           ``value`` (CLV, the valuation step, textbook formulas)
5           ``evaluation`` (backtests, metrics, model comparison)
6           ``plotting``
7           ``report`` (assembles tables and figures)
8           the package itself, ``clvmodels/__init__.py`` (the public API)
9           ``cli`` (parses options, calls the library, prints)
==========  =================================================================

A module may import its own layer and those below. Only ``cli`` may import the
package root (``import clvmodels as clv``), and nothing imports ``cli``.

The one tolerated exception is a deprecated alias: an import inside a function
that warns with a ``DeprecationWarning`` (an old name kept working for a release,
forwarding to its new home above). Those arrows are listed in
:data:`DEPRECATED_ARROWS`, so that none appears unnoticed, and go when the alias goes.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "clvmodels"

ROOT = "clvmodels"
RANK = {
    "_version": 0,
    "atomic": 0,
    "checks": 0,
    "compat": 0,
    "deprecation": 0,
    "exceptions": 0,
    "data": 1,
    "simulate": 2,
    "estimation": 3,
    "models": 3,
    "bayes": 3,
    "value": 4,
    "evaluation": 5,
    "plotting": 6,
    "report": 7,
    ROOT: 8,
    "cli": 9,
}

#: Upward arrows of deprecated aliases: (importing module, imported module).
DEPRECATED_ARROWS = {
    # score_frame / score_spark, moved to clvmodels.value.valuation
    ("clvmodels.data.engines.scoring", "clvmodels.value.valuation"),
}


@dataclass(frozen=True)
class Arrow:
    """One import: who, where, what, and whether it sits in a deprecated alias."""

    source: str
    line: int
    target: str
    deprecated: bool

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target}"


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    """``clvmodels.data.engines.scoring`` -> ``data``; the package itself -> ``clvmodels``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def _is_module(name: str, package: Path) -> bool:
    base = package.parent.joinpath(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _warns_deprecation(function: ast.AST) -> bool:
    """Whether a function calls ``warn(..., DeprecationWarning, ...)``."""
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else None
        name = node.func.id if isinstance(node.func, ast.Name) else name
        arguments = [*node.args, *(k.value for k in node.keywords)]
        if name == "warn" and any(
            isinstance(a, ast.Name) and a.id == "DeprecationWarning" for a in arguments
        ):
            return True
    return False


def _targets(node: ast.AST, source: str, is_package: bool, package: Path) -> list[str]:
    """The clvmodels modules an import statement (or import_module call) names."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = source.split(".")
            base = base[: len(base) - node.level + (1 if is_package else 0)]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        # ``from clvmodels import simulate`` imports the module clvmodels.simulate
        out = []
        for alias in node.names:
            full = f"{module}.{alias.name}"
            out.append(full if _is_module(full, package) else module)
        return out
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and getattr(node.func, "attr", getattr(node.func, "id", None))
        in ("import_module", "__import__")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return [node.args[0].value]
    return []


def arrows(package: Path = PACKAGE) -> list[Arrow]:
    """Every import of a clvmodels module by a module of ``package``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        source = module_name(path, package)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        in_deprecated = set()
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and (
                _warns_deprecation(function)
            ):
                in_deprecated.update(id(n) for n in ast.walk(function))
        for node in ast.walk(tree):
            for target in _targets(node, source, path.name == "__init__.py", package):
                if target == ROOT or target.startswith(ROOT + "."):
                    found.append(Arrow(source, node.lineno, target, id(node) in in_deprecated))
    return found


def upward(found: list[Arrow]) -> list[Arrow]:
    """The arrows that break the order: to a higher layer, to the root or into cli."""
    bad = []
    for arrow in found:
        source, target = layer(arrow.source), layer(arrow.target)
        if source == target:
            continue
        if RANK[target] > RANK[source] or (target == ROOT and source != "cli"):
            bad.append(arrow)
    return bad


@pytest.fixture(scope="module")
def found():
    return arrows()


def test_every_top_level_name_has_a_layer():
    names = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    names = {n for n in names if (PACKAGE / n).is_dir() or (PACKAGE / f"{n}.py").exists()}
    names -= {"__init__", "__main__", "__pycache__"}
    assert names <= set(RANK), f"place these in RANK: {sorted(names - set(RANK))}"


def test_the_reader_sees_the_imports_it_should(found):
    # known arrows of today's package: a reader that missed them would pass vacuously
    pairs = {(layer(a.source), layer(a.target)) for a in found}
    assert {("value", "data"), ("evaluation", "value"), ("cli", ROOT), (ROOT, "models")} <= pairs
    lazy = [a for a in found if a.source == "clvmodels.value.posterior_clv"]
    assert any(a.target.startswith("clvmodels.estimation") for a in lazy)  # inside a function


def test_no_import_runs_back_up(found):
    live = [a for a in upward(found) if not a.deprecated]
    assert not live, "imports against the layer order:\n" + "\n".join(map(str, live))


def test_deprecated_aliases_are_the_listed_ones(found):
    aliases = {(a.source, a.target) for a in upward(found) if a.deprecated}
    assert aliases == DEPRECATED_ARROWS, (
        "an upward import inside a deprecated alias must be listed in DEPRECATED_ARROWS "
        f"(and a removed one taken out): found {sorted(aliases)}"
    )


def test_the_rule_catches_an_upward_import(tmp_path):
    package = tmp_path / "clvmodels"
    (package / "data" / "engines").mkdir(parents=True)
    (package / "value").mkdir()
    for folder in (package, package / "data", package / "data" / "engines", package / "value"):
        (folder / "__init__.py").write_text("")
    (package / "value" / "valuation.py").write_text("from clvmodels.data import units\n")
    (package / "data" / "engines" / "scoring.py").write_text(
        "import warnings\n"
        "def run():\n"
        "    from ...value import valuation\n"
        "def old():\n"
        "    warnings.warn('old: use new', DeprecationWarning)\n"
        "    from clvmodels.value.valuation import new\n"
        "def hidden():\n"
        "    import importlib\n"
        "    return importlib.import_module('clvmodels.cli')\n"
    )
    (package / "data" / "units.py").write_text("import clvmodels\n")
    bad = {(a.source, a.target, a.deprecated) for a in upward(arrows(package))}
    assert bad == {
        ("clvmodels.data.engines.scoring", "clvmodels.value.valuation", False),
        ("clvmodels.data.engines.scoring", "clvmodels.value.valuation", True),
        ("clvmodels.data.engines.scoring", "clvmodels.cli", False),
        ("clvmodels.data.units", "clvmodels", False),
    }
