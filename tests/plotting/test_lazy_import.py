import subprocess
import sys


def test_importing_the_plots_does_not_import_matplotlib():
    code = "import sys, clvmodels, clvmodels.plotting; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
