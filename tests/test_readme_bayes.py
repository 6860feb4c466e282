"""The README's Bayesian block (issue 26, item 10): every name defined before it is used,
and, run as written, no sampler warning (the pooled fit of two cohorts once diverged)."""

import ast
import builtins
import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _bayesian_block() -> str:
    section = README.read_text().split("## Bayesian models", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```py\n(.*?)```", section, re.S)
    return block


def test_every_name_is_defined_before_it_is_used():
    tree = ast.parse(_bayesian_block())
    defined = set(dir(builtins))
    used_first: list[tuple[int, str]] = []
    for statement in tree.body:  # top level, in order: what a reader runs line by line
        loads = {
            n.id for n in ast.walk(statement) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)
        }  # fmt: skip
        used_first += [(statement.lineno, name) for name in sorted(loads - defined)]
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
            elif isinstance(node, ast.alias):
                defined.add((node.asname or node.name).split(".")[0])
    assert used_first == []
    assert {"tenure", "churned"} <= defined


@pytest.mark.slow
def test_the_block_runs_without_sampler_warnings(tmp_path, monkeypatch):
    pytest.importorskip("pymc")
    import clvmodels as clv

    monkeypatch.chdir(tmp_path)  # it saves bgnbd-posterior/
    namespace: dict = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", clv.ConvergenceWarning)
        exec(compile(_bayesian_block(), str(README), "exec"), namespace)
    assert [str(w.message) for w in caught if w.category is clv.ConvergenceWarning] == []
    # Fader & Hardie (2007), the regular cohort: DEL 3.695 at 10 %, alpha 0.704, beta 1.182
    assert float(namespace["sbg_b"].discounted_expected_lifetime(0.10)) == pytest.approx(
        3.695, rel=0.02
    )
    by_customer = namespace["sbg_c"].posterior_mean_params()
    assert by_customer["alpha"] == pytest.approx(0.704, rel=0.1)
    assert by_customer["beta"] == pytest.approx(1.182, rel=0.15)
    assert (tmp_path / "bgnbd-posterior").is_dir()
