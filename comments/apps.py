from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from comments.services import comments_delete_for_targets
        from projects.hooks import targets_deleted_listen

        # Comments point at their targets by (type, id): they go with a deleted target.
        targets_deleted_listen(comments_delete_for_targets)
