from __future__ import annotations

from flask import jsonify

from accompany.clock import utcnow
from accompany.health import bp
from accompany.services.messaging.health import health_report


@bp.get("/healthz")
def healthz():
    report = health_report(now=utcnow())
    status = 200 if report.get("database") == "ok" else 503
    response = jsonify(report)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
