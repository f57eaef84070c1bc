"""The Schedule screen: today's appointments on the practice's clock, the previous and next day."""

from __future__ import annotations

from datetime import timedelta

from gateway.schedule import practice_today
from gateway.schedule.demo_day import seed_demo_schedule
from tests.web.conftest import Portal


async def test_schedule_shows_the_practice_day_by_time_with_patient_links(portal: Portal) -> None:
    gateway = portal.gateway
    ids = list(gateway.patient_ids.values())
    await seed_demo_schedule(gateway.services.database, gateway.practice_id, ids)
    async with gateway.services.database.session() as session:
        today = await practice_today(session, gateway.practice_id)
    await portal.login("front_desk")
    page = await portal.client.get("/schedule")
    assert page.status_code == 200
    assert "(today)" in page.text and 'aria-current="page">Schedule' in page.text
    assert page.text.index(">08:00<") < page.text.index(">16:30<")
    assert "98941 Chiropractic spinal manipulation" in page.text or "98941" in page.text
    assert f'href="/patients/{ids[0]}"' in page.text
    assert "Cancelled" in page.text
    assert f'href="/schedule?date={(today + timedelta(days=1)).isoformat()}"' in page.text
    tomorrow = await portal.client.get(f"/schedule?date={(today + timedelta(days=1)).isoformat()}")
    assert "(today)" not in tomorrow.text and ">08:00<" in tomorrow.text
    empty = await portal.client.get(f"/schedule?date={(today + timedelta(days=30)).isoformat()}")
    assert "No appointments on this day." in empty.text
