#!/usr/bin/env bash
# The production start path the Docker image uses, without Docker: build, a production install in a clean
# directory (npm ci --omit=dev), then the compiled entry point; waits for /readyz, then SIGTERM and a clean exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
npm run build >/dev/null
cp -r package.json package-lock.json dist bin rules mappings templates "$work/"
cd "$work"
npm ci --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
DATA_DIR="$work/data" HTTP_PORT="$port" NODE_ENV=production LOG_LEVEL=warn node dist/cli/index.js run &
pid=$!
for i in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
    echo "prod-smoke: /readyz answered 200 after ~$((i / 2))s (production install, node dist/cli/index.js run)"
    # The operator console is served from dist/ too (copied by scripts/copy-assets.mjs).
    for asset in /console /console/assets/app.js /console/assets/console.css; do
      curl -fsS -o /dev/null "http://127.0.0.1:$port$asset" || { echo "prod-smoke: $asset is not served" >&2; kill -TERM "$pid"; exit 1; }
    done
    echo "prod-smoke: /console and its assets are served"
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    echo "prod-smoke: exited with status $rc after SIGTERM"
    exit "$rc"
  fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "prod-smoke: the daemon died before /readyz" >&2; exit 1; fi
  sleep 0.5
done
echo "prod-smoke: /readyz did not answer 200 within 30s" >&2
kill -KILL "$pid" 2>/dev/null || true
exit 1
