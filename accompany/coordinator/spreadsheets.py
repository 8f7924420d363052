"""Coordinators' spreadsheets: importing appointments from a CSV file and exporting coverage.

An import is two steps. The upload shows a preview of every row and its problems and saves
nothing; when the file is clean the preview's button sends the file's text back, and the
import reads and checks it again from scratch before creating anything, all in one commit.
"""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from accompany.clock import utcnow
from accompany.committing import committing, shown
from accompany.coordinator import bp
from accompany.coordinator.spreadsheet_forms import (
    ExportForm,
    ImportConfirmForm,
    ImportUploadForm,
)
from accompany.guards import staff_required
from accompany.i18n import N_, gettext, ngettext
from accompany.services.scheduling import appointment_import, coverage_export, csv_files
from accompany.services.scheduling.appointment_import import ImportNotClean, ImportPreview
from accompany.services.scheduling.csv_files import SpreadsheetError

TOO_BIG_TO_CONFIRM = N_("This file is too large to import in one go. Split it into two files and import each.")


def csv_response(text: str, filename: str) -> Response:
    response = Response(text, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _upload_page(form: ImportUploadForm, message: str | None = None, status: int = 200):
    return render_template("coordinator/spreadsheets/import.html", form=form, message=message), status


def _preview_page(preview: ImportPreview, text: str, message: str | None = None):
    """The rows and their problems; the import button only when every row is clean."""
    confirm = ImportConfirmForm.for_text(text, len(preview.rows)) if preview.clean else None
    limit = current_app.config.get("MAX_FORM_MEMORY_SIZE") or current_app.config["MAX_CONTENT_LENGTH"]
    if confirm is not None and len(confirm.content.data) > limit * 0.9:
        confirm, message = None, gettext(TOO_BIG_TO_CONFIRM)
    return render_template(
        "coordinator/spreadsheets/preview.html",
        preview=preview,
        confirm=confirm,
        upload=ImportUploadForm(formdata=None),
        message=message,
    )


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def import_appointments():
    form = ImportUploadForm()
    if form.validate_on_submit():
        try:
            text = csv_files.decode_upload(form.file.data.read())
            preview = appointment_import.preview_import(text, now=utcnow())
        except SpreadsheetError as error:
            return _upload_page(form, shown(error))
        return _preview_page(preview, text)
    return _upload_page(form)


@bp.post("/import/confirm")
@staff_required
def confirm_import():
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        return _upload_page(
            ImportUploadForm(formdata=None), gettext("The file was not sent back complete. Upload it again."), 400
        )
    with committing(show_error=False) as imported:
        text = form.text()
        result = appointment_import.import_appointments(
            text, by=current_user, now=utcnow(), expected_rows=form.rows.data
        )
    error = imported.error
    if isinstance(error, ImportNotClean):
        return _preview_page(error.preview, text, _not_clean(error))
    if isinstance(error, SpreadsheetError):
        return _upload_page(ImportUploadForm(formdata=None), shown(error))
    if error is not None:
        return _upload_page(ImportUploadForm(formdata=None),
                            gettext("Nothing was imported. %(reason)s", reason=shown(error)))
    count, shifts = len(result.appointments), result.shifts
    if shifts:
        flash(ngettext("%(num)d appointment imported, with %(shifts)s for volunteers to fill.",
                       "%(num)d appointments imported, with %(shifts)s for volunteers to fill.", count,
                       shifts=ngettext("%(num)d shift", "%(num)d shifts", shifts)), "success")
    else:
        flash(ngettext("%(num)d appointment imported.", "%(num)d appointments imported.", count), "success")
    return redirect(url_for("home.index"))


def _not_clean(error: ImportNotClean) -> str:
    """Why nothing was imported, in the page's language."""
    if error.changed:
        return ngettext("The file changed since its preview: it now has %(num)d row. Check it below and import again.",
                        "The file changed since its preview: it now has %(num)d rows. Check them below and import "
                        "again.", len(error.preview.rows))
    return ngettext("Nothing was imported: the file has %(num)d problem to fix first.",
                    "Nothing was imported: the file has %(num)d problems to fix first.", len(error.preview.problems))


@bp.get("/import/template.csv")
@staff_required
def import_template():
    text = appointment_import.import_template(now=utcnow(), tz_name=current_app.config["ORG_TIMEZONE"])
    return csv_response(text, "appointments-template.csv")


@bp.get("/export")
@staff_required
def export_appointments():
    tz_name = current_app.config["ORG_TIMEZONE"]
    if "start" not in request.args and "end" not in request.args:
        start, end = coverage_export.default_export_range(now=utcnow(), tz_name=tz_name)
        form = ExportForm(formdata=None, start=start, end=end)
        return render_template("coordinator/spreadsheets/export.html", form=form)
    form = ExportForm(formdata=request.args)
    if form.validate():
        with committing(form, field="end") as exported:
            export = coverage_export.export_coverage(
                form.start.data, form.end.data, tz_name=tz_name, by=current_user, now=utcnow()
            )
        if exported:
            return csv_response(export.text, export.filename)
    return render_template("coordinator/spreadsheets/export.html", form=form)
