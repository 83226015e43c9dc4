"""What a demo client hands over on the tablet or in front of the camera, made with Pillow:
scalp photos (as the history seed draws them) and a hand-drawn signature."""

import base64
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from dashboard.demo_history.rows import _jpeg


def scalp_photo(seed: int, name: str) -> SimpleUploadedFile:
    """A small JPEG as a camera would upload it, different for each ``seed``."""
    content, _width, _height = _jpeg(seed)
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def signature(seed: int = 0) -> str:
    """A PNG data URL as the signature pad sends it: one stroke on a transparent canvas."""
    width, height = 600, 200
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    points = [
        (width * x // 10, height // 2 + (-1) ** (x + seed) * height // (4 + seed % 3))
        for x in range(1, 10)
    ]
    ImageDraw.Draw(image).line(points, fill=(17, 17, 17, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
