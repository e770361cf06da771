"""Admin forms for the e-mail based user model."""

from typing import Any

from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts.models import User
from accounts.services import handle_allocate


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)
        user.email = user.email.lower()
        user.handle = handle_allocate(name=user.name)
        if commit:
            user.save()
        return user


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
