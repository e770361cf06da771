from django.contrib import admin

from legal.models import LegalText


@admin.register(LegalText)
class LegalTextAdmin(admin.ModelAdmin):
    list_display = ("kind", "language", "updated_at")
    list_filter = ("kind", "language")
    readonly_fields = ("updated_at",)
    fields = ("kind", "language", "body", "updated_at")
