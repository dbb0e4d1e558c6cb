"""URLs of the site: the public catalogue, the citizens' suggestions, the place suggestions, the
curators' admin (with its forgotten passwords and invitation links), the language switch, and what
search engines read (robots.txt, the sitemap), and the health page that load balancers read."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from catalogue.views import RobotsView, SitemapIndexView, SitemapSectionView
from operations.health import health

urlpatterns = [
    path("sante/", health, name="health"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("sitemap.xml", SitemapIndexView.as_view(), name="sitemap"),
    path("sitemap-<slug:section>-<int:page>.xml", SitemapSectionView.as_view(), name="sitemap-section"),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("territories.urls")),
    path("", include("catalogue.urls")),
    path("", include("contributions.urls")),
]
# The 500 page, or a 503 when the database does not answer (operations.error_pages).
handler500 = "operations.error_pages.server_error"
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
