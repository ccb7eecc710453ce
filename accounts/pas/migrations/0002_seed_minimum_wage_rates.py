"""Seed the minimum wage table. Moderators keep it up to date from then on (/account/pas/minimum-wage/)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

GOV_UK = "GOV.UK, National Minimum Wage and National Living Wage rates (www.gov.uk/national-minimum-wage-rates)"
TO_CONFIRM = "Announced in the November 2025 Budget (secondary reports): confirm on " + GOV_UK
RATES = [
    ("21_over", date(2024, 4, 1), "11.44", GOV_UK),
    ("18_20", date(2024, 4, 1), "8.60", GOV_UK),
    ("under_18", date(2024, 4, 1), "6.40", GOV_UK),
    ("apprentice", date(2024, 4, 1), "6.40", GOV_UK),
    ("21_over", date(2025, 4, 1), "12.21", GOV_UK),
    ("18_20", date(2025, 4, 1), "10.00", GOV_UK),
    ("under_18", date(2025, 4, 1), "7.55", GOV_UK),
    ("apprentice", date(2025, 4, 1), "7.55", GOV_UK),
    ("21_over", date(2026, 4, 1), "12.71", TO_CONFIRM),
    ("18_20", date(2026, 4, 1), "10.85", TO_CONFIRM),
    ("under_18", date(2026, 4, 1), "8.00", TO_CONFIRM),
    ("apprentice", date(2026, 4, 1), "8.00", TO_CONFIRM),
]


def seed(apps, schema_editor):
    MinimumWageRate = apps.get_model("pas", "MinimumWageRate")
    for band, starts_on, rate, source in RATES:
        MinimumWageRate.objects.get_or_create(band=band, starts_on=starts_on,
                                              defaults={"hourly_rate": Decimal(rate), "source": source})


class Migration(migrations.Migration):
    dependencies = [("pas", "0001_add_pa_records")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
