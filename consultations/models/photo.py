from django.db import models


class ConsultationPhoto(models.Model):
    """A photo taken at this consultation (the baseline of the scalp, a scar close-up). The
    photo itself lives with the client's other private photos; this row says where it was
    taken, so the consultation shows its own photos and the design is drawn over them."""

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.PROTECT, related_name="photo_links"
    )
    photo = models.ForeignKey(
        "clients.Photo", on_delete=models.PROTECT, related_name="consultation_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "photo"], name="consultation_photo_unique"
            ),
        ]

    def __str__(self) -> str:
        return "Consultation photo"
