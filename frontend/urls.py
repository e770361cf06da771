from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from frontend import views

app_name = "frontend"

# Django's password-reset views with our templates. The e-mailed link is built from the
# request's host (no sites framework), so it points back to where the person asked.
password_reset_urls = [
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="frontend/auth/password_reset_form.html",
            email_template_name="frontend/email/password_reset.txt",
            html_email_template_name="frontend/email/password_reset.html",
            subject_template_name="frontend/email/password_reset_subject.txt",
            success_url=reverse_lazy("frontend:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="frontend/auth/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="frontend/auth/password_reset_confirm.html",
            success_url=reverse_lazy("frontend:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="frontend/auth/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    *password_reset_urls,
    path("language/", views.language_set, name="language"),
    path("companies/new/", views.company_create_view, name="company_create"),
    path("companies/<int:company_id>/", views.company_detail, name="company"),
    path(
        "companies/<int:company_id>/projects/new/",
        views.project_create_view,
        name="project_create",
    ),
    path("convoys/new/", views.convoy_create_view, name="convoy_create"),
    path("convoys/<int:convoy_id>/", views.convoy_detail, name="convoy"),
    path(
        "convoys/<int:convoy_id>/invitations/",
        views.convoy_invitations_view,
        name="convoy_invitations",
    ),
    path("convoys/<int:convoy_id>/updates/new/", views.update_create_view, name="update_create"),
    # Reversed by convoys.tasks.invitation_email_send: keep the name and the `token` kwarg.
    path("invitations/<str:token>/", views.invitation_view, name="invitation"),
    path("projects/<int:project_id>/", views.project_detail, name="project"),
    path(
        "projects/<int:project_id>/milestones/",
        views.milestone_create_view,
        name="milestone_create",
    ),
    path(
        "milestones/<int:milestone_id>/status/",
        views.milestone_status_view,
        name="milestone_status",
    ),
]
