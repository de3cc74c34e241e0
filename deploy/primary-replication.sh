#!/bin/sh
# Run once by the postgres image when it creates the primary's database (compose service
# `db`): let the compose network's replicas stream the WAL, with the same password
# authentication as any other connection.
set -eu
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
