"""The anonymous respondent's resume token and the e-mail proof, as for open events'
registrants (events.keys): the token is an HMAC of a stored nonce, so that e-mails can carry
the link; only its hash is looked up. The proof that someone read an e-mail to the address
left is a second HMAC of the nonce and that address, carried only by the e-mail's link."""

import hashlib
import hmac
import re
import secrets

from django.conf import settings

from checks.models import CheckResponse
from modelutils.invitations import token_hash

_TOKEN_RE = re.compile(r"[0-9a-f]{64}")  # what check_token makes


def check_token(nonce: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"konvoi.check:{nonce}".encode(), hashlib.sha256
    )
    return digest.hexdigest()


def check_token_new() -> tuple[str, str, str]:
    """(nonce, token, token hash) for a new anonymous response."""
    nonce = secrets.token_hex(32)
    token = check_token(nonce)
    return nonce, token, token_hash(token)


def check_token_of(response: CheckResponse) -> str:
    return check_token(response.token_nonce)


def check_by_token(*, token: str) -> CheckResponse | None:
    """The anonymous response of `token`, or None (any string: never an error)."""
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    return (
        CheckResponse.objects.select_related("programme", "company")
        .filter(token_hash=token_hash(token))
        .first()
    )


def check_email_proof(response: CheckResponse) -> str:
    """Bound to the address left: a new address needs a new e-mail."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"konvoi.check-email:{response.token_nonce}:{response.email.lower()}".encode(),
        hashlib.sha256,
    )
    return digest.hexdigest()[:32]


def check_email_proof_valid(response: CheckResponse, proof: object) -> bool:
    if not response.email or not isinstance(proof, str) or not proof or len(proof) > 64:
        return False
    # As bytes: compare_digest refuses str with non-ASCII characters.
    return hmac.compare_digest(
        proof.encode("utf-8", "surrogatepass"), check_email_proof(response).encode()
    )
