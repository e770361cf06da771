"""The test provider's routes: django-oauth-toolkit under /o/ and a login form."""

from django.contrib.auth import authenticate, login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt

FORM = """<!doctype html><title>Test provider login</title>
<form method="post" action="/login/" data-testid="op-login">
<input type="hidden" name="next" value="{next}">
<label>User <input name="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Log in at the provider</button>
</form>"""


@csrf_exempt  # a test fixture; the flow under test is Konvoi's
def login_view(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if request.method == "POST":
        user = authenticate(
            request,
            username=request.POST.get("username", ""),
            password=request.POST.get("password", ""),
        )
        if user is not None:
            login(request, user)
            return HttpResponseRedirect(target)
        return HttpResponse(FORM.format(next=escape(target)), status=401)
    return HttpResponse(FORM.format(next=escape(target)))


def whoami(request: HttpRequest) -> HttpResponse:
    """Who the provider's session belongs to (to check that logout ended it)."""
    return HttpResponse(request.user.username if request.user.is_authenticated else "")


urlpatterns = [
    path("login/", login_view),
    path("whoami/", whoami),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
