/**
 * The dashboard's one page: HTML, style and script as strings, so the module
 * carries them with no build step, no raw import and no network (nothing is
 * loaded from elsewhere; the CSP forbids it). The script takes the token from
 * its own URL, follows `/events` (server-sent events) and posts actions with
 * the token in a header. Job data is put in the page as text only, never as
 * markup: a job's name cannot inject anything.
 *
 * @module
 */

import { FINAL_STATES } from "../types.ts";

const STYLE = `
:root { font: 14px/1.4 system-ui, sans-serif; color: #1b1f24; background: #f6f8fa; }
body { margin: 0 auto; max-width: 1200px; padding: 16px; }
header { display: flex; align-items: baseline; gap: 16px; }
h1 { font-size: 20px; margin: 0 0 8px; }
h2 { font-size: 16px; margin: 20px 0 6px; }
#status { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #ddd; }
#status.live { background: #d1f0d8; color: #116329; }
#status.down { background: #ffd8d3; color: #a40e26; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid #d0d7de; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { font-size: 12px; color: #57606a; font-weight: 600; background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.id { font: 11px ui-monospace, monospace; color: #57606a; }
.state { font-size: 11px; font-weight: 600; padding: 1px 6px; border-radius: 8px; background: #eaeef2; white-space: nowrap; }
.state.TRANSFERRING, .state.CONNECTING { background: #ddf4ff; color: #0550ae; }
.state.TRANSFERRED { background: #d1f0d8; color: #116329; }
.state.ERROR, .state.TRANSIENT_ERROR { background: #ffd8d3; color: #a40e26; }
.state.SUSPENDED { background: #fff1c5; color: #7d4e00; }
.bar { width: 180px; height: 10px; background: #eaeef2; border-radius: 5px; overflow: hidden; }
.fill { height: 100%; width: 0; background: #2da44e; transition: width .3s; }
.bar.unknown .fill { background: repeating-linear-gradient(45deg, #8cc4ff 0 6px, #54aeff 6px 12px); width: 100%; }
.error { color: #a40e26; font-size: 12px; }
.hint, .meta { color: #57606a; font-size: 12px; }
.message { font-size: 12px; }
.message.failed { color: #a40e26; }
.files { font: 11px ui-monospace, monospace; color: #57606a; margin: 2px 0 0; padding-left: 16px; }
button { font-size: 12px; margin: 0 2px 2px 0; padding: 2px 8px; border: 1px solid #d0d7de; border-radius: 6px; background: #f6f8fa; cursor: pointer; }
button:disabled { cursor: default; opacity: .5; }
button.danger { color: #a40e26; }
form.complete { margin-top: 4px; font-size: 12px; }
form.complete input { font: 11px ui-monospace, monospace; width: 260px; }
form.complete input[name=size] { width: 90px; }
#empty { color: #57606a; }
`;

