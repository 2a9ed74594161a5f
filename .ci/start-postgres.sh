#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with trust authentication for user postgres (the review
# store's tests run against a real server). Machines of this project start one before the session; elsewhere
# this installs Debian's package and starts it.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
hba=/etc/postgresql/$version/main/pg_hba.conf
if ! grep -q "^host all all 127.0.0.1/32 trust" "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
    sed -i '1i local all all trust' "$hba"
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
done
pg_isready -h 127.0.0.1 -p 5432
psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test"
