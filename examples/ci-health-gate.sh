#!/usr/bin/env bash
# A CI step that fails the job when this runner is unhealthy, and keeps the report as JSON.
#   examples/ci-health-gate.sh [report.json]
set -euo pipefail
report=${1:-health-report.json}
status=0
hivemind health status --max-disk 95 -o json > "$report" || status=$?
case $status in
  0) echo "node healthy" >&2 ;;
  1) echo "node unhealthy:" >&2
     # Show what failed; jq is optional.
     if command -v jq >/dev/null; then jq -r '.resources[] | select(.status=="unhealthy") | "  \(.resource) \(.target // "") \(.detail)"' "$report" >&2; fi
     exit 1 ;;
  *) echo "hivemind failed (exit $status)" >&2; exit "$status" ;;
esac
