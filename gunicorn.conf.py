"""gunicorn's settings for Accompany: `gunicorn --config gunicorn.conf.py wsgi:app` (gunicorn also
reads this file on its own when started in this directory). See docs/security.md, "Logs".

The access log (off unless asked for with `--access-logfile -` or a file) says who asked for
which path, when, and the answer: never the query string, where a family search puts a name or a
phone number, nor the token of a calendar feed or an invitation, which accompany.access_log hides
whatever format is asked for. The Referer and User-Agent are left out.
"""

logger_class = "accompany.access_log.PrivateLogger"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
