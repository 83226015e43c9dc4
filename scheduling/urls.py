from django.urls import path

from scheduling.views import appointments, calendar, feed, planning, setup

app_name = "scheduling"

urlpatterns = [
    path("", calendar.day_view, name="day"),
    path("week/", calendar.week_view, name="week"),
    path("book/", appointments.book, name="book"),
    path("book/clients/", appointments.client_picker, name="client_picker"),
    path("slots/", planning.slot_finder, name="slots"),
    path("clients/<uuid:client_id>/course/", planning.course_plan, name="course_plan"),
    path(
        "appointments/<uuid:appointment_id>/", appointments.appointment_detail, name="appointment"
    ),
    path(
        "appointments/<uuid:appointment_id>/status/",
        appointments.appointment_status,
        name="appointment_status",
    ),
    path(
        "appointments/<uuid:appointment_id>/move/",
        appointments.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path(
        "appointments/<uuid:appointment_id>/cancel/",
        appointments.appointment_cancel,
        name="appointment_cancel",
    ),
    path("feed/<str:feed_token>.ics", feed.feed, name="feed"),
    path("my-feed/", feed.feed_settings, name="feed_settings"),
    path("my-feed/regenerate/", feed.feed_regenerate, name="feed_regenerate"),
    path("settings/", setup.settings_home, name="settings"),
    path("settings/locations/new/", setup.location_edit, name="location_create"),
    path("settings/locations/<uuid:location_id>/", setup.location_edit, name="location_edit"),
    path("settings/locations/<uuid:location_id>/rooms/new/", setup.room_edit, name="room_create"),
    path(
        "settings/locations/<uuid:location_id>/rooms/<uuid:room_id>/",
        setup.room_edit,
        name="room_edit",
    ),
    path("settings/types/<uuid:type_id>/", setup.type_edit, name="type_edit"),
    path("settings/hours/<uuid:user_id>/", setup.working_hours, name="working_hours"),
    path("time-off/", setup.time_off, name="time_off"),
    path("time-off/<uuid:time_off_id>/delete/", setup.time_off_delete, name="time_off_delete"),
]
