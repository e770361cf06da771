"""Messages whose German wording we pin in locale/de.

Django merges translation catalogs with installed apps before Django's own, so Django REST
framework's German catalog (informal "du": "Gib eine gültige E-Mail Adresse an.", "Nutze
stattdessen eines dieser Formate") wins over Django's for a few validation messages that the
web UI and the API show. Listing the msgids here makes makemessages keep them in our catalog,
where they carry the formal wording Konvoi uses ("Sie"). DRF's date, time, choice and number
messages are pinned too, so every API error a client sees reads the same way.
"""

from django.utils.translation import gettext_noop

PINNED = (
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid URL."),
    # Django REST framework (rest_framework/fields.py)
    gettext_noop("Date has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Datetime has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Time has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Duration has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Expected a date but got a datetime."),
    gettext_noop("Expected a datetime but got a date."),
    gettext_noop("Datetime value out of range."),
    gettext_noop("No data provided"),
    gettext_noop('"{input}" is not a valid choice.'),
    gettext_noop("A valid integer is required."),
    gettext_noop("A valid number is required."),
    gettext_noop("Ensure that there are no more than {max_digits} digits in total."),
    gettext_noop("Ensure that there are no more than {max_decimal_places} decimal places."),
    gettext_noop(
        "Ensure that there are no more than {max_whole_digits} digits before the decimal point."
    ),
    gettext_noop('Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'),
    gettext_noop(
        'Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.'
    ),
)
