from rest_framework import serializers


class AuditEntryOutput(serializers.Serializer):
    """One entry of your own audit log (audit.selectors.audit_entry_as_dict)."""

    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.CharField()
    action_label = serializers.CharField()
    ip_address = serializers.CharField(allow_null=True)
    user_agent = serializers.CharField()
    device = serializers.CharField(allow_null=True, help_text="The browser and system, readable.")
    target = serializers.CharField(help_text='What it was about, "kind:id" (token:12, company:3).')
    by_self = serializers.BooleanField(help_text="You did it yourself.")
    actor_name = serializers.CharField(
        allow_null=True, help_text="Who did it, when another person (an admin, an owner)."
    )
    details = serializers.JSONField()
