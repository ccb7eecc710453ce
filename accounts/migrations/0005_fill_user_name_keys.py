from django.db import migrations


def fill_name_keys(apps, schema_editor):
    """Oldest account first keeps a shared key; later look-alikes keep their names without one
    (a moderator can rename them), so nothing fails on existing data."""
    from accounts.names import name_key

    User = apps.get_model("accounts", "User")
    taken = set()
    for user in User.objects.order_by("pk").only("pk", "display_name"):
        key = name_key(user.display_name)
        if key and key not in taken:
            taken.add(key)
            User.objects.filter(pk=user.pk).update(name_key=key)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_add_user_name_key")]

    operations = [migrations.RunPython(fill_name_keys, migrations.RunPython.noop)]
