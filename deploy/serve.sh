#!/usr/bin/env bash
# The whole production shape on one machine: PostgreSQL from .env, migrations, static files, then
# gunicorn + the jobs worker + the scheduler. Ctrl+C (or SIGTERM) stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
if [ ! -f .env ]; then
  secret="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
  # A fresh clone: the production settings with local directories, and plain HTTP allowed so the site
  # can be tried at http://127.0.0.1:8000/ before a HTTPS proxy exists. Behind the proxy, delete the
  # last block of .env (then `manage.py check --deploy` is clean again).
  sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$secret|" -e "s|/srv/cchc/|$PWD/|g" .env.example > .env
  cat >> .env <<'LOCAL'

# --- local try-out without HTTPS (made by deploy/serve.sh): delete this block behind the HTTPS proxy
SECURE_SSL_REDIRECT=0
SESSION_COOKIE_SECURE=0
CSRF_COOKIE_SECURE=0
SECURE_HSTS_SECONDS=0
SECURE_HSTS_INCLUDE_SUBDOMAINS=0
SECURE_HSTS_PRELOAD=0
LOCAL
  echo "Đã tạo .env từ .env.example (SECRET_KEY mới, thư mục trong $PWD, cho phép HTTP để chạy thử)."
  echo "Hãy xem lại ALLOWED_HOSTS, DATABASE_URL; sau proxy HTTPS, xóa khối cuối của .env."
fi
set -a; . ./.env; set +a
unset CCHC_TESTING DEBUG
mkdir -p "${MEDIA_ROOT:-var/media}" "${DOSSIER_STORE_DIR:-var/dossiers}"
"$PY" deploy/ensure_database.py
"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py collectstatic --no-input -v 0
pids=()
stop() { trap - INT TERM EXIT; for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait; }
trap stop INT TERM EXIT
"$PY" manage.py jobs_worker & pids+=($!)
"$PY" manage.py jobs_scheduler & pids+=($!)
"$(dirname "$PY")/gunicorn" -c deploy/gunicorn.conf.py cchc.wsgi & pids+=($!)
echo "cchc: gunicorn tại http://${BIND:-127.0.0.1:8000}/ (healthz: /healthz), worker và lịch chạy định kỳ đã chạy. Ctrl+C để dừng."
wait -n
echo "Một tiến trình đã dừng; dừng cả ba." >&2
exit 1
