"""The benchmarks' throwaway databases live on DATABASE_URL's server."""

import os


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return url.rsplit("/", 1)[0]


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(server_url() + "/postgres", autocommit=True) as conn:
        conn.execute(sql)
