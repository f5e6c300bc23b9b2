#!/bin/sh
# Starts one Sentinel. Sentinel rewrites its configuration file (it records the current master
# and the other sentinels there), so the file is written at start into a writable place rather
# than mounted read-only. REDIS_PASSWORD comes from the environment (deploy/.env).
set -eu
mkdir -p /data/sentinel
cat > /data/sentinel/sentinel.conf <<CONF
port 26379
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip ${SENTINEL_ANNOUNCE_HOST}
# The master group \`platform\`; two sentinels (quorum) must agree that it is down.
sentinel monitor platform redis-1 6379 2
sentinel auth-pass platform ${REDIS_PASSWORD}
sentinel down-after-milliseconds platform 5000
sentinel failover-timeout platform 30000
sentinel parallel-syncs platform 1
CONF
exec redis-sentinel /data/sentinel/sentinel.conf
