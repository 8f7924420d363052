"""Forms for spreadsheets: uploading a CSV, confirming its import, and choosing an export's dates.

The confirmation carries the file's text back in a hidden field, compressed so a large file
still fits the form size limits. It is only ever a copy of what was uploaded: the import reads
and checks it again from scratch.
"""

from __future__ import annotations

import base64
import binascii
import zlib

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from accompany.formfields import CHANGED_ON_THE_WAY, InputForm, PlainDateField, SmallIntegerField
from accompany.i18n import _l
from accompany.marks import N_
from accompany.services.scheduling.csv_files import SpreadsheetError

# The decompressed text may be no larger than an upload may be (MAX_CONTENT_LENGTH).
MAX_TEXT_BYTES = 2 * 1024 * 1024


class ContentLost(SpreadsheetError):
    message = N_("The file sent back for import could not be read. Upload the file again.")


def pack_text(text: str) -> str:
    """The CSV text as a compact, form-safe string."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def unpack_text(packed: str) -> str:
    """The CSV text from `pack_text`, or ContentLost if it was damaged (or is absurdly large)."""
    try:
        compressed = base64.urlsafe_b64decode(packed.encode("ascii"))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(compressed, MAX_TEXT_BYTES + 1)
        if len(raw) > MAX_TEXT_BYTES or inflater.unconsumed_tail or not inflater.eof:
            raise ContentLost()
        return raw.decode("utf-8")
    except (binascii.Error, ValueError, zlib.error, UnicodeError):
        raise ContentLost() from None


class ImportUploadForm(InputForm):
    file = FileField(
        _l("Spreadsheet (CSV file)"),
        validators=[
            FileRequired(_l("Choose the CSV file to upload.")),
            FileAllowed(
                ["csv"],
                _l("Upload a .csv file. In Excel use File → Save As → “CSV UTF-8”; "
                   "in Google Sheets use File → Download → “Comma-separated values”."),
            ),
        ],
        render_kw={"accept": ".csv,text/csv"},
    )


class ImportConfirmForm(InputForm):
    content = HiddenField(validators=[InputRequired(_l("The file was not sent back. Upload it again."))])
    rows = SmallIntegerField(widget=HiddenInput(), validators=[InputRequired(CHANGED_ON_THE_WAY), NumberRange(min=1, message=CHANGED_ON_THE_WAY)])

    @classmethod
    def for_text(cls, text: str, rows: int) -> ImportConfirmForm:
        return cls(formdata=None, content=pack_text(text), rows=rows)

    def text(self) -> str:
        return unpack_text(self.content.data or "")


class ExportForm(InputForm):
    """The export's local date range (a GET form that only reads, so no CSRF token)."""

    class Meta:
        csrf = False

    start = PlainDateField(_l("From"), validators=[InputRequired(_l("Enter the first date."))])
    end = PlainDateField(_l("To (inclusive)"), validators=[InputRequired(_l("Enter the last date."))])
