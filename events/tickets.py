"""The registrant's ticket: a QR code of the door code, read at the door by the staff's phone.

The code opens nothing (it only lets staff check the person in), so the QR code carries
nothing but `KONVOI:<code>`; events.keys.door_code_clean reads a scanned or typed one.
Made here with segno: no third-party service sees a code.
"""

from io import BytesIO

import segno

from events.models import Registration

QR_PREFIX = "KONVOI:"


def door_qr_content(registration: Registration) -> str:
    return f"{QR_PREFIX}{registration.code}"


def door_qr(registration: Registration) -> segno.QRCode:
    # Error level M: survives a crease or a cracked phone screen; the content is short.
    return segno.make(door_qr_content(registration), error="m", micro=False)


def door_qr_svg(registration: Registration) -> str:
    """The QR code as inline SVG for the registrant's page (the caller marks it safe: made
    by segno from our own code)."""
    return door_qr(registration).svg_inline(
        scale=6, border=4, dark="#000", light="#fff", omitsize=False
    )


def door_qr_png(registration: Registration) -> bytes:
    """The QR code as a PNG for the e-mail (inline by Content-ID): large enough to be read
    from a phone screen held under another phone's camera."""
    buffer = BytesIO()
    door_qr(registration).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
