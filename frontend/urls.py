from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from accounts.forms import PasswordSetForm
from frontend import (
    audit_views,
    checkin_views,
    comments_views,
    data_export_views,
    erasure_views,
    export_views,
    facilitator_views,
    live_views,
    notification_views,
    oidc_views,
    onboarding_views,
    profile_views,
    project_views,
    security_views,
    session_views,
    views,
)
from frontend.legal_views import legal_page
from legal.links import GERMAN_PATHS, PATHS

app_name = "frontend"

# The legal pages at the paths legal.links fixes (the e-mails link them without reverse()); the
# German paths serve the German text.
legal_urls = [
    *(path(PATHS[kind].lstrip("/"), legal_page, {"kind": kind}, name=kind) for kind in PATHS),
    *(
        path(GERMAN_PATHS[kind].lstrip("/"), legal_page, {"kind": kind, "language": "de"})
        for kind in GERMAN_PATHS
    ),
]

# Django's password-reset views with our templates and accounts' forms: the e-mailed link is
# built from SITE_URL (never from the request's Host), a new password revokes the API tokens.
password_reset_urls = [
    path(
        "password-reset/",
        views.PasswordResetView.as_view(
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
        views.PasswordResetConfirmView.as_view(
            template_name="frontend/auth/password_reset_confirm.html",
            form_class=PasswordSetForm,
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
    *legal_urls,
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    # Ends the provider's session too after an SSO login (frontend.oidc_views).
    path("logout/", oidc_views.LogoutView.as_view(), name="logout"),
    # The second factor, asked after the password (frontend.middleware sends people here).
    path("login/verify/", security_views.login_verify_view, name="login_verify"),
    path("oidc/login/", oidc_views.OIDCLoginView.as_view(), name="oidc_login"),
    path("oidc/callback/", oidc_views.OIDCCallbackView.as_view(), name="oidc_callback"),
    path("oidc/logout/", oidc_views.OIDCLogout.as_view(), name="oidc_logout"),
    *password_reset_urls,
    path("language/", views.language_set, name="language"),
    path("profile/", profile_views.profile_view, name="profile"),
    path("profile/email/", profile_views.profile_email_view, name="profile_email"),
    path("profile/password/", profile_views.profile_password_view, name="profile_password"),
    # Two-factor authentication (frontend.security_views).
    path("profile/security/", security_views.profile_security_view, name="profile_security"),
    path(
        "profile/security/app/",
        security_views.profile_security_setup_view,
        name="profile_security_setup",
    ),
    path(
        "profile/security/app/confirm/",
        security_views.profile_security_confirm_view,
        name="profile_security_confirm",
    ),
    path(
        "profile/security/recovery-codes/",
        security_views.profile_security_codes_view,
        name="profile_security_codes",
    ),
    path(
        "profile/security/recovery-codes.txt",
        security_views.profile_security_codes_download_view,
        name="profile_security_codes_download",
    ),
    path(
        "profile/security/off/",
        security_views.profile_security_disable_view,
        name="profile_security_disable",
    ),
    path("profile/sessions/", session_views.profile_sessions_view, name="profile_sessions"),
    path("profile/activity/", audit_views.profile_activity_view, name="profile_activity"),
    path(
        "profile/sessions/<int:session_id>/revoke/",
        session_views.profile_session_revoke_view,
        name="profile_session_revoke",
    ),
    path(
        "profile/sessions/revoke-others/",
        session_views.profile_sessions_revoke_others_view,
        name="profile_sessions_revoke_others",
    ),
    path("profile/tokens/", session_views.profile_tokens_view, name="profile_tokens"),
    path(
        "profile/tokens/<int:token_id>/revoke/",
        session_views.profile_token_revoke_view,
        name="profile_token_revoke",
    ),
    path(
        "profile/tokens/revoke-all/",
        session_views.profile_tokens_revoke_all_view,
        name="profile_tokens_revoke_all",
    ),
    path("profile/data/", data_export_views.profile_data_view, name="profile_data"),
    path("profile/delete/", erasure_views.account_delete_view, name="account_delete"),
    path("goodbye/", erasure_views.account_deleted_view, name="account_deleted"),
    path(
        "companies/<int:company_id>/delete/",
        erasure_views.company_delete_view,
        name="company_delete",
    ),
    path(
        "companies/<int:company_id>/members/<int:member_id>/role/",
        erasure_views.company_member_role_view,
        name="company_member_role",
    ),
    path(
        "profile/email/confirm/<str:token>/",
        profile_views.profile_email_confirm_view,
        name="profile_email_confirm",
    ),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path(
        "notifications/<int:notification_id>/open/",
        notification_views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/read-all/",
        notification_views.notification_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/settings/",
        notification_views.notification_preferences,
        name="notification_preferences",
    ),
    path("unsubscribe/<str:token>/", notification_views.unsubscribe_view, name="unsubscribe"),
    path("companies/new/", views.company_create_view, name="company_create"),
    path("companies/<int:company_id>/", facilitator_views.company_detail, name="company"),
    path(
        "companies/<int:company_id>/edit/",
        facilitator_views.company_edit_view,
        name="company_edit",
    ),
    path(
        "companies/<int:company_id>/data/",
        data_export_views.company_data_export_view,
        name="company_data_export",
    ),
    path(
        "companies/<int:company_id>/colleagues/",
        onboarding_views.company_colleague_add_view,
        name="company_colleague_add",
    ),
    path(
        "companies/<int:company_id>/invitations/<int:invitation_id>/revoke/",
        onboarding_views.company_invitation_revoke_view,
        name="company_invitation_revoke",
    ),
    path(
        "companies/<int:company_id>/invitations/<int:invitation_id>/resend/",
        onboarding_views.company_invitation_resend_view,
        name="company_invitation_resend",
    ),
    # Reversed by frontend.links for the colleague's invitation e-mail: keep name and kwarg.
    path(
        "colleague-invitations/<str:token>/",
        onboarding_views.company_invitation_view,
        name="company_invitation",
    ),
    path(
        "first-steps/hide/", onboarding_views.first_steps_dismiss_view, name="first_steps_dismiss"
    ),
    path(
        "companies/<int:company_id>/projects/new/",
        project_views.project_create_view,
        name="project_create",
    ),
    path("convoys/", facilitator_views.convoys_overview_view, name="convoys"),
    path("convoys/new/", views.convoy_create_view, name="convoy_create"),
    path("convoys/<int:convoy_id>/edit/", facilitator_views.convoy_edit_view, name="convoy_edit"),
    path(
        "convoys/<int:convoy_id>/companies/<int:company_id>/nudge/",
        facilitator_views.company_nudge_view,
        name="company_nudge",
    ),
    path(
        "convoys/<int:convoy_id>/companies/<int:company_id>/remove/",
        facilitator_views.membership_remove_view,
        name="membership_remove",
    ),
    path("convoys/<int:convoy_id>/", views.convoy_detail, name="convoy"),
    path(
        "convoys/<int:convoy_id>/live/", live_views.convoy_live_regions, name="convoy_live_regions"
    ),
    path(
        "convoys/<int:convoy_id>/export.xlsx", export_views.convoy_export_view, name="convoy_export"
    ),
    path(
        "convoys/<int:convoy_id>/invitations/",
        views.convoy_invitations_view,
        name="convoy_invitations",
    ),
    path(
        "convoys/<int:convoy_id>/invitations/<int:invitation_id>/revoke/",
        facilitator_views.convoy_invitation_revoke_view,
        name="convoy_invitation_revoke",
    ),
    path(
        "convoys/<int:convoy_id>/invitations/<int:invitation_id>/resend/",
        views.convoy_invitation_resend_view,
        name="convoy_invitation_resend",
    ),
    path("convoys/<int:convoy_id>/updates/new/", views.update_create_view, name="update_create"),
    # Reversed by notifications.invitations.invitation_email_send: keep the name and the
    # `token` kwarg.
    path("invitations/<str:token>/", views.invitation_view, name="invitation"),
    path("projects/<int:project_id>/", project_views.project_detail, name="project"),
    path(
        "projects/<int:project_id>/milestones/",
        project_views.milestone_create_view,
        name="milestone_create",
    ),
    path(
        "milestones/<int:milestone_id>/status/",
        project_views.milestone_status_view,
        name="milestone_status",
    ),
    path("projects/<int:project_id>/edit/", project_views.project_edit_view, name="project_edit"),
    path(
        "projects/<int:project_id>/done/",
        project_views.project_complete_view,
        name="project_complete",
    ),
    path(
        "projects/<int:project_id>/archive/",
        project_views.project_archive_view,
        name="project_archive",
    ),
    path(
        "projects/<int:project_id>/restore/",
        project_views.project_restore_view,
        name="project_restore",
    ),
    path(
        "projects/<int:project_id>/delete/",
        project_views.project_delete_view,
        name="project_delete",
    ),
    path(
        "milestones/<int:milestone_id>/edit/",
        project_views.milestone_edit_view,
        name="milestone_edit",
    ),
    path(
        "milestones/<int:milestone_id>/delete/",
        project_views.milestone_delete_view,
        name="milestone_delete",
    ),
    path("updates/<int:update_id>/edit/", project_views.update_edit_view, name="update_edit"),
    path(
        "updates/<int:update_id>/delete/",
        project_views.update_delete_view,
        name="update_delete",
    ),
    path(
        "convoys/<int:convoy_id>/checkins/new/",
        checkin_views.checkin_create_view,
        name="checkin_create",
    ),
    # Reversed by checkins.services.checkin_url (notifications, calendars): keep name and kwarg.
    path("checkins/<int:checkin_id>/", checkin_views.checkin_detail, name="checkin"),
    path("checkins/<int:checkin_id>/rsvp/", checkin_views.checkin_rsvp_view, name="checkin_rsvp"),
    path("checkins/<int:checkin_id>/edit/", checkin_views.checkin_edit_view, name="checkin_edit"),
    path(
        "checkins/<int:checkin_id>/cancel/",
        checkin_views.checkin_cancel_view,
        name="checkin_cancel",
    ),
    path(
        "checkins/<int:checkin_id>/reinstate/",
        checkin_views.checkin_reinstate_view,
        name="checkin_reinstate",
    ),
    path(
        "checkins/<int:checkin_id>/report/",
        checkin_views.checkin_report_view,
        name="checkin_report",
    ),
    path(
        "checkins/<int:checkin_id>/notes/", checkin_views.checkin_notes_view, name="checkin_notes"
    ),
    path(
        "checkins/<int:checkin_id>/attendance/",
        checkin_views.checkin_attendance_view,
        name="checkin_attendance",
    ),
    path(
        "checkins/<int:checkin_id>/attendance.csv",
        checkin_views.checkin_attendance_csv_view,
        name="checkin_attendance_csv",
    ),
    path(
        "checkins/<int:checkin_id>/attendance.xlsx",
        checkin_views.checkin_attendance_xlsx_view,
        name="checkin_attendance_xlsx",
    ),
    path(
        "checkins/<int:checkin_id>/checkin.ics", checkin_views.checkin_ics_view, name="checkin_ics"
    ),
    path("calendar/", checkin_views.calendar_view, name="calendar"),
    path("comments/", comments_views.comment_thread_view, name="comment_thread"),
    path("comments/new/", comments_views.comment_create_view, name="comment_create"),
    path("comments/<int:comment_id>/edit/", comments_views.comment_edit_view, name="comment_edit"),
    path(
        "comments/<int:comment_id>/delete/",
        comments_views.comment_delete_view,
        name="comment_delete",
    ),
    path("comments/<int:comment_id>/hide/", comments_views.comment_hide_view, name="comment_hide"),
    path(
        "comments/<int:comment_id>/react/",
        comments_views.comment_react_view,
        name="comment_react",
    ),
    path(
        "convoys/<int:convoy_id>/people/",
        comments_views.convoy_people_view,
        name="convoy_people",
    ),
    # The programme layer (issue 14): each part's pages in its own module.
    path("", include("frontend.programme_urls")),
    path("", include("frontend.register_urls")),
    path("", include("frontend.report_urls")),
    path("", include("frontend.programme_overview_urls")),
    # Open events (issue 15): the staff's pages, and the public ones without an account.
    path("", include("frontend.event_urls")),
    path("", include("frontend.event_public_urls")),
    path("", include("frontend.event_register_urls")),
    path("", include("frontend.check_urls")),
    path("", include("frontend.company_check_urls")),
]
