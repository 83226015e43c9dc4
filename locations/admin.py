from django.contrib import admin

from locations.models import Location, OpeningHours, Room


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "is_active"]
    inlines = [OpeningHoursInline, RoomInline]
