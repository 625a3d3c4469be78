# Shared helpers for the Wine 10 test bed. Sourced by setup.sh and run.sh, and
# by the bash that runs as PID 1 inside the private namespaces (bed_in_ns).
#
# Layout (all outside the repository):
#   $BED_CACHE/.lock                 flock: one setup/run at a time (shared prefix)
#   $BED_CACHE/$DEBIAN_SUITE/        the debootstrapped tree (never deleted by us)
#   $BED_CACHE/$DEBIAN_SUITE.ok      marker: tree complete
#   $BED_CACHE/*.log                 debootstrap / wineboot logs
#   tree:/opt/deno/<ver>/deno.exe    Windows Deno, + INTEGRITY stamp
#   tree:/opt/deno/deno.exe          symlink to the pinned version
#   tree:/opt/deno/deno              wrapper: wine64 /opt/deno/deno.exe "$@"
#   tree:/opt/bed/*.exe              keepalive.exe, bits_ping.exe
#   tree:/root/.wine-bits/           the Wine prefix (+ bed-prefix.ok marker)
#   tree:/repo                       mount point for the repository (run.sh)

BED_LIB=$(readlink -f "${BASH_SOURCE[0]}")
BED_DIR=$(dirname "$BED_LIB")

# Pinned versions: DENO_VERSION, DENO_WIN_INTEGRITY, DEBIAN_SUITE.
# shellcheck source=../versions.env
. "$BED_DIR/../versions.env"

BED_CACHE=${BED_CACHE:-/var/cache/deno-bits}
BED_TREE=$BED_CACHE/$DEBIAN_SUITE
BED_TREE_MARKER=$BED_CACHE/$DEBIAN_SUITE.ok
export BED_CACHE

# Paths as seen inside the tree.
BED_PREFIX=/root/.wine-bits
BED_PREFIX_MARKER=$BED_PREFIX/bed-prefix.ok
# trixie's wine64 package ships no /usr/bin/wine*: the loader is
# /usr/lib/wine/wine64, and /usr/lib/wine/wineserver is a sh wrapper that runs
# `wineserver64 -p0 "$@"` (so a later -p overrides the -p0).
BED_WINE=/usr/lib/wine/wine64
BED_WINESERVER=/usr/lib/wine/wineserver
BED_TOOLS=/opt/bed
BED_DENO_DIR=/opt/deno

bed_log() { [ -n "${BED_QUIET:-}" ] || printf 'bed: %s\n' "$*" >&2; }
bed_warn() { printf 'bed: %s\n' "$*" >&2; }
bed_die() {
	printf 'bed: ERROR: %s\n' "$*" >&2
	exit 1
}

# Take $BED_CACHE/.lock on fd 9; it is held until this process (or what it
# execs) exits. Children that must not re-lock see _BED_LOCK_HELD=1.
bed_lock() {
	[ -n "${_BED_LOCK_HELD:-}" ] && return 0
	mkdir -p "$BED_CACHE"
	exec 9>"$BED_CACHE/.lock"
	if ! flock -n 9; then
		bed_warn "waiting for another bed setup/run to finish ($BED_CACHE/.lock)"
		flock 9
	fi
	export _BED_LOCK_HELD=1
}

# Is anything mounted at or below $1 (in the current mount namespace)?
bed_has_mounts_under() {
	local dir
	dir=$(readlink -f "$1")
	# Field 5 of mountinfo is the mount point.
	awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' \
		/proc/self/mountinfo
}

# Everything that mounts or starts Wine runs behind this: a private mount
# namespace (no mount outlives it) and a PID namespace whose init is our bash
# (when it exits, the kernel kills whatever is left in it, so no Wine process
# can leak). --kill-child: if unshare itself is killed, the namespace dies too.
# --mount-proc gives the inner bash a /proc of its own PID namespace, so its
# pgrep/pkill see only the bed's processes.
BED_UNSHARE=(unshare --mount --propagation private --pid --fork --kill-child --mount-proc --)
# "$0" of the inner bash is this file; the remaining args are a function + args.
# shellcheck disable=SC2016
BED_NS_BOOT='set -euo pipefail; . "$0"; "$@"'

