"""Pages of the Digitalisierungs-Check (frontend namespace, via frontend.urls): the anonymous
check under /p/<slug>/check/ and /check/<token>/… (part C), a company's checks under
/companies/<id>/checks/ and /checks/<id>/… (part D)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
