"""Checks in the Django admin: for support to look, not to change. Every change goes through
checks.services (the row lock, the snapshot, the register touches); an edit here would do
none of that.

Anonymous respondents' personal data (address, name, company name, postcode) is shown to
superusers only, and the token's nonce (from which the respondent's secret link follows) to
nobody.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import ViewOnlyAdminMixin
from checks.models import CheckResponse

_SECRET_FIELDS = ["token_nonce", "token_hash"]
_PERSONAL_FIELDS = ["email", "contact_name", "company_name", "postcode"]


@admin.register(CheckResponse)
class CheckResponseAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "company", "programme", "stage", "status", "band", "submitted_at"]
    list_filter = ["status", "stage", "band", "questionnaire_version", "advisor_assisted"]
    search_fields = ["company__name", "programme__name"]
    raw_id_fields = ["company", "respondent", "programme", "convoy", "advisor"]
    list_select_related = ["company", "programme"]
    date_hierarchy = "created_at"

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        hidden = list(_SECRET_FIELDS)
        if not request.user.is_superuser:
            hidden += _PERSONAL_FIELDS
        return hidden
