"""Clinical photos of a client: private images with the angle and moment they show.

The stored files are re-encoded by ``clients.photos.processing`` (orientation applied, all
metadata gone), so what is kept is pixels only. Consultations, sessions and healing checks
link photos from their own apps through their own link tables; a photo knows nothing of
them. Rows are written only by ``clients.photos.services``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class PhotoAngle(models.TextChoices):
    FRONT = "front", "Front"
    TOP = "top", "Top"
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    CROWN = "crown", "Crown"
    BACK = "back", "Back"
    HAIRLINE = "hairline", "Hairline close-up"
    SCAR = "scar", "Scar close-up"


class PhotoKind(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    BEFORE = "before", "Before"
    AFTER = "after", "After"
    HEALING = "healing", "Healing"
    DESIGN = "design", "Design"


def photo_path(instance: "Photo", filename: str) -> str:
    # The service names each file with a random stem; the folder groups a client's photos.
    return f"clients/{instance.client.public_id}/photos/{filename}"


class Photo(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="photos")
    angle = models.CharField(max_length=20, choices=PhotoAngle.choices)
    kind = models.CharField(max_length=20, choices=PhotoKind.choices)
    taken_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    # JPEG files on the private default storage: the processed image at full size and two
    # thumbnails (long side 1280 and 320 px). Served only by the photo_file view.
    image = models.FileField(upload_to=photo_path, max_length=255)
    image_large = models.FileField(upload_to=photo_path, max_length=255)
    image_small = models.FileField(upload_to=photo_path, max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256 of the stored image", max_length=64)
    # As it came from the device, for reference only: never used to build a path.
    original_filename = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-taken_at", "-pk"]
        indexes = [
            models.Index(fields=["client", "-taken_at", "-id"], name="photo_client_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(angle__in=PhotoAngle.values), name="photo_angle_known"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=PhotoKind.values), name="photo_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(width__gt=0, height__gt=0), name="photo_has_pixels"
            ),
            models.CheckConstraint(
                condition=(
                    ~models.Q(image="") & ~models.Q(image_large="") & ~models.Q(image_small="")
                ),
                name="photo_files_present",
            ),
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="photo_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"Photo {self.public_id} ({self.angle}, {self.kind}) of client {self.client_id}"

    def stored_files(self) -> list[str]:
        return [self.image.name, self.image_large.name, self.image_small.name]
