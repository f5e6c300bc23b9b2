#!/bin/sh
# Starts one Redis data member. REDIS_REPLICA_OF (host) makes it start as a replica; after a
# failover Sentinel reconfigures the members, whatever they started as. REDIS_ANNOUNCE_HOST is
# the name the others and Sentinel reach it by (container addresses change on restart).
set -eu
set -- --requirepass "${REDIS_PASSWORD}" --masterauth "${REDIS_PASSWORD}" \
  --replica-announce-ip "${REDIS_ANNOUNCE_HOST}" \
  --appendonly yes --appendfsync everysec \
  --maxmemory-policy noeviction
# noeviction: BullMQ queues, streams and leases live here; evicting them would lose work.
if [ -n "${REDIS_REPLICA_OF:-}" ]; then
  set -- "$@" --replicaof "${REDIS_REPLICA_OF}" 6379
fi
exec redis-server "$@"
