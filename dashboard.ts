/**
 * The BITS queue in a browser, live: {@linkcode serveDashboard} serves one
 * page on 127.0.0.1 that shows every job (state, progress, rate, ETA, files,
 * error with a hint; the Windows Media Player convention jobs grouped by
 * serviceId) and offers suspend, resume, cancel, complete and take ownership.
 * Updates are pushed from `watch()` as server-sent events.
 *
 * Every request needs the random token in the URL the server returns;
 * `Host` and `Origin` are checked, and actions need POST with the token in a
 * header. Give the URL only to whoever may act on your jobs.
 *
 * ```ts ignore
 * import { connect } from "@deno-bits/bits";
 * import { serveDashboard } from "@deno-bits/bits/dashboard";
 *
 * using bits = await connect();
 * await using dashboard = await serveDashboard(bits);
 * console.log(dashboard.url);
 * await dashboard.finished;
 * ```
 *
 * Permissions: those of {@linkcode connect} plus `--allow-net=127.0.0.1`.
 *
 * @module
 */

export { type Dashboard, type DashboardOptions, serveDashboard } from "./src/dashboard/server.ts";
