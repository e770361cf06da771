"""The keys of a registration, below the services and the e-mails that both use them: the
registrant's secret (ticket page, self-cancel), the door code on the QR code, and "the same
company" (normalised name and postcode) for the per-company cap."""

import hashlib
import hmac
import re
import secrets

from django.conf import settings

from events.models import Registration
from modelutils.invitations import token_hash
from programmes.selectors import company_name_key

# Door codes: no 0/O, 1/I/L, so that a typed code is read right the first time.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


# --- the registrant's token and the door code --------------------------------------------


def registration_token(nonce: str) -> str:
    """The registrant's secret (ticket page, self-cancel): an HMAC of the stored nonce with
    the SECRET_KEY, so that every e-mail to them can carry it; only its hash is looked up."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"konvoi.registration:{nonce}".encode(), hashlib.sha256
    )
    return digest.hexdigest()


def registration_token_new() -> tuple[str, str, str]:
    """(nonce, token, token hash) for a new registration."""
    nonce = secrets.token_hex(32)
    token = registration_token(nonce)
    return nonce, token, token_hash(token)


def registration_token_of(registration: Registration) -> str:
    return registration_token(registration.token_nonce)


def registration_email_proof(registration: Registration) -> str:
    """The proof that the registrant read an e-mail to their address (double opt-in for
    contact_consent): a second HMAC of the nonce, carried only by the e-mails' links. The
    token alone proves nothing: the registrant gets it on the page and in the API answer
    the moment they register, whatever address they typed."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"konvoi.registration-email:{registration.token_nonce}".encode(),
        hashlib.sha256,
    )
    return digest.hexdigest()[:32]


def registration_email_proof_valid(registration: Registration, proof: object) -> bool:
    if not isinstance(proof, str) or not proof or len(proof) > 64:
        return False
    # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
    return hmac.compare_digest(
        proof.encode("utf-8", "surrogatepass"), registration_email_proof(registration).encode()
    )


def registration_by_token(*, token: str) -> Registration | None:
    """The registration this secret opens, or None (the caller 404s)."""
    if not token or len(token) > 128:
        return None
    return (
        Registration.objects.filter(token_hash=token_hash(token))
        .select_related("event__programme")
        .first()
    )


def door_code_new() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def door_code_clean(text: str) -> str:
    """A typed or scanned code as stored: upper case, without spaces, dashes or a prefix."""
    text = text.strip().upper()
    text = text.removeprefix("KONVOI:").removeprefix("KONVOI-")
    return re.sub(r"[\s\-]", "", text)[:32]


# --- the same company ----------------------------------------------------------------------


def postcode_clean(postcode: str) -> str:
    """A postcode as compared: letters and digits only, upper case ("58095-", "5809-5" and
    "58 095" are 58095)."""
    return re.sub(r"[^0-9A-Za-z]", "", postcode or "").upper()[:10]


def company_key(*, company_name: str, postcode: str) -> str:
    """ "The same company" for max_per_company: the normalised name (legal forms, case,
    umlauts and punctuation do not count) and the postcode."""
    return f"{company_name_key(company_name)}|{postcode_clean(postcode)}"[:300]
