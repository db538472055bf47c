#!/bin/bash
# Container HEALTHCHECK: exit 0 when GET /ready answers 200 (models loaded and warmed up).
# The runtime image has no curl or wget, so this speaks HTTP/1.1 over bash's /dev/tcp.
port="${KALEIDO_PORT:-5000}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 3 status <&3 || exit 1
[[ "$status" == "HTTP/1.1 200"* ]]
