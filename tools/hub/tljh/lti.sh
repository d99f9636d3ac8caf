#!/usr/bin/env bash
# Optional: students log in to The Littlest JupyterHub from Canvas or Moodle (LTI 1.3, jupyterhub-ltiauthenticator).
#
#   tools/hub/tljh/lti.sh canvas https://canvas.example.edu CLIENT_ID
#   tools/hub/tljh/lti.sh moodle https://moodle.example.edu CLIENT_ID
#   DRY_RUN=1 tools/hub/tljh/lti.sh …   # print, run nothing
#
# First register the hub as an LTI 1.3 tool in the LMS (docs/serving_a_class.md, "Log in from the LMS"):
# it gives the CLIENT_ID. User names come from the custom parameter `uname` (USERNAME_KEY=custom_uname),
# which the tool registration sets to the LMS login name, so the hub's users match the LMS roster.
# Override the platform's addresses with ISSUER, AUTHORIZE_URL, JWKS_URL if your LMS shows others.
set -euo pipefail

LTI_VERSION="${LTI_VERSION:-1.6.3}"
USERNAME_KEY="${USERNAME_KEY:-custom_uname}"
AUTH=ltiauthenticator.lti13.auth.LTI13Authenticator

run() {
  if [ "${DRY_RUN:-0}" = 1 ]; then printf '%s\n' "$*"; else eval "$@"; fi
}

lms="${1:-}"; url="${2:-}"; client_id="${3:-}"
if [ -z "$lms" ] || [ -z "$url" ] || [ -z "$client_id" ]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 2
fi
url="${url%/}"
case "$url" in https://*) ;; *) echo "The LMS address must start with https:// ('$url')." >&2; exit 2 ;; esac
case "$lms" in
  canvas)
    ISSUER="${ISSUER:-https://canvas.instructure.com}"
    AUTHORIZE_URL="${AUTHORIZE_URL:-$url/api/lti/authorize_redirect}"
    JWKS_URL="${JWKS_URL:-$url/api/lti/security/jwks}" ;;
  moodle)
    ISSUER="${ISSUER:-$url}"
    AUTHORIZE_URL="${AUTHORIZE_URL:-$url/mod/lti/auth.php}"
    JWKS_URL="${JWKS_URL:-$url/mod/lti/certs.php}" ;;
  *) echo "The LMS is 'canvas' or 'moodle', not '$lms'." >&2; exit 2 ;;
esac

run "sudo /opt/tljh/hub/bin/python3 -m pip install 'jupyterhub-ltiauthenticator==$LTI_VERSION'"
run "sudo tljh-config set auth.type $AUTH"
run "sudo tljh-config set auth.LTI13Authenticator.issuer '$ISSUER'"
run "sudo tljh-config add-item auth.LTI13Authenticator.client_id '$client_id'"
run "sudo tljh-config set auth.LTI13Authenticator.authorize_url '$AUTHORIZE_URL'"
run "sudo tljh-config set auth.LTI13Authenticator.jwks_endpoint '$JWKS_URL'"
run "sudo tljh-config set auth.LTI13Authenticator.username_key '$USERNAME_KEY'"
# JupyterHub 5 and later let in only allowed users unless allow_all is set, and TLJH sets it only for its
# default FirstUse login: without this line every student coming from the LMS gets "403 Forbidden".
# Who may log in is decided by the LMS course that shows the tool.
run "sudo tljh-config set auth.LTI13Authenticator.allow_all true"
run "sudo tljh-config reload"
echo "In the LMS tool registration: login URL https://YOUR-HUB/hub/lti13/oauth_login,"
echo "redirect URL https://YOUR-HUB/hub/lti13/oauth_callback (JSON configuration: https://YOUR-HUB/hub/lti13/config)."
