"""The report as a browser shows it: headless Chromium loads the page and every image."""

import json
import re
import shutil
import subprocess

import matplotlib.image
import pytest

from clvmodels.report import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (Debian: apt-get install chromium; .ci/run "
    "installs it when it can)",
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Appended to a copy of the page: once loaded, write what the browser sees into the DOM.
CHECK = """<script>window.addEventListener("load", () => {
  const images = [...document.images];
  const broken = images.filter((i) => !(i.complete && i.naturalWidth > 0)).length;
  const out = document.createElement("pre");
  out.id = "check";
  out.textContent = JSON.stringify({images: images.length, broken: broken,
    tables: document.querySelectorAll("table").length,
    sections: document.querySelectorAll("section").length});
  document.body.appendChild(out);
});</script>"""


def _chromium(tmp_path, *arguments):
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_the_browser_loads_every_image_and_table(content, tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    write_report(content, folder)
    page = (folder / "report.html").read_text()
    checked = folder / "checked.html"
    checked.write_text(page.replace("</body>", CHECK + "</body>"))
    dom = _chromium(tmp_path, "--dump-dom", "--virtual-time-budget=5000", checked.as_uri()).stdout
    found = json.loads(re.search(r'<pre id="check">(.*?)</pre>', dom).group(1))
    assert found == {"images": 5, "broken": 0, "tables": 8, "sections": 6}

    screenshot = tmp_path / "report.png"
    _chromium(
        tmp_path,
        f"--screenshot={screenshot}",
        "--window-size=1280,2000",
        (folder / "report.html").as_uri(),
    )
    pixels = matplotlib.image.imread(screenshot)
    assert pixels.shape[:2] == (2000, 1280)
    assert pixels[..., :3].std() > 0.05  # text and figures, not a blank page
