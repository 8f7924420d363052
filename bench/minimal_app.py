"""The framework's own ceiling: a Flask app with one route and a small text answer.

Served by gunicorn exactly like `wsgi:app` (same workers, same flags), so the gap between this
route and a real page is what the page's own work costs: session, queries, templates.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Accompany benchmark: the smallest Flask answer.\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
