from django.contrib import admin

from comments.models import Comment, CommentRevision, Reaction


class CommentRevisionInline(admin.TabularInline):
    model = CommentRevision
    extra = 0
    readonly_fields = ["body", "written_at", "created_at"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "convoy", "target_type", "target_id", "author", "created_at"]
    list_filter = ["target_type"]
    raw_id_fields = ["convoy", "parent", "author", "company", "hidden_by"]
    # The body changes through comment_update, which stores its rendered HTML with it.
    readonly_fields = ["body", "body_html"]
    inlines = [CommentRevisionInline]


@admin.register(Reaction)
class ReactionAdmin(admin.ModelAdmin):
    list_display = ["comment", "user", "emoji", "created_at"]
    raw_id_fields = ["comment", "user"]
