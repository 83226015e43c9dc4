"""Write a local .env for `make run` when none exists: a random SECRET_KEY and dev defaults.

Nothing here is a default of the application itself; settings.py reads the environment,
and this file only gives a fresh checkout the values a developer machine needs.
"""

import secrets
from pathlib import Path

ENV = Path(__file__).resolve().parent.parent / ".env"

TEMPLATE = """\
# Written by `make run` on first start; git-ignored. See .env.example for every variable.
SECRET_KEY={secret}
DEBUG=true
ALLOWED_HOSTS=127.0.0.1,localhost
# No DATABASE_URL / REDIS_URL: SQLite under var/ and Celery's filesystem broker under var/.
"""


def main() -> None:
    if ENV.exists():
        return
    ENV.write_text(TEMPLATE.format(secret=secrets.token_urlsafe(50)))
    ENV.chmod(0o600)
    print(f"Wrote {ENV.name} with a new random SECRET_KEY")


if __name__ == "__main__":
    main()
