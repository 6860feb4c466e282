import base64
import io
from html.parser import HTMLParser

import matplotlib.image
import pandas as pd
import pytest

from clvmodels.report import render_report, write_report
from clvmodels.report.words import parameter_words


class _Page(HTMLParser):
    """Collect tables, images and section titles."""

    def __init__(self):
        super().__init__()
        self.images, self.tables, self.sections, self.links = [], 0, [], []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        elif tag == "table":
            self.tables += 1
        elif tag == "h2":
            self._in_h2 = True
        elif tag == "a":
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.sections.append(data)


def _parse(page):
    parser = _Page()
    parser.feed(page)
    return parser


def test_every_section_table_and_image_is_there(content):
    page, tables = render_report(content)
    parsed = _parse(page)
    assert parsed.sections == [
        "Data overview",
        "Fitted models",
        "Customers",
        "Did the predictions come true?",
        "Probabilistic vs textbook CLV",
        "Retention and lifetime (contractual cohorts)",
    ]
    # overview, settings, parameters x2, top customers, backtest, comparison, lifetimes
    assert parsed.tables == 8
    assert len(parsed.images) == 5  # P(alive), CLV, Lorenz, customer equity, retention
    for source in parsed.images:
        assert source.startswith("data:image/png;base64,")
        pixels = matplotlib.image.imread(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
        assert pixels.shape[0] > 200 and pixels.shape[1] > 400
        assert pixels.std() > 0.01  # something is drawn
    csv_links = [link for link in parsed.links if link.endswith(".csv")]
    assert sorted(csv_links) == sorted(name for name in tables if name in csv_links)
    assert set(csv_links) <= set(tables)


def test_tables_are_written_as_csv(content, tmp_path):
    files = write_report(content, tmp_path)
    assert sorted(files) == sorted(p.name for p in tmp_path.iterdir())
    top = pd.read_csv(tmp_path / "table_top_customers.csv", index_col="customer")
    assert len(top) == 20 and top["clv"].is_monotonic_decreasing
    assert top["clv"].iloc[0] == pytest.approx(content.scores["clv"].max())
    parameters = pd.read_csv(tmp_path / "table_parameters_bg_nbd.csv", index_col="parameter")
    assert parameters.loc["r", "estimate"] == pytest.approx(0.2426)
    curve = pd.read_csv(tmp_path / "table_retention_curve_regular.csv", index_col="period")
    assert curve["expected"].tolist() == [1000, 625, 472, 385, 328, 287]


def test_text_is_escaped(content):
    page, _ = render_report(content)
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_sections_without_content_are_left_out_with_a_note(content):
    content.comparison = None
    content.backtest = {}
    content.retention = None
    content.scores = content.scores.drop(columns=["clv", "expected_spend"])
    page, tables = render_report(content)
    parsed = _parse(page)
    assert parsed.sections == ["Data overview", "Fitted models", "Customers"]
    assert "Backtest metrics appear here" in page
    assert len(parsed.images) == 2  # P(alive) and expected purchases
    assert "Top 20 customers by expected purchases" in page


def test_bgnbd_parameters_in_words():
    """Fader, Hardie & Lee (2005): r/alpha = 0.2426/4.4136 = 0.055 purchases a week while
    active; mean dropout probability a/(a+b) = 0.7929/3.2188 = 24.6%."""
    words = parameter_words(
        "BetaGeoModel", {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259}, "week"
    )
    assert "buys 0.055 times per week" in words[0]
    assert "probability 24.6% on average" in words[1]


def test_gamma_gamma_and_sbg_in_words():
    # Fader, Hardie & Lee (2005) Gamma-Gamma on CDNOW: p 6.25, q 3.74, gamma 15.44 -> $35.2
    spend = parameter_words("GammaGammaModel", {"p": 6.25, "q": 3.74, "v": 15.44}, "week")
    assert "spends 35.22 per purchase" in spend[1]
    # Fader & Hardie (2007) regular cohort: alpha 0.704, beta 1.182 -> 37.3% leave in year 1
    retention = parameter_words("ShiftedBetaGeoModel", {"alpha": 0.704, "beta": 1.182}, "year")
    assert "first year 37.3% of new customers leave" in retention[0]
    assert parameter_words("SomeFutureModel", {"x": 1.0}, "week") == []