# bed_in_ns FUNCTION ARGS... : run a function of this file inside the namespaces.
bed_in_ns() {
	"${BED_UNSHARE[@]}" bash -c "$BED_NS_BOOT" "$BED_LIB" "$@"
}

# ---------------------------------------------------------------------------
# Everything below runs INSIDE the namespaces, as PID 1 of the PID namespace.
# ---------------------------------------------------------------------------

# Mount what Wine needs into the tree. $1 = repository to bind at /repo (optional).
bed_ns_mount() {
	local repo=${1:-}
	# The lock fd stays with the outer process; Wine daemons must not inherit it.
	exec 9>&-
	bed_has_mounts_under "$BED_TREE" && bed_die "something is already mounted under $BED_TREE"
	mount -t proc proc "$BED_TREE/proc"
	# Host /dev with its submounts (pts, shm, mqueue); private, gone with us.
	mount --rbind /dev "$BED_TREE/dev"
	# A fresh /tmp per session: Wine keeps its server socket and lock in
	# /tmp/.wine-0, so nothing stale survives a killed run.
	mount -t tmpfs -o mode=1777,size=2g bedtmp "$BED_TREE/tmp"
	if [ -n "$repo" ]; then
		mount --bind "$repo" "$BED_TREE/repo"
	fi
}

# bed_cmd [VAR=value...] -- COMMAND ARGS... : set BED_CMD to the argv that runs
# COMMAND in the tree with a clean environment (env -i: no proxy variables, no
# DISPLAY) and cwd /repo when the repository is mounted. An argv (not a
# function) so that `"${BED_CMD[@]}" &` gives $! = the pid of the Wine process.
bed_cmd() {
	local -a vars=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		vars+=("$1")
		shift
	done
	shift
	local cwd=/
	mountpoint -q "$BED_TREE/repo" && cwd=/repo
	BED_CMD=(chroot "$BED_TREE" /usr/bin/env -i -C "$cwd"
		HOME=/root USER=root LOGNAME=root LANG=C.UTF-8
		PATH=/opt/deno:/usr/lib/wine:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		WINEPREFIX="$BED_PREFIX" WINEARCH=win64 WINEDEBUG="${BED_WINEDEBUG:--all}"
		DENO_NO_UPDATE_CHECK=1
		"${vars[@]}" "$@")
}

# bed_chroot: like bed_cmd, and run it in the foreground.
bed_chroot() {
	bed_cmd "$@"
	"${BED_CMD[@]}"
}

# Wait (up to $1 s) until no wineserver is left in this PID namespace.
bed_wait_wineserver_gone() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		pgrep -x wineserver64 >/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# Stop the prefix's wineserver, and with it every Wine process of the prefix.
bed_stop_wineserver() {
	pgrep -x wineserver64 >/dev/null || return 0
	bed_chroot -- timeout 20 "$BED_WINESERVER" -k </dev/null >/dev/null 2>&1 || true
	if ! bed_wait_wineserver_gone 10; then
		bed_warn "wineserver did not stop after -k; killing it"
		pkill -KILL -x wineserver64 || true # /proc is ours: only the bed is visible
		bed_wait_wineserver_gone 5 || true
	fi
}

# Run a command (argv) in the background and wait for it. `wait` returns as
# soon as a trapped signal arrives, so our traps run at once instead of after
# the command. (Never read Wine output through a pipe: Wine's system processes
# inherit the std handles of whichever process started them and keep the pipe
# open, so $(...) would wait forever.)
bed_bg_wait() {
	local pid rc=0
	"$@" &
	pid=$!
	wait "$pid" || rc=$?
	# A signal interrupted wait: the trap has run (and usually exited).
	return "$rc"
}

