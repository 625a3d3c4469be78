#!/usr/bin/env bash
# Build (or check) the Wine 10 test bed: a Debian trixie tree with wine64, the
# pinned Windows deno.exe, two helper programs and an initialised Wine prefix.
# Idempotent; everything is cached under $BED_CACHE (default
# /var/cache/deno-bits), outside the repository. Run as root.
#
#   bash scripts/bed/setup.sh            # build what is missing, print a summary
#   bash scripts/bed/setup.sh --quiet    # only report work actually done (run.sh)
set -euo pipefail
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

QUIET=
case ${1:-} in
--quiet | -q) QUIET=1 ;;
"") ;;
*) bed_die "usage: setup.sh [--quiet]" ;;
esac

skip() { [ -n "$QUIET" ] || bed_log "skip: $*"; }

pkg_installed() {
	dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

# Step 1: host tools. apt-get update only when something is missing.
step_host_packages() {
	local -a missing=()
	local p
	for p in debootstrap gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64; do
		pkg_installed "$p" || missing+=("$p")
	done
	# npm and openssl may come from elsewhere; only ask apt when absent.
	command -v npm >/dev/null || missing+=(npm)
	command -v openssl >/dev/null || missing+=(openssl)
	# The shim's toolchain at exactly the pinned versions (MINGW_PACKAGES): the embedded
	# DLL is compared byte for byte with a build from this toolchain.
	local pin
	for pin in $MINGW_PACKAGES; do
		[ "$(dpkg-query -W -f='${Version}' "${pin%%=*}" 2>/dev/null)" = "${pin#*=}" ] || missing+=("$pin")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		skip "host packages (debootstrap, mingw-w64 as pinned, npm, openssl) installed"
		return
	fi
	bed_log "installing host packages: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --allow-downgrades "${missing[@]}" >&2 ||
		bed_die "could not install ${missing[*]}; if a pinned mingw-w64 version (MINGW_PACKAGES in scripts/versions.env) is no longer in the archive, pin the current one and regenerate the shim with \`deno task shim:embed\`"
}

# Step 2: the trixie tree. debootstrap runs in a private mount namespace (it
# mounts proc/sys itself; they vanish with the namespace) into a temporary dir
# that is moved into place only on success. No mirror argument: debootstrap's
# default is used. (No PID namespace here: debootstrap would be its init and
# would ignore SIGTERM.)
step_tree() {
	if [ -f "$BED_TREE_MARKER" ] && [ -d "$BED_TREE" ]; then
		skip "tree $BED_TREE (marker present)"
	else
		if [ -e "$BED_TREE" ]; then
			# Unfinished, or its marker was removed to force a rebuild. Never
			# delete a tree: move it aside for the user to inspect / remove.
			bed_has_mounts_under "$BED_TREE" && bed_die "mounts under $BED_TREE; not touching it"
			local old
			old=$BED_TREE.old.$(date +%Y%m%d-%H%M%S)
			mv "$BED_TREE" "$old"
			bed_warn "moved the previous tree aside to $old (remove it yourself once findmnt shows nothing under it)"
		fi
		local tmp log=$BED_CACHE/debootstrap.log
		tmp=$(mktemp -d "$BED_CACHE/$DEBIAN_SUITE.partial.XXXXXX")
		chmod 755 "$tmp"
		bed_log "debootstrap $DEBIAN_SUITE (minbase + wine64, ca-certificates) into $tmp; about a minute (log: $log)"
		if ! unshare --mount --propagation private -- debootstrap --variant=minbase --include=wine64,ca-certificates \
			"$DEBIAN_SUITE" "$tmp" </dev/null >"$log" 2>&1; then
			tail -n 20 "$log" >&2
			bed_die "debootstrap failed (log: $log); the partial tree $tmp is left in place"
		fi
		bed_has_mounts_under "$tmp" && bed_die "unexpected mounts under $tmp after debootstrap"
		mv "$tmp" "$BED_TREE"
		date -u +%FT%TZ >"$BED_TREE_MARKER"
		bed_log "tree ready: $BED_TREE"
	fi
	tree_config
}

# Write $2 to file $1 only if it differs; says so when it changes something.
ensure_file() {
	local file=$1 content=$2 mode=${3:-0644}
	if [ -f "$file" ] && [ "$(cat "$file")" = "$content" ]; then
		return 0
	fi
	mkdir -p "$(dirname "$file")"
	printf '%s\n' "$content" >"$file.new"
	chmod "$mode" "$file.new"
	mv -f "$file.new" "$file"
	bed_log "wrote ${file#"$BED_TREE"} in the tree"
}

# Small files in the tree; cheap, so checked on every run.
tree_config() {
	# https://localhost tests need localhost -> 127.0.0.1 (debootstrap writes no hosts file).
	ensure_file "$BED_TREE/etc/hosts" "127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback"
	mkdir -p "$BED_TREE/repo" "$BED_TREE$BED_TOOLS" "$BED_TREE$BED_DENO_DIR"
	# So that `run.sh -- /opt/deno/deno test ...` works; exec keeps the pid
	# and lets wine's exit code (= deno.exe's) through.
	ensure_file "$BED_TREE$BED_DENO_DIR/deno" "#!/bin/sh
# Windows deno.exe under Wine (test bed wrapper, written by scripts/bed/setup.sh)
exec $BED_WINE $BED_DENO_DIR/deno.exe \"\$@\"" 0755
}

# Step 3: the Windows deno.exe from npm, verified against the pinned integrity.
step_deno() {
	local dest=$BED_TREE$BED_DENO_DIR/$DENO_VERSION
	if [ -f "$dest/deno.exe" ] && [ "$(cat "$dest/INTEGRITY" 2>/dev/null)" = "$DENO_WIN_INTEGRITY" ]; then
		skip "deno.exe $DENO_VERSION installed"
	else
		local tmp tgz got
		tmp=$(mktemp -d "$BED_CACHE/npm-pack.XXXXXX")
		bed_log "npm pack @deno/win32-x64@$DENO_VERSION"
		(cd "$tmp" && npm pack --silent --ignore-scripts "@deno/win32-x64@$DENO_VERSION" >/dev/null)
		tgz=$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n 1)
		[ -n "$tgz" ] || bed_die "npm pack produced no tarball"
		got=sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)
		[ "$got" = "$DENO_WIN_INTEGRITY" ] ||
			bed_die "integrity mismatch for $(basename "$tgz"): got $got, want $DENO_WIN_INTEGRITY"
		bed_log "integrity ok; installing deno.exe into the tree at $BED_DENO_DIR/$DENO_VERSION/"
		tar -xzf "$tgz" -C "$tmp" package/deno.exe
		mkdir -p "$dest"
		install -m 0755 "$tmp/package/deno.exe" "$dest/deno.exe.new"
		mv -f "$dest/deno.exe.new" "$dest/deno.exe"
		printf '%s\n' "$DENO_WIN_INTEGRITY" >"$dest/INTEGRITY"
		rm -rf "$tmp" # npm's tarball + extraction only; nothing is mounted there
	fi
	# The stable path follows the pin.
	if [ "$(readlink "$BED_TREE$BED_DENO_DIR/deno.exe" 2>/dev/null)" != "$DENO_VERSION/deno.exe" ]; then
		ln -sfn "$DENO_VERSION/deno.exe" "$BED_TREE$BED_DENO_DIR/deno.exe"
		bed_log "$BED_DENO_DIR/deno.exe -> $DENO_VERSION/deno.exe"
	fi
}

