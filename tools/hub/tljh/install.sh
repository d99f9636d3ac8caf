#!/usr/bin/env bash
# The Littlest JupyterHub for "Escalation debates": one Ubuntu/Debian server, up to about 100 students.
# Walk-through and sizing: docs/serving_a_class.md.
#
#   tools/hub/tljh/install.sh install https://github.com/OWNER/REPO INSTRUCTOR   # a new server
#   tools/hub/tljh/install.sh update                                            # after the module changed
#   DRY_RUN=1 tools/hub/tljh/install.sh install …                               # print, run nothing
#
# Settings (environment): BRANCH (main), MEMORY per student (1G), CPU per student (1),
# IDLE_TIMEOUT seconds before an idle server is stopped (3600), LIVE_CLASS=1 to run the live class service
# escalation-class (docs/live_class.md), TLJH_VERSION (2.0.0: its hub runs
# jupyterhub>=5.2.0,<6, the major version requirements.txt pins for the students' servers).
set -euo pipefail

BRANCH="${BRANCH:-main}"
MEMORY="${MEMORY:-1G}"
CPU="${CPU:-1}"
IDLE_TIMEOUT="${IDLE_TIMEOUT:-3600}"
TLJH_VERSION="${TLJH_VERSION:-2.0.0}"
CHECKOUT="${ESCALATION_DIR:-/opt/escalation-debates}"
USER_ENV="${ESCALATION_USER_ENV:-/opt/tljh/user}"

run() {
  if [ "${DRY_RUN:-0}" = 1 ]; then printf '%s\n' "$*"; else eval "$@"; fi
}

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 2
}

install() {
  local repo="${1:-}" admin="${2:-}"
  if [ -z "$repo" ] || [ -z "$admin" ]; then
    echo "install needs the module's repository address and the instructor's user name." >&2
    usage
  fi
  case "$repo" in
    https://*|http://*|ssh://*|git@*) ;;
    *) echo "'$repo' is not a git repository address (https://github.com/OWNER/REPO)." >&2; exit 2 ;;
  esac
  # TLJH itself, with the plugin (tools/hub/tljh/tljh_escalation.py) taken from the same repository:
  # it installs the module's requirements into the students' environment and sets their server up.
  run "curl -fsSL https://tljh.jupyter.org/bootstrap.py | sudo python3 - --version '$TLJH_VERSION' --admin '$admin' --plugin 'git+$repo@$BRANCH#subdirectory=tools/hub/tljh'"
  run "sudo tljh-config set user_environment.default_app jupyterlab"
  run "sudo tljh-config set limits.memory $MEMORY"
  run "sudo tljh-config set limits.cpu $CPU"
  run "sudo tljh-config set services.cull.timeout $IDLE_TIMEOUT"
  if [ "${LIVE_CLASS:-0}" = 1 ]; then
    # The live class service (docs/live_class.md): its database folder, and its part of the hub's config.
    run "sudo mkdir -p /srv/escalation-class"
    run "sudo '$USER_ENV/bin/escalation-class' hub-config --command-prefix '$USER_ENV/bin/' | sudo tee /opt/tljh/config/jupyterhub_config.d/escalation-class.py >/dev/null"
  fi
  run "sudo tljh-config reload"
  echo "Next: log in as $admin, add the students (Control Panel › Admin, or a roster), then hand out the module:"
  echo "  escalation-link https://YOUR-HUB --repo $repo --branch $BRANCH"
}

update() {
  # New data or exercises: update the shared copy the package reads, and its pinned libraries.
  # Students get the new notebooks the next time they click the link (their own changes are kept).
  run "sudo git -C '$CHECKOUT' fetch --depth=1 origin '$BRANCH'"
  run "sudo git -C '$CHECKOUT' checkout --force FETCH_HEAD"
  run "cd '$CHECKOUT' && sudo '$USER_ENV/bin/python' -m pip install --no-cache-dir -r requirements.txt"
}

case "${1:-}" in
  install) shift; install "$@" ;;
  update) update ;;
  *) usage ;;
esac
