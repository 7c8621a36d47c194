#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/browser/screenshot.sh [URL USER PASSWORD [FILE]]: a screenshot of the
# dashboard's Job Queues tab with headless chromium, for the README: by
# default of the running demo (packaging/demo), its URL and password read
# from run/, written to packaging/screenshot.png.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
url=${1:-$(cat "$top/run/dashboard-url")}
user=${2:-admin}
password=${3:-$(cat "$top/run/dashboard-password")}
out=${4:-$top/packaging/screenshot.png}
chromium=$(command -v chromium || command -v chromium-browser) ||
	{ echo "chromium is not installed" >&2; exit 1; }
profile=$(mktemp -d /tmp/jsv-shot.XXXXXX)
trap 'rm -rf "$profile"' EXIT
python3 "$top/t/browser/dash-browser.py" --chromium "$chromium" \
	--profile "$profile" --url "$url" --user "$user" \
	--password "$password" --screenshot "$out" >/dev/null
echo "$out"
