"""The app for gunicorn and `flask --app wsgi …` (config chosen by ACCOMPANY_ENV)."""

from accompany import create_app

app = create_app()
