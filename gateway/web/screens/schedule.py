"""Schedule: one day of the practice's appointments (its own clock), with the previous and next day.

The day defaults to today in the practice's time zone (``Practice.timeZone``); ``?date=`` names
another (a date is not PHI). ``?done=`` says what a change just did. Adding, editing, cancelling
and importing are in schedule_forms.py, offered here to viewers with patients:write.
"""

from __future__ import annotations

from datetime import date, timedelta

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.practice_clock import practice_today
from gateway.web.visit import Visit, page

STATUS_WORDS = {
    "BOOKED": "Booked",
    "ARRIVED": "Arrived",
    "FULFILLED": "Seen",
    "NOSHOW": "Did not come",
    "CANCELLED": "Cancelled",
}
DONE_WORDS = {
    "added": "The appointment was added.",
    "changed": "The appointment was changed.",
    "cancelled": "The appointment was cancelled.",
}


@page()
async def day_view(visit: Visit) -> Response:
    clock = await visit.call("ScheduleClock")
    zone_name = ((clock.data.get("me") or {}).get("practice") or {}).get("timeZone")
    today = practice_today(zone_name)
    asked = visit.request.query_params.get("date", "")
    try:
        day = date.fromisoformat(asked) if asked else today
    except ValueError:
        day = today
    result = await visit.call("ScheduleDay", {"date": day.isoformat()})
    return await visit.page(
        "schedule.html",
        day=day,
        today=today,
        tomorrow=today + timedelta(days=1),
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        appointments=result.data.get("appointments") or [],
        refused=bool(result.errors),
        status_words=STATUS_WORDS,
        zone=zone_name,
        done=visit.request.query_params.get("done", ""),
        done_words=DONE_WORDS,
    )


ROUTES = [Route("/schedule", day_view, methods=["GET"])]
