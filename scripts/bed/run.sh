#!/usr/bin/env bash
# Run a command inside the Wine 10 test bed (see README.md).
#
#   bash scripts/bed/run.sh [options] -- command [args...]
#   bash scripts/bed/run.sh -- /opt/deno/deno test --allow-ffi tests/
#
# The command runs chrooted in the trixie tree with cwd /repo (the repository;
# Z:\repo for Windows programs), a persistent wineserver, keepalive.exe holding
# the BITS service up, and BITS warmed up. Afterwards everything is stopped;
# the command's exit code is returned. Run as root.
#
# Options:
#   --no-bits   do not start keepalive.exe / warm up BITS (plain Deno runs)
#   -q, --quiet no progress lines (errors are still printed)
#   -h, --help  this text
set -euo pipefail
# CI may start us with fd 0 closed; give everything an empty stdin then.
[ -e "/proc/$$/fd/0" ] || exec </dev/null
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

usage() { sed -n '2,16s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

bits=1
while [ $# -gt 0 ]; do
	case $1 in
	--no-bits) bits=0 ;;
	-q | --quiet) export BED_QUIET=1 ;;
	-h | --help)
		usage
		exit 0
		;;
	--)
		shift
		break
		;;
	-*) bed_die "unknown option $1 (see --help)" ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || bed_die "no command given; usage: run.sh [options] -- command [args...]"
[ "$(id -u)" = 0 ] || bed_die "run.sh must run as root (it mounts and chroots)"

# The repository mounted at /repo: $BED_REPO, else the git top level of $PWD.
repo=${BED_REPO:-$(git -c safe.directory='*' rev-parse --show-toplevel 2>/dev/null || true)}
[ -n "$repo" ] || bed_die "not inside a git repository; set BED_REPO=/path/to/repo"
repo=$(readlink -f "$repo")
[ -d "$repo" ] || bed_die "BED_REPO $repo is not a directory"

# One bed user at a time: the Wine prefix is shared. The lock (fd 9) is held
# until this script and the namespace have exited.
bed_lock
# Idempotent and quick when everything is in place.
bash "$BED_DIR/setup.sh" --quiet

# unshare blocks SIGINT/SIGTERM in itself and does not forward them, so run it
# in the background and forward signals to the namespace's init (its child),
# whose trap stops Wine and exits. TERM is used for all of them: the init, a
# background job, starts with SIGINT ignored.
ns_pid=
forward() {
	local init
	[ -n "$ns_pid" ] || exit 143 # not started yet
	init=$(pgrep -P "$ns_pid" 2>/dev/null | head -n 1) || true
	if [ -n "$init" ]; then kill -TERM "$init" 2>/dev/null || true; fi
	trap '' HUP INT TERM # once is enough; now just wait for the cleanup
}
trap forward HUP INT TERM
"${BED_UNSHARE[@]}" bash -c "$BED_NS_BOOT" "$BED_LIB" bed_ns_run "$repo" "$bits" "$@" <&0 &
ns_pid=$!
# wait returns early (status > 128) when a trapped signal arrives: keep waiting
# until the namespace is really gone; bash remembers the status for the last wait.
while kill -0 "$ns_pid" 2>/dev/null; do
	wait "$ns_pid" || true
done
rc=0
wait "$ns_pid" || rc=$?
# The rest of deno.exe's leftover copies of itself (common.sh, BED_NODE_COMPAT_BIN):
# the namespace is gone, so no deno.exe is running and nothing is mounted.
find "$BED_TREE$BED_NODE_COMPAT_BIN" -maxdepth 1 -type f -name 'node.exe.tmp-*' -delete 2>/dev/null || true
exit "$rc"
