"""Serving private files (photos, signatures, designs, GP letters): only through a view that
has checked access, never sniffed or scripted by the browser, and a 404 with a reason when
the file is gone (erased on request, or missing from storage)."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse


def private(response: HttpResponse, *, max_age: int = 0) -> HttpResponse:
    """Headers for a private file: no sniffing, no scripts, a private cache at most."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = (
        f"private, max-age={max_age}" if max_age else "private, no-store, max-age=0"
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def open_stored(stored: FieldFile, *, what: str):
    """The open file, or a 404 that says why there is none."""
    if not stored:
        raise Http404(f"The {what} was removed.")
    try:
        return stored.storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise Http404(f"The {what} is missing from storage.") from None


def private_file_response(
    stored: FieldFile,
    *,
    what: str,
    content_type: str,
    max_age: int = 0,
    as_attachment: bool = False,
    filename: str | None = None,
) -> FileResponse:
    response = FileResponse(
        open_stored(stored, what=what),
        content_type=content_type,
        as_attachment=as_attachment,
        filename=filename or "",
    )
    return private(response, max_age=max_age)
