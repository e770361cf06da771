"""Template tags of the way in: the colleague section a company page includes
(frontend/partials/company_colleagues.html) reads its own data here, so that the page's view
need not know about invitations."""

from django import template
from django.db.models import QuerySet

from companies.models import Company, CompanyInvitation
from companies.selectors import company_invitations_pending
from frontend.forms import CompanyMemberForm

register = template.Library()


@register.simple_tag
def company_invitations(company: Company) -> QuerySet[CompanyInvitation]:
    """The company's open and expired (not withdrawn) invitations to colleagues, in one query."""
    return company_invitations_pending(company=company)


@register.simple_tag
def colleague_form() -> CompanyMemberForm:
    return CompanyMemberForm()
