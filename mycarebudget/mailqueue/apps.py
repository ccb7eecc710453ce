from django.apps import AppConfig


class MailQueueConfig(AppConfig):
    name = "mycarebudget.mailqueue"
    label = "mailqueue"
    verbose_name = "Mail queue"
