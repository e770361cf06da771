"""Messages whose German wording we pin in locale/de.

Django merges translation catalogs with installed apps before Django's own, so Django REST
framework's German catalog (informal "du": "Gib eine gültige E-Mail Adresse an.") wins over
Django's for a few form validation messages that the web UI shows. Listing the msgids here makes
makemessages keep them in our catalog, where they carry the formal wording Konvoi uses ("Sie").
"""

from django.utils.translation import gettext_noop

PINNED = (
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid URL."),
)
