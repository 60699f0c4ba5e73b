"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet (make serve)."""

import os
import sys

import dj_database_url
import psycopg
from psycopg import sql

url = os.environ.get("DATABASE_URL", "")
if not url.startswith("postgres"):
    sys.exit("DATABASE_URL phải trỏ tới PostgreSQL (postgres://...) cho môi trường production.")
config = dj_database_url.parse(url)
params = {
    k: v
    for k, v in {
        "host": config["HOST"],
        "port": config["PORT"] or None,
        "user": config["USER"],
        "password": config["PASSWORD"],
    }.items()
    if v
}
with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone() is None:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
        print(f"Đã tạo cơ sở dữ liệu {config['NAME']}.")
