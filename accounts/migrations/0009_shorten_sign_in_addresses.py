"""Sign-ins recorded before addresses were shortened keep only their network from now on."""

import ipaddress

from django.db import migrations


def shorten(apps, schema_editor):
    SignIn = apps.get_model("accounts", "SignIn")
    for sign_in in SignIn.objects.exclude(ip_address=None).only("pk", "ip_address").iterator():
        # The rule of accounts.text.network_of, frozen here as migrations must be.
        try:
            ip = ipaddress.ip_address(sign_in.ip_address)
        except ValueError:
            network = None
        else:
            if ip.version == 6 and ip.ipv4_mapped:
                ip = ip.ipv4_mapped
            prefix = 24 if ip.version == 4 else 48
            network = str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
        if network != sign_in.ip_address:
            SignIn.objects.filter(pk=sign_in.pk).update(ip_address=network)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_add_sign_in_last_used")]

    operations = [migrations.RunPython(shorten, migrations.RunPython.noop)]
