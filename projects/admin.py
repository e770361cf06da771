from django.contrib import admin

from projects.models import Milestone, Project, Update


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "company", "category", "status", "target_date"]
    list_filter = ["category", "status"]
    search_fields = ["title", "company__name"]
    raw_id_fields = ["company", "follow_up_of", "created_by"]
    filter_horizontal = ["convoys"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "status", "due_date", "weight", "completed_at"]
    list_filter = ["status"]
    raw_id_fields = ["project"]


@admin.register(Update)
class UpdateAdmin(admin.ModelAdmin):
    list_display = ["company", "convoy", "author", "help_wanted", "created_at"]
    list_filter = ["help_wanted"]
    raw_id_fields = ["convoy", "company", "author", "milestones"]
