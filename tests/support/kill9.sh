#!/bin/sh
# kill -9 for the Wine tests (tests/support/hard_kill.ts): sends SIGKILL to the
# given Linux process ids. A Windows program under Wine cannot signal a Linux
# process itself, but Wine runs Unix programs that cmd.exe starts, so the
# tests run this script through `cmd.exe /c`. (kill is a shell builtin here:
# the bed has no /bin/kill.)
kill -9 "$@"