# Step 4: the helper programs, rebuilt when their source is newer.
build_tool() {
	local name=$1
	shift
	local src=$BED_DIR/$name.c out=$BED_TREE$BED_TOOLS/$name.exe
	if [ -f "$out" ] && [ ! "$src" -nt "$out" ]; then
		skip "$name.exe up to date"
		return
	fi
	bed_log "building $name.exe (mingw)"
	x86_64-w64-mingw32-gcc -O2 -s -Wall -o "$out.new" "$src" "$@"
	mv -f "$out.new" "$out"
}

step_tools() {
	build_tool keepalive
	build_tool bits_ping -lole32 -luuid
}

# Step 5: the Wine prefix (inside the namespaces; see bed_ns_prefix_init).
step_prefix() {
	if [ "$(cat "$BED_TREE$BED_PREFIX_MARKER" 2>/dev/null)" = "$BED_PREFIX_VERSION" ]; then
		skip "Wine prefix $BED_PREFIX initialised"
		return
	fi
	bed_log "initialising the Wine prefix $BED_PREFIX (win64)"
	local t0=$SECONDS
	bed_in_ns bed_ns_prefix_init || bed_die "prefix initialisation failed"
	bed_log "prefix ready ($((SECONDS - t0)) s)"
}

# Step 6: summary.
step_summary() {
	[ -n "$QUIET" ] && return
	local wine_ver deno_ver
	wine_ver=$(dpkg-query --admindir="$BED_TREE/var/lib/dpkg" -W -f '${Version}' wine64)
	deno_ver=$(bed_in_ns bed_ns_deno_version) || bed_die "deno.exe does not run in the bed"
	bed_log "summary:"
	bed_log "  tree:    $BED_TREE ($DEBIAN_SUITE, wine64 $wine_ver, loader $BED_WINE)"
	bed_log "  deno:    $BED_DENO_DIR/deno.exe -> $deno_ver"
	bed_log "  prefix:  $BED_PREFIX ready"
	bed_log "  run:     bash scripts/bed/run.sh -- /opt/deno/deno --version"
}

main() {
	[ "$(id -u)" = 0 ] || bed_die "setup.sh must run as root"
	bed_lock
	step_host_packages
	step_tree
	step_deno
	step_tools
	step_prefix
	step_summary
}

main
