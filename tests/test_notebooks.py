"""The notebooks run from top to bottom (documentation that cannot rot).

Each notebook is executed in a fresh kernel with nbclient (in the ``test`` extra); a cell
that raises fails the test with the cell's error.
"""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_the_four_notebooks_are_there():
    assert [path.name[:3] for path in NOTEBOOKS] == ["01_", "02_", "03_", "04_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_executes(path, monkeypatch, tmp_path):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:  # committed without outputs
        assert cell.get("outputs", []) == [], f"{path.name}: commit it without outputs"
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    text = "".join(
        output.get("text", "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )
    # no old spelling of ours (clvmodels.deprecation) in the documentation
    assert "is deprecated and will be removed in the next release" not in text
    if path.name.startswith("02_"):
        assert "lowest MAE: BG/NBD + Gamma-Gamma" in text
    if path.name.startswith("04_"):  # the simulated effects within 3 standard errors
        assert "effects recovered: True" in text
    if path.name.startswith("03_"):
        assert "skipping the Bayesian cells" in text or "skipped" not in text
