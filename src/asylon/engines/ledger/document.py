"""A printable PDF of a credential, with a QR code that carries what offline verification needs.

The QR code holds :func:`asylon.engines.ledger.envelope.qr_payload` — the whole envelope when it fits, a
reference otherwise. The code is drawn from ``qrcode``'s module matrix as vector squares, so no image library is
needed and the print stays sharp.
"""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.constants
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from asylon.engines.ledger.envelope import Envelope, qr_payload

__all__ = ["credential_pdf", "qr_matrix"]

_TITLES = {
    "RefugeeStatusAttestation": "Refugee status attestation",
    "ResettlementDecision": "Resettlement decision",
    "TravelDocumentData": "Convention Travel Document — data page",
}


def qr_matrix(payload: str) -> list[list[bool]]:
    """QR modules (True = dark) for ``payload``, at the lowest error correction that fits (L).

    >>> m = qr_matrix("ASY1:test"); len(m) == len(m[0])
    True
    """
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=4)
    qr.add_data(payload)
    qr.make(fit=True)
    return [list(row) for row in qr.get_matrix()]


def _rows(cred: dict[str, Any]) -> list[tuple[str, str]]:
    s = cred.get("credentialSubject", {})
    rows = [
        ("Surname", str(s.get("familyName", ""))),
        ("Given names", str(s.get("givenName", ""))),
        ("Date of birth", str(s.get("birthDate", ""))),
        ("Sex", str(s.get("sex", ""))),
    ]
    if s.get("countryOfOrigin"):
        rows.append(("Country of origin", str(s["countryOfOrigin"])))
    for key in ("refugeeStatus", "resettlement", "travelDocument"):
        detail = s.get(key)
        if isinstance(detail, dict):
            for k, v in detail.items():
                if k not in ("type", "mrz"):
                    label = "".join(" " + c.lower() if c.isupper() else c for c in k).capitalize()
                    rows.append((label, str(v)))
    issuer = cred.get("issuer")
    rows.append(
        ("Issued by", str(issuer.get("name", issuer.get("id"))) if isinstance(issuer, dict) else str(issuer))
    )
    rows.append(("Valid from", str(cred.get("validFrom", ""))))
    if cred.get("validUntil"):
        rows.append(("Valid until", str(cred["validUntil"])))
    rows.append(("Credential id", str(cred.get("id", ""))))
    return rows


def credential_pdf(envelope: Envelope) -> bytes:
    """One A4 page: the credential's fields, its MRZ if any, and the verification QR code.

    >>> credential_pdf(Envelope({"id": "urn:x", "type": ["VerifiableCredential"]}))[:5]
    b'%PDF-'
    """
    cred = envelope.credential
    types = cred.get("type", [])
    kind = next((t for t in (types if isinstance(types, list) else [types]) if t in _TITLES), "")
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=True)
    width, height = A4
    c.setTitle(_TITLES.get(kind, "Verifiable credential"))
    c.setFont("Helvetica-Bold", 18)
    c.drawString(20 * mm, height - 25 * mm, _TITLES.get(kind, "Verifiable credential"))
    c.setFont("Helvetica", 10)
    y = height - 40 * mm
    for label, value in _rows(cred):
        c.setFont("Helvetica-Bold", 10)
        c.drawString(20 * mm, y, label)
        c.setFont("Helvetica", 10)
        c.drawString(65 * mm, y, value[:80])
        y -= 6 * mm
    mrz = cred.get("credentialSubject", {}).get("travelDocument", {}).get("mrz")
    if isinstance(mrz, list):
        c.setFont("Courier-Bold", 11)
        for n, line in enumerate(mrz):
            c.drawString(20 * mm, 30 * mm - n * 6 * mm, str(line))
    matrix = qr_matrix(qr_payload(envelope))
    side = 80 * mm
    cell = side / len(matrix)
    x0, y0 = width - 20 * mm - side, 45 * mm
    c.setFillColorRGB(0, 0, 0)
    path = c.beginPath()
    for r, row in enumerate(matrix):
        col = 0
        while col < len(row):
            if not row[col]:
                col += 1
                continue
            run = col
            while run < len(row) and row[run]:
                run += 1
            # One rectangle per horizontal run of dark modules keeps the page small and quick to render.
            path.rect(x0 + col * cell, y0 + side - (r + 1) * cell, (run - col) * cell, cell)
            col = run
    c.drawPath(path, stroke=0, fill=1)
    c.setFont("Helvetica", 8)
    c.drawString(x0, y0 - 5 * mm, "Verify offline: asylon verify <scan> --trust <bundle>")
    c.showPage()
    c.save()
    return buf.getvalue()
