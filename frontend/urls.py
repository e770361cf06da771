from django.urls import path

from frontend import views

app_name = "frontend"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.home, name="login"),
    path("invitations/<str:token>/", views.home, name="invitation"),
]
