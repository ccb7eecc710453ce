"""Sign-up and password reset take the same time whether or not the address has an account.

Test settings hash with MD5, which costs nothing, so a test under them could not see the gap
that matters: only a new account hashed a password (0.02-0.25 s against 0.67-3.8 s in
production). Here the hasher is PBKDF2 at a cost a test can afford (50-120 ms on a busy
machine), and the even-time floor is scaled down with it. Two protections: a taken address's
password is hashed too (SignupForm.try_save), and EvenTimeMiddleware hides the rest (a new
account's rows, which email is rendered). Known and unknown tries alternate, so a busy
machine slows both alike; the medians are compared.
"""

import statistics
import time

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TRIES = 100
MAX_GAP_SECONDS = 0.005


class MeasurableHasher(PBKDF2PasswordHasher):
    """Production's algorithm with fewer rounds: slow enough to show, fast enough to run 200 times."""

    algorithm = "pbkdf2_measurable"
    iterations = 100_000


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_timing.MeasurableHasher"]
    settings.ACCOUNT_RATE_LIMITS = False
    settings.ACCOUNT_EVEN_TIME_SECONDS = 0.5  # production's 1.5 s, scaled like the hasher


def _median_gap(known, unknown) -> tuple[float, float, float]:
    known_times, unknown_times = [], []
    for number in range(TRIES):
        for attempt, times in ((known, known_times), (unknown, unknown_times)):
            started = time.perf_counter()
            response = attempt(number)
            times.append(time.perf_counter() - started)
            assert response.status_code == 302
    known_median, unknown_median = statistics.median(known_times), statistics.median(unknown_times)
    return abs(known_median - unknown_median), known_median, unknown_median


def test_sign_up_takes_as_long_for_a_taken_address_as_for_a_new_one(client):
    taken = UserFactory(email="taken@example.com")
    assert taken.pk

    def sign_up(email, number):
        return client.post(reverse("account_signup"), {
            "email": email, "display_name": f"Newcomer {number:03d}{'k' if 'taken' in email else 'u'}",
            "password1": PASSWORD, "password2": PASSWORD})

    gap, known, unknown = _median_gap(lambda n: sign_up("taken@example.com", n),
                                      lambda n: sign_up(f"new{n}@example.com", n))
    print(f"\nsign-up: taken {known * 1000:.1f} ms, new {unknown * 1000:.1f} ms, gap {gap * 1000:.2f} ms")
    assert gap < MAX_GAP_SECONDS, f"median gap {gap * 1000:.1f} ms (taken {known:.4f} s, new {unknown:.4f} s)"


def test_password_reset_takes_as_long_for_an_unknown_address(client):
    UserFactory(email="known@example.com")

    def reset(email):
        return client.post(reverse("account_reset_password"), {"email": email})

    gap, known, unknown = _median_gap(lambda n: reset("known@example.com"), lambda n: reset(f"nobody{n}@example.com"))
    print(f"\nreset: known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms, gap {gap * 1000:.2f} ms")
    assert gap < MAX_GAP_SECONDS, f"median gap {gap * 1000:.1f} ms (known {known:.4f} s, unknown {unknown:.4f} s)"
