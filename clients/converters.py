"""URL converters for the fixed vocabularies of the client pages: anything else is a 404
before a view runs."""

from clients.models import ConsentKind


class ConsentKindConverter:
    regex = "|".join(ConsentKind.values)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


class PhotoSizeConverter:
    regex = "small|large|full"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)
