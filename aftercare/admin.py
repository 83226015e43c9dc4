"""The operators' view of the outbox (clinic staff use the Outbox pages)."""

from django.contrib import admin

from aftercare.models import (
    AftercarePlan,
    AftercareStep,
    MessageSettings,
    MessageTemplate,
    OutboundMessage,
)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("kind", "client", "step", "due_at", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("idempotency_key",)
    raw_id_fields = (
        "client",
        "appointment",
        "course",
        "consultation",
        "aftercare_step",
        "updated_by",
    )
    readonly_fields = ("idempotency_key", "claim_token", "claimed_at", "sent_at")


class AftercareStepInline(admin.TabularInline):
    model = AftercareStep
    extra = 0


@admin.register(AftercarePlan)
class AftercarePlanAdmin(admin.ModelAdmin):
    inlines = [AftercareStepInline]


admin.site.register(MessageTemplate)
admin.site.register(MessageSettings)
