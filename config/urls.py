"""URLs of the site: the public catalogue, the citizens' suggestions, the place suggestions, the
curators' admin (with its forgotten passwords and invitation links), the language switch, and what
search engines read (robots.txt, the sitemap)."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from catalogue.views import RobotsView, SitemapIndexView, SitemapSectionView

urlpatterns = [
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
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