const SCRIPT = `
"use strict";
const token = new URLSearchParams(location.search).get("token") || "";
const jobs = new Map();
const rows = new Map();
const messages = new Map();
const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v; else if (k.startsWith("data-")) node.setAttribute(k, v); else node[k] = v;
  }
  for (const c of children) node.append(c);
  return node;
};
const FINAL = new Set(${JSON.stringify([...FINAL_STATES])});
const ACTIONS = [
  ["resume", "Resume", (s) => s === "SUSPENDED" || s === "ERROR" || s === "TRANSIENT_ERROR"],
  ["suspend", "Suspend", (s) => s === "QUEUED" || s === "CONNECTING" || s === "TRANSFERRING" || s === "TRANSIENT_ERROR"],
  ["complete", "Complete\u2026", (s) => s === "TRANSFERRED"],
  ["cancel", "Cancel", (s) => !FINAL.has(s)],
  ["take-ownership", "Take ownership", (s) => !FINAL.has(s)],
];
function bytes(n) {
  if (n === null || n === undefined) return "?";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? String(n) : n.toFixed(1)) + " " + units[i];
}
function duration(s) {
  if (s === null) return "";
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
  return (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(sec).padStart(2, "0");
}
async function act(job, action, body) {
  if (action === "cancel" && !confirm("Cancel job \u201c" + job.name + "\u201d? BITS deletes what it downloaded.")) return;
  messages.set(job.id, { text: action + "\u2026", failed: false });
  update(job);
  let reply, ok = false;
  try {
    const response = await fetch("/api/jobs/" + encodeURIComponent(job.id) + "/" + action, {
      method: "POST",
      headers: { "content-type": "application/json", "x-bits-token": token },
      body: JSON.stringify(body || {}),
    });
    ok = response.ok;
    reply = await response.json().catch(() => ({ error: { name: "Error", message: "HTTP " + response.status } }));
  } catch (e) {
    reply = { error: { name: "Error", message: "the dashboard is not reachable" } };
  }
  if (ok) {
    messages.set(job.id, { text: action + ": done", failed: false });
    if (reply.job === null) { jobs.delete(job.id); notice(action + ": job \u201c" + job.name + "\u201d left the queue"); render(); return; }
  } else {
    const e = reply.error || {};
    messages.set(job.id, { text: (e.name || "Error") + (e.code ? " " + e.code : "") + ": " + e.message + (e.hint ? " (hint: " + e.hint + ")" : ""), failed: true });
  }
  if (jobs.has(job.id)) update(jobs.get(job.id));
}
function notice(text) { $("notice").textContent = text; }
function completeForm(job) {
  const sha = el("input", { name: "sha256", placeholder: "expected SHA-256 (optional)", autocomplete: "off" });
  const size = el("input", { name: "size", placeholder: "size (optional)", inputMode: "numeric", autocomplete: "off" });
  const form = el("form", { class: "complete" }, sha, " ", size, " ", el("button", { type: "submit" }, "Complete"),
    el("button", { type: "button", onclick: () => form.remove() }, "Close"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const body = {};
    if (sha.value.trim()) body.sha256 = sha.value.trim();
    if (size.value.trim()) body.size = Number(size.value.trim());
    form.remove();
    act(jobs.get(job.id) || job, "complete", body);
  });
  return form;
}
function rowFor(job) {
  let row = rows.get(job.id);
  if (row) return row;
  const r = {
    tr: el("tr", { "data-id": job.id }),
    name: el("div", { class: "name" }), meta: el("div", { class: "meta" }), id: el("div", { class: "id" }, job.id),
    error: el("div", { class: "error" }), hint: el("div", { class: "hint" }), message: el("div", { class: "message" }),
    files: el("ul", { class: "files" }), extra: el("div"),
    state: el("span", { class: "state" }), bar: el("div", { class: "bar" }), fill: el("div", { class: "fill" }),
    bytes: el("td", { class: "num bytes" }), rate: el("td", { class: "num rate" }), eta: el("td", { class: "num eta" }),
    count: el("td", { class: "num count" }), actions: el("td", { class: "actions" }), buttons: new Map(),
  };
  r.bar.append(r.fill);
  for (const [action, label] of ACTIONS) {
    const b = el("button", { type: "button", "data-action": action, class: action === "cancel" ? "danger" : "" }, label);
    b.addEventListener("click", () => {
      const current = jobs.get(job.id);
      if (!current) return;
      if (action === "complete") { if (!r.extra.querySelector("form")) r.extra.append(completeForm(current)); return; }
      act(current, action);
    });
    r.buttons.set(action, b);
    r.actions.append(b);
  }
  r.tr.append(el("td", {}, r.name, r.meta, r.id, r.error, r.hint, r.files, r.message, r.extra), el("td", {}, r.state),
    el("td", {}, r.bar), r.bytes, r.rate, r.eta, r.count, r.actions);
  rows.set(job.id, r);
  return r;
}
function update(job) {
  const r = rowFor(job);
  r.tr.dataset.state = job.state;
  r.tr.dataset.bytes = String(job.bytesTransferred);
  r.name.textContent = job.name;
  const w = job.wmp;
  r.meta.textContent = w && w.serviceId !== null
    ? [w.albumArtist, w.albumTitle, w.trackNumber + ". " + w.title].filter(Boolean).join(" \u2014 ") + (w.kind === "job" ? " (the Player completes it)" : "")
    : "";
  r.state.textContent = job.state;
  r.state.className = "state " + job.state;
  const pct = job.bytesTotal ? Math.min(100, 100 * job.bytesTransferred / job.bytesTotal)
    : job.state === "TRANSFERRED" ? 100 : null;
  r.bar.classList.toggle("unknown", pct === null && job.bytesTransferred > 0);
  r.fill.style.width = (pct === null ? 0 : pct.toFixed(1)) + "%";
  r.tr.dataset.percent = pct === null ? "" : pct.toFixed(1);
  r.bytes.textContent = bytes(job.bytesTransferred) + " / " + bytes(job.bytesTotal);
  r.rate.textContent = job.rate === null ? "" : bytes(Math.round(job.rate)) + "/s";
  r.eta.textContent = duration(job.eta);
  r.count.textContent = job.filesTransferred + " / " + job.filesTotal;
  r.error.textContent = job.error ? job.error.code + ": " + job.error.description + " (" + job.error.context + ")" : "";
  r.hint.textContent = job.error && job.error.hint ? "hint: " + job.error.hint : "";
  r.files.replaceChildren(...job.files.map((f) => el("li", {}, (f.completed ? "\u2713 " : "") + f.remote + " \u2192 " + f.local)));
  const m = messages.get(job.id);
  r.message.textContent = m ? m.text : "";
  r.message.className = "message" + (m && m.failed ? " failed" : "");
  const playerOwns = job.wmp && job.wmp.kind === "job";
  for (const [action, , allowed] of ACTIONS) {
    const b = r.buttons.get(action);
    b.hidden = !allowed(job.state);
    b.disabled = !!playerOwns;
    b.title = playerOwns ? "Windows Media Player owns this job" : "";
  }
  return r;
}
function collection(job) {
  if (!job.wmp) return $("rows");
  const key = job.wmp.serviceId === null ? "malformed" : String(job.wmp.serviceId);
  let body = document.querySelector('tbody[data-service="' + key + '"]');
  if (!body) {
    const title = job.wmp.serviceId === null ? "Malformed WMP descriptions" : "serviceId " + key + (job.wmp.provider ? " \u2014 " + job.wmp.provider : "");
    body = el("tbody", { "data-service": key });
    $("collections").append(el("h2", {}, title), el("table", {}, el("thead", {}, headRow()), body));
  }
  return body;
}
function headRow() {
  return el("tr", {}, ...["Job", "State", "Progress", "Bytes", "Rate", "ETA", "Files", "Actions"].map((h) => el("th", {}, h)));
}
function render() {
  for (const [id, r] of rows) if (!jobs.has(id)) { r.tr.remove(); rows.delete(id); messages.delete(id); }
  for (const job of jobs.values()) {
    const r = update(job);
    const body = collection(job);
    if (r.tr.parentNode !== body) body.append(r.tr);
  }
  const plain = [...jobs.values()].filter((j) => !j.wmp).length;
  $("empty").hidden = plain > 0;
  $("wmp").hidden = [...jobs.values()].every((j) => !j.wmp);
  $("count").textContent = jobs.size + (jobs.size === 1 ? " job" : " jobs");
}
function connect() {
  const events = new EventSource("/events?token=" + encodeURIComponent(token));
  events.addEventListener("open", () => { $("status").textContent = "live"; $("status").className = "live"; });
  events.addEventListener("error", () => { $("status").textContent = "reconnecting"; $("status").className = "down"; });
  events.addEventListener("jobs", (e) => {
    jobs.clear();
    for (const job of JSON.parse(e.data).jobs) jobs.set(job.id, job);
    render();
  });
  events.addEventListener("job", (e) => { const job = JSON.parse(e.data); jobs.set(job.id, job); render(); });
  events.addEventListener("removed", (e) => { jobs.delete(JSON.parse(e.data).id); render(); });
}
$("head").append(headRow());
connect();
`;

/** The page, with `nonce` on its inline style and script (the CSP admits nothing else). */
export function dashboardPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>BITS queue</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header><h1>BITS queue</h1><span id="status">connecting</span><span id="count"></span></header>
<p id="notice" role="status"></p>
<table><thead id="head"></thead><tbody id="rows"></tbody></table>
<p id="empty">No jobs in the queue.</p>
<section id="wmp" hidden><h2>Windows Media Player downloads</h2><div id="collections"></div></section>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}
