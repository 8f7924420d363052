"""A light first visit (issue 17): the stylesheets go gzipped, under versioned URLs a browser
keeps for a year, and the CSS is only what the pages use."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from tests.conftest import log_in

STATIC = Path(__file__).resolve().parents[1] / "static"


def stylesheet_urls(page: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)


def test_the_login_page_links_its_stylesheets_by_version(client):
    urls = stylesheet_urls(client.get("/login").get_data(as_text=True))
    assert [url.split("?")[0] for url in urls] == ["/static/vendor/pico/pico.min.css", "/static/css/app.css"]
    assert all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in urls)


def test_a_stylesheet_goes_gzipped_to_a_browser_that_takes_gzip_and_is_kept_a_year(client):
    url = stylesheet_urls(client.get("/login").get_data(as_text=True))[1]
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Type"].startswith("text/css")
    assert "Accept-Encoding" in response.headers["Vary"]
    assert gzip.decompress(response.data) == (STATIC / "css" / "app.css").read_bytes()
    assert "max-age=31536000" in response.headers["Cache-Control"] and "immutable" in response.headers["Cache-Control"]


def test_a_browser_without_gzip_gets_the_file_as_it_is(client):
    url = stylesheet_urls(client.get("/login").get_data(as_text=True))[0]
    response = client.get(url)
    assert "Content-Encoding" not in response.headers
    assert response.data == (STATIC / "vendor" / "pico" / "pico.min.css").read_bytes()


def test_an_old_or_missing_version_is_served_but_revalidated(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert "no-cache" in response.headers["Cache-Control"] and "immutable" not in response.headers["Cache-Control"]
        etag = response.headers["ETag"]
        again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert again.status_code == 304


def test_static_files_may_be_cached_by_a_signed_in_browser(client, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    log_in(client, volunteer)
    url = stylesheet_urls(client.get("/shifts").get_data(as_text=True))[1]
    assert "no-store" not in client.get(url).headers["Cache-Control"]


def test_a_missing_or_outside_file_is_a_404(client):
    assert client.get("/static/css/nothing.css").status_code == 404
    assert client.get("/static/../config.py").status_code == 404
    assert client.get("/static/%2e%2e/config.py").status_code == 404


def test_the_first_visit_is_light(client):
    """The login page and what it loads, gzipped as a browser gets them: under 25 KB in all
    (it was 85 KB of CSS alone before, none of it compressed)."""
    page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    total = len(gzip.compress(page.data))
    for url in stylesheet_urls(page.get_data(as_text=True)):
        total += len(client.get(url, headers={"Accept-Encoding": "gzip"}).data)
    assert total < 25_000
