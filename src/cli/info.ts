/**
 * `bits info`: one job's snapshot and files; with `--verbose` also its details
 * (times, owner, error) and its properties, custom header values hidden.
 *
 * @module
 */

import { formatHresult } from "../hresult.ts";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import type { DetailsField, JobDetails } from "../inspection/details.ts";
import type { JobPropertiesSnapshot } from "../properties.ts";
import type { JobFile, JobSnapshot } from "../types.ts";
import type { Command } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatBytes, formatTime, knownTotal, table } from "./format.ts";

/**
 * A properties snapshot fit to print: custom header values are replaced by
 * `(hidden)`, since they often carry tokens (names stay, to show what is set).
 */
export function redactProperties(properties: JobPropertiesSnapshot): JobPropertiesSnapshot {
  const headers = properties.values.customHeaders;
  if (headers === undefined) return properties;
  return {
    ...properties,
    values: {
      ...properties.values,
      customHeaders: headers.map((header) => {
        const colon = header.indexOf(":");
        return `${colon < 0 ? header : header.slice(0, colon)}: (hidden)`;
      }),
    },
  };
}

/** `info`: one job's snapshot and files; with `--verbose` also its details and properties. */
export async function info(ctx: Context, id: string, verbose: boolean): Promise<number> {
  using bits = await connect();
  using job = await resolveJob(bits, id);
  const snapshot = await job.snapshot();
  const files = await job.files();
  if (!verbose) {
    emit(ctx, { job: snapshot, files }, () => describeJob(snapshot, files));
    return ExitCode.Ok;
  }
  const details = await job.details();
  const properties = redactProperties(await job.properties());
  emit(
    ctx,
    { job: snapshot, files, details, properties },
    () => [describeJob(snapshot, files), describeDetails(details), describeProperties(properties)].join("\n"),
  );
  return ExitCode.Ok;
}

function describeDetails(d: JobDetails): string {
  const time = (date: Date | null): string => date ? formatTime(date) : "-";
  const unknown = (field: DetailsField): string => d.unsupported.includes(field) ? "(not supported by this BITS)" : "-";
  const rows: string[][] = [
    ["Created", d.creationTime ? formatTime(d.creationTime) : unknown("times")],
    ["Modified", d.modificationTime ? formatTime(d.modificationTime) : unknown("times")],
    ["Transferred at", d.unsupported.includes("times") ? unknown("times") : time(d.transferCompletionTime)],
    [
      "Owner",
      d.ownerSid === null ? unknown("owner") : d.ownerAccount ? `${d.ownerAccount} (${d.ownerSid})` : d.ownerSid,
    ],
    ["Integrity", d.ownerIntegrityLevel ?? unknown("ownerIntegrityLevel")],
    ["Elevated", d.ownerElevated === null ? unknown("ownerElevated") : d.ownerElevated ? "yes" : "no"],
    ["Error count", d.errorCount === null ? unknown("errorCount") : String(d.errorCount)],
  ];
  if (d.error) {
    const e = d.error;
    rows.push(["Error", `${e.code} (${formatHresult(e.hresult)}) in ${e.context}: ${e.description}`]);
    if (e.file) rows.push(["Error file", `${e.file.remoteName} -> ${e.file.localName}`]);
    if (e.protocol) rows.push(["Error protocol", e.protocol]);
    if (e.localizedDescription) rows.push(["BITS says", e.localizedDescription]);
    if (e.contextDescription) rows.push(["Context", e.contextDescription]);
    if (e.hint) rows.push(["Hint", e.hint]);
  }
  return table(rows.map(([k, v]) => [`${k}:`, v]));
}

function propertyText(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (Array.isArray(value)) return value.length ? value.map(propertyText).join(", ") : "(none)";
  if (typeof value === "object") {
    return Object.entries(value).map(([k, v]) => `${k}=${propertyText(v)}`).join(" ");
  }
  return String(value);
}

function describeProperties(p: JobPropertiesSnapshot): string {
  const rows = Object.entries(p.values).map(([name, value]) => [`  ${name}`, propertyText(value)]);
  return [
    "Properties:",
    table(rows),
    ...(p.unsupported.length ? [`  not supported by this BITS: ${p.unsupported.join(", ")}`] : []),
  ].join("\n");
}

function describeJob(s: JobSnapshot, files: readonly JobFile[]): string {
  const total = knownTotal(s, files);
  const rows: string[][] = [
    ["ID", s.id],
    ["Name", s.displayName],
    ["Description", s.description],
    ["Type", s.type],
    ["State", s.state],
    ["Bytes", total === null ? formatBytes(s.progress.bytesTransferred) : `${s.progress.bytesTransferred} / ${total}`],
    ["Files", `${s.progress.filesTransferred} / ${s.progress.filesTotal}`],
  ];
  if (s.error) {
    rows.push([
      "Error",
      `${s.error.code} (${formatHresult(s.error.hresult)}) in ${s.error.context}: ${s.error.description}`,
    ]);
  }
  const lines = [table(rows.map(([k, v]) => [`${k}:`, v]))];
  for (const f of files) {
    const size = f.bytesTotal === null ? "?" : String(f.bytesTotal);
    lines.push(`  ${f.completed ? "done" : "    "}  ${f.bytesTransferred}/${size}  ${f.remoteName} -> ${f.localName}`);
  }
  return lines.join("\n");
}

/** The `info` command. */
export const command: Command = {
  summary: "Show one job's state, progress, error and files; with --verbose also times, owner and properties",
  positionals: ["id"],
  options: {},
  examples: [
    "info {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}",
    "info 0f3c1c2e --json",
    'info "nightly backup" --verbose',
    "info 0f3c1c2e --verbose --json",
  ],
  run: (ctx, { args, options }) => info(ctx, args.id, options.verbose === true),
};
