#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian packages named on the command line that are missing,
# saying what is run. Does nothing when everything is present.
set -eu
missing=()
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#@} Debian packages present"
	exit 0
fi
sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: missing ${missing[*]}; run as root" >&2; exit 1; }
	sudo=sudo
fi
echo "deps: installing ${missing[*]}"
echo "deps: + apt-get update"
$sudo apt-get update -q >/dev/null
echo "deps: + apt-get install -y --no-install-recommends ${missing[*]}"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
