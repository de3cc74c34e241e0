#!/bin/sh
# A PostgreSQL streaming replica of the compose service `db` (profile `scale`).
#
# On first start the data folder is empty: copy the primary with pg_basebackup -R, which
# also writes the standby settings (standby.signal, primary_conninfo). Later starts find
# the copy and go on replaying from where they stopped.
set -eu
DATA=/var/lib/postgresql/data
if [ ! -s "$DATA/PG_VERSION" ]; then
    until pg_isready -h db -U "$POSTGRES_USER" -d "$POSTGRES_DB" -q; do sleep 2; done
    rm -rf "$DATA"/*
    PGPASSWORD="$POSTGRES_PASSWORD" pg_basebackup -h db -U "$POSTGRES_USER" \
        -D "$DATA" -R -X stream --checkpoint=fast
    chmod 0700 "$DATA"
fi
exec postgres -D "$DATA" -c hot_standby=on -c hot_standby_feedback=on
