from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest, **kwargs: str) -> HttpResponse:
    return HttpResponse("Konvoi")
