"""Walk the project's URLconf and build a concrete URL for every named pattern."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass(frozen=True)
class NamedPattern:
    name: str
    kwargs: tuple[str, ...]


def _walk(patterns, namespace: str, found: dict[str, NamedPattern]) -> None:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            _walk(entry.url_patterns, ns, found)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            kwargs = tuple(entry.pattern.regex.groupindex)
            found.setdefault(name, NamedPattern(name, kwargs))


def named_patterns() -> list[NamedPattern]:
    found: dict[str, NamedPattern] = {}
    _walk(get_resolver().url_patterns, "", found)
    return sorted(found.values(), key=lambda p: p.name)


def build_url(pattern: NamedPattern, samples: dict[str, object]) -> str:
    missing = [k for k in pattern.kwargs if k not in samples]
    if missing:
        raise LookupError(
            f"No sample value for {missing} of {pattern.name}: add one to the url_samples "
            "fixture in tests/test_access.py."
        )
    return reverse(pattern.name, kwargs={k: samples[k] for k in pattern.kwargs})
