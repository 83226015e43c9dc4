"""Walk the project's URLconf and build a concrete URL for every named pattern.

Every pattern outside the technical admin must carry a name of its own: the access test
finds URLs by name, so an unnamed pattern, or a second pattern reusing a name, would be
a view that no role check covers. The walk refuses both.
"""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse


class URLNamingError(Exception):
    """A pattern the access test could not tell apart from the others."""


@dataclass(frozen=True)
class NamedPattern:
    name: str
    kwargs: tuple[str, ...]


def _is_admin(namespace: str) -> bool:
    return namespace == "admin" or namespace.startswith("admin:")


def _walk(
    patterns, namespace: str, prefix: str, found: dict[str, NamedPattern], problems: list[str]
) -> None:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            _walk(entry.url_patterns, ns, route, found, problems)
            continue
        if not isinstance(entry, URLPattern):
            continue
        if not entry.name:
            # Django's admin has unnamed catch-alls of its own; it is tested as a whole.
            if not _is_admin(namespace):
                problems.append(f"/{route} has no name")
            continue
        name = f"{namespace}:{entry.name}" if namespace else entry.name
        if name in found:
            if not _is_admin(namespace):
                problems.append(f"/{route} reuses the name {name!r} of another pattern")
            continue
        found[name] = NamedPattern(name, tuple(entry.pattern.regex.groupindex))


def named_patterns(urlpatterns=None) -> list[NamedPattern]:
    """The named patterns of ``urlpatterns`` (default: the project's URLconf)."""
    found: dict[str, NamedPattern] = {}
    problems: list[str] = []
    if urlpatterns is None:
        urlpatterns = get_resolver().url_patterns
    _walk(urlpatterns, "", "", found, problems)
    if problems:
        raise URLNamingError(
            "Give every URL pattern a name of its own, so the access test covers it: "
            + "; ".join(problems)
        )
    return sorted(found.values(), key=lambda p: p.name)


def build_url(pattern: NamedPattern, samples: dict[str, object]) -> str:
    missing = [k for k in pattern.kwargs if k not in samples]
    if missing:
        raise LookupError(
            f"No sample value for {missing} of {pattern.name}: add one to tests/url_samples.py."
        )
    return reverse(pattern.name, kwargs={k: samples[k] for k in pattern.kwargs})
