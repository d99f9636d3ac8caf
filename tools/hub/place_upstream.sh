#!/usr/bin/env bash
# Place the upstream files the recipe tests check against (tools/hub/upstream_files.txt) into DEST, from git
# clones of Zero to JupyterHub and The Littlest JupyterHub (each clone needs the pinned tag).
#
#   git clone https://github.com/jupyterhub/zero-to-jupyterhub-k8s /tmp/z2jh
#   git clone https://github.com/jupyterhub/the-littlest-jupyterhub /tmp/tljh
#   tools/hub/place_upstream.sh ../shared/upstream /tmp/z2jh /tmp/tljh
#   DRY_RUN=1 tools/hub/place_upstream.sh …   # print, run nothing
#
# DEST is what the tests read as ESCALATION_UPSTREAM (default: ../shared/upstream beside the repository).
# See docs/serving_a_class.md, "The recipes' tests". Nothing placed there is committed.
set -euo pipefail

run() {
  if [ "${DRY_RUN:-0}" = 1 ]; then printf '%s\n' "$*"; else eval "$@"; fi
}

dest="${1:-}"; z2jh="${2:-}"; tljh="${3:-}"
if [ -z "$dest" ] || [ -z "$z2jh" ] || [ -z "$tljh" ]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 2
fi
list="$(dirname "$0")/upstream_files.txt"
grep -v '^#' "$list" | while read -r repo tag path; do
  [ -n "$repo" ] || continue
  case "$repo" in
    */zero-to-jupyterhub-k8s) clone="$z2jh" ;;
    */the-littlest-jupyterhub) clone="$tljh" ;;
    *) echo "No clone given for $repo." >&2; exit 2 ;;
  esac
  out="$dest/${repo#*/}@$tag/$path"
  run "mkdir -p '$(dirname "$out")' && git -C '$clone' show '$tag:$path' > '$out'"
done
