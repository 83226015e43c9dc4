"""The project's URLs plus one view that fails, to see the 500 page a person would get."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("A bug, on purpose, for the error page test.")


urlpatterns = [path("boom/", boom), path("", include("smp_clinic.urls"))]