# bits_ping.exe with $1 attempts; output (to a file in the session's /tmp)
# is shown indented on stderr, unless quiet and successful.
bed_bits_ping() {
	local log=$BED_TREE/tmp/bed-bits_ping.log rc=0
	bed_cmd -- "$BED_WINE" "$BED_TOOLS/bits_ping.exe" "${1:-10}"
	bed_bg_wait "${BED_CMD[@]}" </dev/null >"$log" 2>&1 || rc=$?
	if [ -z "${BED_QUIET:-}" ] || [ "$rc" != 0 ]; then
		sed 's/\r$//; s/^/bed:   /' "$log" >&2
	fi
	return "$rc"
}

# Traps for a namespace init (PID 1 ignores signals it has no handler for).
# $1 = cleanup function, run on every exit.
bed_ns_traps() {
	# shellcheck disable=SC2064
	trap "$1" EXIT
	trap '_bed_ns_signal 129' HUP
	trap '_bed_ns_signal 130' INT
	trap '_bed_ns_signal 143' TERM
}
_bed_ns_signal() {
	# Ignore repeats (timeout/Ctrl+C signal the whole process group and run.sh
	# forwards too): a trap firing inside the EXIT trap would cut cleanup short.
	trap '' HUP INT TERM
	bed_warn "interrupted; stopping the bed"
	exit "$1" # runs the EXIT trap
}

# Bump when bed_ns_prefix_init changes, so existing prefixes get redone.
BED_PREFIX_VERSION=2

# setup.sh step 5: create the prefix, wait for wineboot's services to settle,
# then activate BITS once to get the flaky first activation out of the way.
bed_ns_prefix_init() {
	local log=$BED_CACHE/wineboot.log
	bed_ns_mount ""
	bed_ns_traps bed_stop_wineserver
	bed_log "  wineboot -i (log: $log)"
	# mscoree/mshtml disabled: wineboot would otherwise try to install Mono and
	# Gecko, which are not in the tree and cannot be downloaded.
	bed_cmd WINEDLLOVERRIDES="mscoree,mshtml=" -- timeout 600 "$BED_WINE" wineboot -i
	bed_bg_wait "${BED_CMD[@]}" </dev/null >"$log" 2>&1 ||
		bed_die "wineboot -i failed or timed out (see $log)"
	# No display: use Wine's null graphics driver instead of probing Wayland
	# and X11 (the Wayland probe prints "error: XDG_RUNTIME_DIR is invalid"
	# into the stderr of whichever program started the desktop process).
	bed_cmd -- "$BED_WINE" reg add 'HKCU\Software\Wine\Drivers' /v Graphics /d null /f
	bed_bg_wait "${BED_CMD[@]}" </dev/null >>"$log" 2>&1 ||
		bed_die "could not set the null graphics driver (see $log)"
	bed_cmd -- timeout 300 "$BED_WINESERVER" -w
	bed_bg_wait "${BED_CMD[@]}" </dev/null >>"$log" 2>&1 ||
		bed_die "wineserver -w did not return (see $log)"
	bed_log "  throw-away BITS activation (the first one after boot may fail)"
	bed_bits_ping 3 || bed_log "  (failed, as it may; continuing)"
	bed_log "  BITS activation check"
	bed_bits_ping 10 || bed_die "BITS cannot be activated in the new prefix"
	# Let the service and wineserver exit on their own: the registry gets saved.
	bed_cmd -- timeout 60 "$BED_WINESERVER" -w
	bed_bg_wait "${BED_CMD[@]}" </dev/null >>"$log" 2>&1 || true
	bed_stop_wineserver
	echo "$BED_PREFIX_VERSION" >"$BED_TREE$BED_PREFIX_MARKER"
}

# setup.sh summary: print the first line of deno.exe --version, run in the bed.
bed_ns_deno_version() {
	local out=$BED_TREE/tmp/bed-deno-version.txt
	bed_ns_mount ""
	bed_ns_traps bed_stop_wineserver
	bed_cmd -- "$BED_WINE" "$BED_DENO_DIR/deno.exe" --version
	bed_bg_wait "${BED_CMD[@]}" </dev/null >"$out" 2>&1 || {
		cat "$out" >&2
		return 1
	}
	sed -n '1{s/\r$//;p;}' "$out"
}

