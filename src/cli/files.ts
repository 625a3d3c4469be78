/**
 * `bits files`: a job's files with their progress and, with `--verbose`, what
 * the newer file interfaces (File2 … File6) tell about each one where the
 * running BITS has them.
 *
 * @module
 */

import type { FileDetails, FileRange } from "../files.ts";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import type { JobFile } from "../types.ts";
import type { Command } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { table } from "./format.ts";

/**
 * One file in `files --verbose --json`: every detail present, `null` where
 * this BITS lacks it (named in `unsupported`) or failed to read it (in `failures`).
 */
export interface VerboseFile extends JobFile {
  /** File2: the ranges the file was added with (`[]`: the whole file). */
  readonly ranges: FileRange[] | null;
  /** File3: where BITS writes the data until Complete. */
  readonly temporaryName: string | null;
  /** File3: the validation state. */
  readonly validationState: boolean | null;
  /** File3: whether the data came from a peer. */
  readonly downloadedFromPeer: boolean | null;
  /** File4: bytes from the origin server and from peers. */
  readonly peerDownloadStats: { readonly fromOrigin: number; readonly fromPeers: number } | null;
  /** File5: the last HTTP response's headers. */
  readonly httpResponseHeaders: string | null;
  /** File6: the ranges already on disk. */
  readonly filledRanges: FileRange[] | null;
  /** Details this BITS does not provide: the field, the HRESULT name, what would provide it. */
  readonly unsupported: readonly { readonly field: string; readonly code: string; readonly requires: string }[];
  /** Details BITS has but could not read: the field, the HRESULT name and the message. */
  readonly failures: readonly { readonly field: string; readonly code: string; readonly message: string }[];
}

/** Turns the library's details (optional values absent when missing) into the fixed JSON shape. */
export function verboseFile(details: FileDetails): VerboseFile {
  return {
    remoteName: details.remoteName,
    localName: details.localName,
    bytesTotal: details.bytesTotal,
    bytesTransferred: details.bytesTransferred,
    completed: details.completed,
    ranges: details.ranges ?? null,
    temporaryName: details.temporaryName ?? null,
    validationState: details.validationState ?? null,
    downloadedFromPeer: details.downloadedFromPeer ?? null,
    peerDownloadStats: details.peerDownloadStats ?? null,
    httpResponseHeaders: details.httpResponseHeaders ?? null,
    filledRanges: details.filledRanges ?? null,
    unsupported: details.unsupported.map(({ field, code, requires }) => ({ field, code, requires })),
    failures: details.failures.map(({ field, error }) => ({ field, code: error.code, message: error.message })),
  };
}

function formatRanges(ranges: readonly FileRange[]): string {
  if (ranges.length === 0) return "whole file";
  return ranges.map((r) => `${r.offset}:${r.length === "EOF" ? "eof" : r.length}`).join(", ");
}

/** The human text of `files`: one row per file, and with `--verbose` the details under each. */
export function describeFiles(id: string, files: readonly (JobFile | VerboseFile)[]): string {
  if (files.length === 0) return `Job ${id} has no files.`;
  const rows = [
    ["DONE", "BYTES", "REMOTE", "LOCAL"],
    ...files.map((f) => [
      f.completed ? "yes" : "no",
      `${f.bytesTransferred}/${f.bytesTotal ?? "?"}`,
      f.remoteName,
      f.localName,
    ]),
  ];
  if (!files.every((f) => "unsupported" in f)) return table(rows);
  const lines: string[] = [];
  (files as readonly VerboseFile[]).forEach((f, i) => {
    lines.push(`${i + 1}. ${f.remoteName} -> ${f.localName}`);
    const details: [string, string | null][] = [
      ["progress", `${f.bytesTransferred}/${f.bytesTotal ?? "?"} bytes${f.completed ? ", transferred" : ""}`],
      ["ranges", f.ranges && formatRanges(f.ranges)],
      ["temporary name", f.temporaryName],
      ["validation state", f.validationState === null ? null : f.validationState ? "valid" : "not validated"],
      ["from a peer", f.downloadedFromPeer === null ? null : f.downloadedFromPeer ? "yes" : "no"],
      [
        "peer statistics",
        f.peerDownloadStats &&
        `${f.peerDownloadStats.fromOrigin} bytes from the origin, ${f.peerDownloadStats.fromPeers} from peers`,
      ],
      ["filled ranges", f.filledRanges && formatRanges(f.filledRanges)],
      ["response headers", f.httpResponseHeaders && f.httpResponseHeaders.trim().split(/\r?\n/).join(" | ")],
    ];
    lines.push(table(details.filter(([, v]) => v !== null).map(([k, v]) => [`   ${k}:`, v as string])));
    if (f.unsupported.length) {
      lines.push(`   not provided by this BITS: ${f.unsupported.map((u) => `${u.field} (${u.code})`).join(", ")}`);
    }
    for (const failure of f.failures) lines.push(`   ${failure.field}: ${failure.message}`);
  });
  return lines.join("\n");
}

/** `files`: the job's files, in BITS' order (the reverse of addition on Wine). */
export async function files(ctx: Context, id: string, verbose: boolean): Promise<number> {
  using bits = await connect();
  using job = await resolveJob(bits, id);
  let listed: JobFile[] | VerboseFile[];
  if (verbose) {
    const objects = await job.fileObjects();
    try {
      listed = [];
      for (const file of objects) listed.push(verboseFile(await file.details()));
    } finally {
      for (const file of objects) file.dispose();
    }
  } else {
    listed = await job.files();
  }
  emit(ctx, { id: job.id, files: listed }, () => describeFiles(job.id, listed));
  return ExitCode.Ok;
}

/** The `files` command. */
export const command: Command = {
  summary: "List a job's files and progress (--verbose: also ranges, temporary name, validation state …)",
  positionals: ["id"],
  options: {},
  examples: [
    "files {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}",
    'files "nightly backup" --verbose',
    "files 0f3c1c2e --verbose --json",
  ],
  run: (ctx, { args, options }) => files(ctx, args.id, options.verbose === true),
};
