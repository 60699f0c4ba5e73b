#!/usr/bin/env bash
# The whole production shape on one machine: PostgreSQL from .env, migrations, static files, then
# gunicorn + the jobs worker + the scheduler. Ctrl+C (or SIGTERM) stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
if [ ! -f .env ]; then
  secret="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
  sed "s|^SECRET_KEY=.*|SECRET_KEY=$secret|" .env.example > .env
  echo "Đã tạo .env từ .env.example (SECRET_KEY mới). Hãy xem lại ALLOWED_HOSTS, DATABASE_URL, thư mục."
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
