"""The claims the test provider tells about a person. Flags are groups (no models of its own):
`unverified` → email_verified false; `no-name` → no `name` claim, only given and family name."""

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        groups = set(user.groups.values_list("name", flat=True))
        claims: dict[str, Any] = {
            "email": user.email,
            "email_verified": "unverified" not in groups,
            "given_name": user.first_name,
            "family_name": user.last_name,
        }
        if "no-name" not in groups:
            claims["name"] = f"{user.first_name} {user.last_name}".strip()
        return claims