# Where deno.exe 2.9.5 under Wine leaves a ~100 MB copy of itself at every
# start (node_compat_bin/node.exe.tmp-<pid>: its rename onto node.exe fails).
# A whole test run starts hundreds of deno.exe processes: swept while the
# command runs (copies older than a minute), and once more by run.sh.
BED_NODE_COMPAT_BIN=$BED_PREFIX/drive_c/users/root/AppData/Local/deno/node_compat_bin
_bed_sweep_node_compat() {
	while sleep 20; do
		find "$BED_TREE$BED_NODE_COMPAT_BIN" -maxdepth 1 -type f -name 'node.exe.tmp-*' -mmin +1 -delete \
			2>/dev/null || true
	done
}

# run.sh: bed_ns_run REPO BITS(1|0) COMMAND ARGS...
_bed_cmd_pid=
_bed_keep_pid=
_bed_sweep_pid=
bed_ns_run() {
	local repo=$1 bits=$2 rc=0 name
	shift 2
	bed_ns_mount "$repo"
	bed_ns_traps _bed_run_cleanup

	bed_log "starting wineserver (persistent)"
	bed_cmd -- "$BED_WINESERVER" -p
	bed_bg_wait "${BED_CMD[@]}" </dev/null >/dev/null 2>&1 || bed_die "could not start wineserver"
	if [ "$bits" = 1 ]; then
		bed_log "starting keepalive.exe; BITS warm-up"
		bed_cmd -- "$BED_WINE" "$BED_TOOLS/keepalive.exe"
		"${BED_CMD[@]}" </dev/null >/dev/null 2>&1 &
		_bed_keep_pid=$!
		bed_bits_ping 10 ||
			bed_die "BITS cannot be activated in the bed (bits_ping.exe failed after its retries)"
	fi

	# Environment for the command: the clean base plus NO_COLOR, TERM and
	# whatever BED_PASS_ENV names (proxy variables excepted: tests talk to
	# 127.0.0.1 and WinHTTP would honour http_proxy).
	local -a pass=()
	for name in NO_COLOR TERM ${BED_PASS_ENV:-}; do
		case $name in
		*[!A-Za-z0-9_]* | [0-9]*) bed_die "BED_PASS_ENV: bad variable name '$name'" ;;
		*[Pp][Rr][Oo][Xx][Yy]*) bed_warn "BED_PASS_ENV: not passing $name" ;;
		*) if [ -n "${!name+set}" ]; then pass+=("$name=${!name}"); fi ;;
		esac
	done

	# Run the command in the background and wait, so a signal runs our trap at
	# once. Background jobs get /dev/null as stdin unless redirected, so hand
	# ours on explicitly (run.sh already made sure there is one).
	_bed_sweep_node_compat </dev/null >/dev/null 2>&1 &
	_bed_sweep_pid=$!
	exec 3<&0
	bed_log "running: $*"
	bed_cmd "${pass[@]}" -- "$@"
	"${BED_CMD[@]}" <&3 3<&- &
	_bed_cmd_pid=$!
	exec 3<&-
	wait "$_bed_cmd_pid" || rc=$?
	_bed_cmd_pid=
	exit "$rc"
}

_bed_run_cleanup() {
	local rc=$?
	trap - EXIT
	trap '' HUP INT TERM
	if [ -n "$_bed_cmd_pid" ]; then
		kill -TERM "$_bed_cmd_pid" 2>/dev/null || true
	fi
	if [ -n "$_bed_keep_pid" ]; then
		kill -TERM "$_bed_keep_pid" 2>/dev/null || true
	fi
	if [ -n "$_bed_sweep_pid" ]; then
		kill -TERM "$_bed_sweep_pid" 2>/dev/null || true
	fi
	bed_stop_wineserver
	bed_log "stopped wineserver; exit code $rc"
	exit "$rc"
}
