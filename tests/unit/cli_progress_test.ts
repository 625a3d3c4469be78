// The CLI's one progress renderer (wait, download --wait and watch all draw through it): rows redrawn in
// place on a terminal (throttled, cut to the width), one line per change of state elsewhere; and tables
// aligned by display width (CJK and emoji job names take two columns a character).
//
// Permissions: none.

import assert from "node:assert/strict";
import { displayWidth, padEndDisplay, wrapText } from "../../src/cli/display_width.ts";
import { table } from "../../src/cli/format.ts";
import { bar, ProgressBoard, type ProgressRow, rowText } from "../../src/cli/progress.ts";
import { boardView } from "../../src/cli/watch_view.ts";

const ESC = String.fromCharCode(0x1b);

function row(name: string, state: string, done: number, total: number | null = 1000): ProgressRow {
  return { name, state, done, total, files: { transferred: 0, total: 1 } };
}

/** The visible lines of a live board's output after the last redraw. */
function screen(output: string): string[] {
  const frames = output.split("\r");
  return frames.at(-1)!.split("\n").map((l) => l.replaceAll(`${ESC}[2K`, "").replace(new RegExp(`${ESC}\\[\\d+A`), ""));
}

Deno.test("progress: off a terminal, one plain line per change of state, per job", () => {
  const out: string[] = [];
  const board = new ProgressBoard((t) => void out.push(t), false);
  board.update("a", row("a.iso", "CONNECTING", 0), 0);
  board.update("a", row("a.iso", "TRANSFERRING", 10), 50);
  board.update("a", row("a.iso", "TRANSFERRING", 500), 300);
  board.update("b", row("b.iso", "QUEUED", 0), 310);
  board.finish();
  assert.equal(out.length, 3);
  assert.ok(out.every((l) => l.endsWith("\n") && !l.includes(ESC)));
  assert.match(out[1], /^TRANSFERRING {5}10 B \/ 1000 B {2}1% {2}files 0\/1 {2}a\.iso\n$/);
});

Deno.test("progress: on a terminal, every job has its row, redrawn in place, throttled, cut to the width", () => {
  let output = "";
  const writes: string[] = [];
  const board = new ProgressBoard(
    (t) => {
      output += t;
      writes.push(t);
    },
    true,
    60,
  );
  board.update("a", row("first job", "TRANSFERRING", 100), 0);
  board.update("b", row("日本語のジョブ 🚀", "QUEUED", 0), 10);
  const drawn = writes.length;
  board.update("a", row("first job", "TRANSFERRING", 200), 50);
  assert.equal(writes.length, drawn, "no redraw within 100 ms without a change of state");
  board.update("a", row("first job", "TRANSFERRING", 300), 200);
  assert.equal(writes.length, drawn + 1);
  assert.ok(writes.at(-1)!.startsWith(`${ESC}[1A\r`), "back up to the first row");
  const lines = screen(output);
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^TRANSFERRING +300 B \/ 1000 B {2}30%/);
  assert.match(lines[1], /^QUEUED/);
  for (const line of lines) assert.ok(displayWidth(line) <= 59, `no row wraps: ${line}`);
  board.finish();
  assert.ok(output.endsWith("\n"));
});

Deno.test("progress: a wide terminal gets a bar once the total is known", () => {
  assert.equal(bar(50, 100, 10), "[#####-----]");
  assert.equal(bar(150, 100, 4), "[####]");
  assert.match(rowText(row("x", "TRANSFERRING", 250), undefined, 8), /^TRANSFERRING {5}\[##------\] {2}250 B/);
  assert.doesNotMatch(rowText(row("x", "TRANSFERRING", 250, null), undefined, 8), /\[/);
});

Deno.test("progress: watch draws through the same board (state, bytes, removal)", () => {
  let output = "";
  const view = boardView(
    new ProgressBoard((t) => void (output += t), true, 100),
    new Map([["{A}", "nightly"]]),
    () => 4000,
  );
  const progress = { bytesTransferred: 1000, bytesTotal: null, filesTransferred: 0, filesTotal: 1 };
  view.show({ kind: "state", source: "poll", jobId: "{A}", at: 0, state: "TRANSFERRING", progress });
  view.show({ kind: "removed", source: "poll", jobId: "{A}", at: 500 });
  view.close();
  const lines = screen(output.trimEnd());
  assert.match(lines[0], /^REMOVED +\[#+-+\] {2}1000 B \/ 3\.9 KiB {2}25% {2}files 0\/1 {2}nightly$/);
});

Deno.test("tables align by display width: CJK and emoji names keep the columns straight", () => {
  const text = table([["NAME", "STATE"], ["日本語", "QUEUED"], ["🚀 launch", "ERROR"], ["plain", "DONE"]]);
  const columns = text.split("\n").map((line) =>
    displayWidth(line.slice(0, line.search(/(QUEUED|ERROR|DONE|STATE)$/)))
  );
  assert.equal(new Set(columns).size, 1, text);
  assert.equal(displayWidth("日本語"), 6);
  assert.equal(displayWidth("🚀"), 2);
  assert.equal(displayWidth("e\u0301"), 1, "a combining accent takes no column");
  assert.equal(displayWidth("👩‍💻"), 2, "a joined emoji is one glyph");
  assert.equal(padEndDisplay("日本", 6), "日本  ");
  assert.deepEqual(wrapText("日本語 日本語", 8), ["日本語", "日本語"]);
});
