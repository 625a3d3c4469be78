#!/usr/bin/env bash
# The CPU affinity of the Wine bed's processes, on request of the measuring
# side (bench/download.ts, measurement 6), for `deno task bench` on Linux.
#
#   bash bench/affinity.sh REQUEST_FILE ACK_FILE
#
# REQUEST_FILE holds a CPU list for taskset (e.g. "1"), or "all" (or nothing):
# the processes that carry a BITS transfer and watch it (wineserver, BITS'
# svchost and the watcher, bench/watch_child.ts; only in the PID namespace of
# the running wineserver, i.e. the bed) get that affinity, with all their
# threads; such processes that appear later get it too. Every other process
# (the content server, the measuring deno.exe, the rest of Wine) is left alone. Once a request is applied
# its text is copied to ACK_FILE, so the requester knows. Runs until killed.
#
# Why: under Wine on a VM, how fast BITS downloads depends mostly on whether
# its svchost and wineserver run on the same vCPU (docs/performance.md), and
# Linux moves them back and forth; keeping them on one vCPU makes the transfer
# steady, and putting the watcher there too makes every cycle it spends one
# the transfer loses.
set -u
request=$1
ack=$2
all="0-$(($(nproc --all) - 1))"
applied=""
declare -A pinned=()
wineserver=""

# The command line of process directory $1, its arguments joined by spaces, in
# $cmd (builtins only: this runs for every process five times a second).
read_cmdline() {
	local -a parts=()
	mapfile -d '' parts <"$1/cmdline" 2>/dev/null || true
	cmd="${parts[*]}"
}

# Finds the bed's wineserver (its PID namespace is the bed's).
find_wineserver() {
	local dir
	for dir in /proc/[0-9]*; do
		read_cmdline "$dir"
		case $cmd in
		*/wineserver*) wineserver=$dir && return 0 ;;
		esac
	done
	wineserver=""
}

while :; do
	want=$(cat "$request" 2>/dev/null || true)
	want=${want:-all}
	if [ "$want" != "$applied" ]; then
		pinned=()
	fi
	list=$want
	[ "$want" = all ] && list=$all
	[ -n "$wineserver" ] && [ -e "$wineserver/ns/pid" ] || find_wineserver
	for dir in /proc/[0-9]*; do
		[ -n "$wineserver" ] || break
		pid=${dir#/proc/}
		[ -n "${pinned[$pid]:-}" ] && continue
		# Not in the bed's PID namespace: not ours. (-ef compares the namespaces' inodes, no fork.)
		[[ $dir/ns/pid -ef $wineserver/ns/pid ]] || continue
		read_cmdline "$dir"
		case $cmd in
		*/wineserver* | *svchost.exe\ -k\ netsvcs* | *watch_child.ts*) ;;
		*) continue ;;
		esac
		# A new process after "all" needs nothing: it inherits from an unconfined parent.
		if [ "$want" != all ] || [ "$want" != "$applied" ]; then
			taskset -a -p -c "$list" "$pid" >/dev/null 2>&1 || true
		fi
		pinned[$pid]=1
	done
	if [ "$want" != "$applied" ]; then
		applied=$want
		printf '%s\n' "$applied" >"$ack.tmp" && mv -f "$ack.tmp" "$ack"
	fi
	sleep 0.2
done
