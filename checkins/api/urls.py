from django.urls import path

from checkins.api import views

urlpatterns = [
    path(
        "convoys/<int:convoy_id>/checkins/",
        views.ConvoyCheckInsView.as_view(),
        name="convoy-checkins",
    ),
    path("checkins/<int:checkin_id>/", views.CheckInView.as_view(), name="checkin-detail"),
    path("checkins/<int:checkin_id>/rsvp/", views.RsvpView.as_view(), name="checkin-rsvp"),
    path("checkins/<int:checkin_id>/reports/", views.ReportsView.as_view(), name="checkin-reports"),
    path("checkins/<int:checkin_id>/notes/", views.NotesView.as_view(), name="checkin-notes"),
    path(
        "checkins/<int:checkin_id>/attendance.csv",
        views.AttendanceCsvView.as_view(),
        name="checkin-attendance-csv",
    ),
    path(
        "checkins/<int:checkin_id>/attendance.xlsx",
        views.AttendanceXlsxView.as_view(),
        name="checkin-attendance-xlsx",
    ),
    path("checkins/<int:checkin_id>/ics/", views.CheckInIcsView.as_view(), name="checkin-ics"),
    path("me/calendar/", views.MyCalendarView.as_view(), name="me-calendar"),
    path("me/calendar/rotate/", views.MyCalendarRotateView.as_view(), name="me-calendar-rotate"),
]
