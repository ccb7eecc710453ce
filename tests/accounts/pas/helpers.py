"""Making PA records for tests, through the services a member's pages use."""

from datetime import date, time
from decimal import Decimal

from accounts.pas import services

PA_FORM = {"name": "Sam Jones", "role": "Personal assistant", "start_date": "2026-01-05", "hourly_rate": "13.00",
           "age_band": "21_over", "hours_type": "fixed", "weekly_hours": "20", "bank_holidays": "included",
           "holiday_year_start_day": "1", "holiday_year_start_month": "4"}


def make_pa(owner, *, name="Sam Jones", notes="", **fields):
    values = {"start_date": date(2025, 1, 6), "hourly_rate": Decimal("13.00"), "weekly_hours": Decimal("20"),
              "hours_type": "fixed", "bank_holidays": "included", "holiday_year_start_month": 4,
              "holiday_year_start_day": 1, "age_band": "21_over", "role": "Personal assistant"}
    values.update(fields)
    return services.add_pa(owner=owner, name=name, notes=notes, **values)


def shift(owner, pa, weekday, start, end, week=1):
    return services.add_pattern_shift(owner=owner, pa=pa, week=week, weekday=weekday,
                                      start=time.fromisoformat(start), end=time.fromisoformat(end))
