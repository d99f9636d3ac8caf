#!/usr/bin/env bash
# Build the students' image for Zero to JupyterHub from this repository with repo2docker, and push it.
#
#   tools/hub/z2jh/build_image.sh https://github.com/OWNER/REPO registry.example.edu/escalation-debates [REF]
#   DRY_RUN=1 tools/hub/z2jh/build_image.sh …   # print, run nothing
#
# repo2docker reads requirements.txt (pinned libraries and `-e .`, the package with its data) and
# runtime.txt (the Python version). The repository goes to /srv/escalation-debates in the image, not to
# the home folder: on the hub each home is a volume mounted over /home/jovyan, which would hide it.
# Students get their own copy of the notebooks in their home through the `escalation-link` link.
# Needs Docker and `pip install jupyter-repo2docker`. Walk-through: docs/serving_a_class.md.
set -euo pipefail

run() {
  if [ "${DRY_RUN:-0}" = 1 ]; then printf '%s\n' "$*"; else eval "$@"; fi
}

repo="${1:-}"; image="${2:-}"; ref="${3:-main}"
if [ -z "$repo" ] || [ -z "$image" ]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 2
fi
tag="$(git ls-remote "$repo" "$ref" 2>/dev/null | head -n1 | cut -c1-12 || true)"
tag="${tag:-$ref}"
run "jupyter-repo2docker --no-run --push --ref '$ref' --user-name jovyan --target-repo-dir /srv/escalation-debates --image-name '$image:$tag' '$repo'"
echo "Set singleuser.image.name: $image and singleuser.image.tag: $tag in tools/hub/z2jh/config.yaml."
