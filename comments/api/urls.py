from rest_framework.routers import SimpleRouter

from comments.api.views import CommentViewSet

router = SimpleRouter()
router.register("comments", CommentViewSet, basename="comment")
urlpatterns = router.urls
