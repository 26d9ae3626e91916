#!/bin/sh
# Jewel CRM container entrypoint.
#   serve (default): create the database unless it is ready (idempotent),
#                    then run trytond on $JEWEL_DB
#   anything else:   run it (trytond-cron -d jewel, trytond-worker -d jewel)
set -eu

DB="${JEWEL_DB:-jewel}"

if [ "${1:-serve}" = "serve" ]; then
    python -m jewel -d "$DB" create
    # The launcher gives a new database's admin the demo password: set the
    # real one from a file (a Docker secret) when there is one.
    if [ -n "${JEWEL_ADMIN_PASSWORD_FILE:-}" ]; then
        TRYTONPASSFILE="$JEWEL_ADMIN_PASSWORD_FILE" \
            trytond-admin -d "$DB" --password </dev/null
        echo "admin password of '$DB' set from $JEWEL_ADMIN_PASSWORD_FILE"
    fi
    # -d preloads the database: trytond 8.0.12 refuses every login otherwise
    exec trytond -d "$DB"
fi

exec "$@"
