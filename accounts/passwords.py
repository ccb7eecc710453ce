"""Passwords people cannot guess: zxcvbn scores each one against common passwords, patterns and
what we know about the person (the site's name, their display name and email address)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# zxcvbn's own limit: anything longer is judged on its first 72 characters (long passphrases pass anyway).
CHECKED_LENGTH = 72
SITE_WORDS = ["mycarebudget", "my care budget", "carebudget", "care budget", "personal health budget", "phb",
              "nhs", "icb", "direct payment", "personal assistant"]
ADVICE = "Try three or four unrelated words, like “tulip kettle orbit sunday”."


def _about(user) -> list[str]:
    """Words from the person's own details: guessable by anyone who knows them."""
    if user is None:
        return []
    words = []
    for value in (getattr(user, "display_name", ""), getattr(user, "email", ""), getattr(user, "first_name", ""),
                  getattr(user, "last_name", "")):
        if value:
            words.append(value)
            words.extend(part for part in re.split(r"[\W_]+", value) if len(part) >= 3)
    return words


def _personal(result: dict) -> list[str]:
    return [m["token"] for m in result["sequence"] if m.get("dictionary_name") == "user_inputs"]


def _without(password: str, tokens: list[str]) -> str:
    """What is left once the guessable parts (names, the site's name, years, digits) are taken out."""
    for token in tokens:
        password = password.replace(token, " ")
    return " ".join(re.sub(r"[\d\W_]+", " ", password).split())


def _reason(password: str, result: dict) -> str:
    matches = result["sequence"]
    if _personal(result):
        return "It contains the site’s name, your name or your email address, which others can guess."
    if re.search(r"(19|20)\d\d", password) or any(m["pattern"] == "date" for m in matches):
        return "A word with a year or a date added is one of the first things people try."
    if any(m.get("dictionary_name") == "passwords" for m in matches):
        return "It is one of the most used passwords, or very like one."
    if any(m["pattern"] in {"repeat", "sequence", "spatial"} for m in matches):
        return "Repeats, runs like “1234” and keyboard rows like “qwerty” are easy to guess."
    return "It would be easy for a computer to guess."


class GuessablePasswordValidator:
    """Refuse passwords zxcvbn scores below ``min_score`` (0-4), with the reason in plain English."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password: str, user=None) -> None:
        inputs = [*SITE_WORDS, settings.SITE_NAME, *_about(user)]
        checked = password[:CHECKED_LENGTH]
        result = zxcvbn(checked, user_inputs=inputs)
        weak = result["score"] < self.min_score
        if not weak and _personal(result):
            # zxcvbn still rates "priyasharma1" well for a stranger; someone who knows Priya would not.
            rest = _without(checked, _personal(result))
            weak = not rest or zxcvbn(rest)["score"] < self.min_score
        if weak:
            raise ValidationError(f"This password is too easy to guess. {_reason(checked, result)} {ADVICE}",
                                  code="password_guessable")

    def get_help_text(self) -> str:
        return "Your password must not be easy to guess. " + ADVICE
