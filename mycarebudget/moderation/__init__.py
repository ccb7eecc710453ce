"""Moderation: who holds moderator power, the log of what moderators did, and the moderators' pages.

The wiki and the forum call ``powers.require_moderator`` inside every service that uses a moderator's
power, and ``services.log_moderation`` for every action. This package depends on them only in
``views.py`` (the pages that list their queues), never the other way round at import time.
"""
