from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0009_pass_form_tokens_from_passes")]

    operations = [migrations.RemoveField(model_name="layeringpass", name="form_token")]
