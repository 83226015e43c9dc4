"""The PDF of a signed consent, built on request with reportlab (nothing is cached: the
record is small and the PDF always reflects its withdrawal state)."""

import io
from datetime import datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from clients.consent.text import text_blocks
from clients.models import SignedConsent

# reportlab's built-in Helvetica covers Latin-1 only: a name such as "Łukasz" would print as
# boxes. DejaVu (installed with most Linux desktops and Debian's Chromium) covers far more;
# where it is missing, Helvetica is the fallback.
FONT_FOLDERS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
SIGNATURE_BOX = (80 * mm, 32 * mm)


@cache
def _fonts() -> tuple[str, str]:
    for folder in FONT_FOLDERS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("ConsentSans", str(regular)))
            pdfmetrics.registerFont(TTFont("ConsentSans-Bold", str(bold)))
            return "ConsentSans", "ConsentSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("ConsentBody", parent=base["BodyText"], fontName=regular, fontSize=10.5)
    body.leading = 14
    return {
        "title": ParagraphStyle(
            "ConsentTitle", parent=base["Title"], fontName=bold, fontSize=17, alignment=0
        ),
        "meta": ParagraphStyle(
            "ConsentMeta", parent=body, fontSize=9, textColor=colors.HexColor("#555555")
        ),
        "body": body,
        "label": ParagraphStyle("ConsentLabel", parent=body, fontName=bold, fontSize=9.5),
        "value": ParagraphStyle("ConsentValue", parent=body, fontSize=9.5),
        "alert": ParagraphStyle(
            "ConsentAlert", parent=body, fontName=bold, textColor=colors.HexColor("#9b1c1c")
        ),
    }


def _text(value: str) -> str:
    return escape(value or "")


def _local(moment: datetime, zone) -> str:
    local = timezone.localtime(moment, zone)
    return f"{local:%-d %B %Y at %H:%M %Z} ({zone.key})"


def _signature_image(consent: SignedConsent) -> Image | None:
    if not consent.signature:  # removed when the client was erased on request
        return None
    try:
        with consent.signature.open("rb") as handle, PILImage.open(handle) as drawn:
            # Signatures are drawn on a transparent canvas: lay them on white paper.
            paper = PILImage.new("RGB", drawn.size, "white")
            rgba = drawn.convert("RGBA")
            paper.paste(rgba, mask=rgba.getchannel("A"))
    except (FileNotFoundError, OSError):
        return None
    buffer = io.BytesIO()
    paper.save(buffer, format="PNG")
    buffer.seek(0)
    scale = min(SIGNATURE_BOX[0] / paper.width, SIGNATURE_BOX[1] / paper.height)
    return Image(buffer, width=paper.width * scale, height=paper.height * scale)


def _body(consent: SignedConsent, styles) -> list:
    flowables = []
    for block in text_blocks(consent.version.body):
        if block.is_list:
            items = [ListItem(Paragraph(_text(line), styles["body"])) for line in block.lines]
            flowables.append(ListFlowable(items, bulletType="bullet", leftIndent=12))
        else:
            joined = "<br/>".join(_text(line) for line in block.lines)
            flowables.append(Paragraph(joined, styles["body"]))
        flowables.append(Spacer(1, 2 * mm))
    return flowables


def _record(consent: SignedConsent, styles, zone) -> Table:
    witness = consent.witness
    signature = _signature_image(consent)
    rows = [
        ("Signed by", consent.typed_name),
        ("Signature", signature if signature is not None else "(image missing from storage)"),
        ("Signed on", _local(consent.signed_at, zone)),
        ("Witnessed by", f"{witness.full_name} ({witness.role_label})"),
        ("IP address", consent.ip_address or "not recorded"),
        ("Record", str(consent.public_id)),
        ("Signature SHA-256", consent.signature_sha256),
    ]
    cells = [
        [
            Paragraph(_text(label), styles["label"]),
            value if isinstance(value, Image) else Paragraph(_text(value), styles["value"]),
        ]
        for label, value in rows
    ]
    table = Table(cells, colWidths=[38 * mm, None], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, colors.HexColor("#888888")),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def signed_consent_pdf(consent: SignedConsent, *, compress: bool = True) -> bytes:
    """The signed consent as a PDF: the exact text signed, the typed name, the signature,
    the time in the client's clinic time zone, the IP address and the witness."""
    client = consent.client
    zone = client.home_location.tz
    styles = _styles()
    version = consent.version
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{version.template.title} — {client.full_name}",
        author=settings.CLINIC_NAME,
        subject=f"Signed consent {consent.public_id}",
        pageCompression=1 if compress else 0,
    )
    born = f" · born {client.date_of_birth:%-d %B %Y}" if client.date_of_birth else ""
    story = [
        Paragraph(_text(settings.CLINIC_NAME), styles["meta"]),
        Paragraph(_text(version.template.title), styles["title"]),
        Paragraph(
            _text(
                f"Client: {client.full_name}{born} · text version {version.number}, published "
                f"{timezone.localtime(version.created_at, zone):%-d %B %Y}"
            ),
            styles["meta"],
        ),
        Spacer(1, 5 * mm),
    ]
    if consent.withdrawn_at is not None:
        by = consent.withdrawn_by.full_name if consent.withdrawn_by else "a staff member"
        story += [
            Paragraph(
                _text(
                    f"Withdrawn on {_local(consent.withdrawn_at, zone)}, recorded by {by}: "
                    f"{consent.withdrawal_reason}"
                ),
                styles["alert"],
            ),
            Spacer(1, 4 * mm),
        ]
    story += _body(consent, styles)
    story.append(KeepTogether([Spacer(1, 4 * mm), _record(consent, styles, zone)]))
    footer = f"{settings.CLINIC_NAME} · signed consent {consent.public_id}"

    def draw_footer(canvas, doc) -> None:
        # Every page names its record, so a loose page can be matched to its consent.
        canvas.saveState()
        canvas.setFont(_fonts()[0], 8)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(20 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()
