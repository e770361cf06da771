"""One date style per language (settings.FORMAT_MODULE_PATH); what is not set here comes from
Django's own locale formats (input formats, separators)."""
