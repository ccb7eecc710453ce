"""MaxCharacters writes both numbers of a "too long" message with thousands separators, as our messages do."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from mycarebudget.forms import CharactersField, MaxCharacters

MESSAGE = "Your message must be %(limit_value)s characters or fewer (it has %(show_value)s)"


def test_both_numbers_get_thousands_separators():
    with pytest.raises(ValidationError) as caught:
        MaxCharacters(20_000, MESSAGE)("x" * 20_115)
    assert caught.value.messages == ["Your message must be 20,000 characters or fewer (it has 20,115)"]
    assert caught.value.code == "max_length"


def test_text_at_the_limit_is_accepted():
    MaxCharacters(20_000, MESSAGE)("x" * 20_000)  # no error


def test_on_a_field_it_gives_one_error_and_the_maxlength_attribute_stays():
    class PostForm(forms.Form):
        body = forms.CharField(widget=forms.Textarea(attrs={"maxlength": 20_000}),
                               validators=[MaxCharacters(20_000, MESSAGE)])

    form = PostForm({"body": "x" * 20_115})
    assert form.errors["body"] == ["Your message must be 20,000 characters or fewer (it has 20,115)"]
    assert 'maxlength="20000"' in str(PostForm()["body"])


def test_a_field_s_own_max_length_message_gets_the_separated_numbers_too():
    # Django puts the field's message for the error's code in place of the validator's, keeping its numbers.
    field = forms.CharField(validators=[MaxCharacters(1_000, "Too long")],
                            error_messages={"max_length": "Keep it to %(limit_value)s (it has %(show_value)s)"})
    with pytest.raises(ValidationError) as caught:
        field.clean("x" * 1_234)
    assert caught.value.messages == ["Keep it to 1,000 (it has 1,234)"]


def test_a_line_break_counts_once_as_the_browser_counts_it():
    """A textarea sends each line break as \\r\\n; the browser's maxlength counted it as one character."""
    field = CharactersField(max_length=20, widget=forms.Textarea)
    assert field.clean("line\r\n" * 4) == "line\r\nline\r\nline\r\nline"  # 20 as typed (24 as sent)
    with pytest.raises(ValidationError) as caught:
        field.clean("x" * 21)
    assert caught.value.messages == ["Keep it to 20 characters or fewer (it has 21)"]
    assert 'maxlength="20"' in field.widget.render("body", "", attrs=field.widget_attrs(field.widget))


def test_forum_and_guide_bodies_count_line_breaks_once():
    from forum.forms import ReplyForm
    from wiki.forms import PageForm

    text = ("A line of a long post.\r\n" * 900)[:20_000 + 800]  # 20,000 characters as typed
    typed = text.replace("\r\n", "\n")
    assert len(typed) <= 20_000 < len(text)
    assert "body" not in ReplyForm({"body": text}).errors
    assert "body" not in PageForm({"body": text}).errors
    too_long = ReplyForm({"body": "x" * 20_115}).errors["body"]
    assert too_long == ["Your message must be 20,000 characters or fewer (it has 20,115). Split it into two posts"]
