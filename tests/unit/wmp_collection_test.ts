import assert from "node:assert/strict";
import { integerOption } from "../../src/cli/option_values.ts";
import { UsageError } from "../../src/cli/args.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { JobSnapshot, JobState } from "../../src/types.ts";
import { toDownloadItem, WMP_ITEM_INFO_NAMES, wmpDownloadState } from "../../src/wmp/collection.ts";

const META = {
  serviceId: 42,
  provider: "Proseware",
  albumArtist: "Artist",
  albumTitle: "Album",
  trackNumber: 3,
  title: "Title",
  duration: 245,
  rating: 75,
};

function snapshot(state: JobState, bytesTransferred = 10): JobSnapshot {
  return {
    id: "{4991D34B-80A1-4291-83B6-3328366B9097}",
    type: "DOWNLOAD",
    state,
    displayName: "Title",
    description: "",
    progress: { bytesTotal: null, bytesTransferred, filesTotal: 1, filesTransferred: 0 },
    error: null,
  };
}

Deno.test("wmp collection: every BITS state maps to the Player's download state", () => {
  const expected: Record<JobState, number> = {
    QUEUED: 0,
    CONNECTING: 0,
    TRANSFERRING: 0,
    TRANSIENT_ERROR: 0,
    SUSPENDED: 1,
    ERROR: 1,
    TRANSFERRED: 2,
    ACKNOWLEDGED: 3,
    CANCELLED: 4,
  };
  for (const [state, value] of Object.entries(expected)) {
    assert.equal(wmpDownloadState(state as JobState), value, state);
  }
});

Deno.test("wmp collection: getItemInfo answers the seven documented names as strings", () => {
  const item = toDownloadItem(snapshot("TRANSFERRED", 500), { ...META, kind: "status" }, 500);
  assert.deepEqual(
    WMP_ITEM_INFO_NAMES.map((name) => item.getItemInfo(name)),
    ["Artist", "Album", "245", "Proseware", "Title", "75", "3"],
  );
  assert.deepEqual([item.kind, item.downloadState, item.progress, item.size], ["status", 2, 500, 500]);
  assert.deepEqual(item.metadata, META);
});

Deno.test("wmp collection: an undocumented item name is refused, and an unknown size reads 0", () => {
  const item = toDownloadItem(snapshot("QUEUED"), { ...META, kind: "job" }, null);
  assert.equal(item.size, 0);
  for (const name of ["AlbumTitle", "WM/AlbumTitle", "toString", "__proto__", "album"]) {
    assert.throws(() => item.getItemInfo(name as never), InvalidArgumentError, name);
  }
});

Deno.test("cli: integerOption takes plain digits only", () => {
  assert.equal(integerOption(undefined, "track"), undefined);
  assert.equal(integerOption("0", "track"), 0);
  assert.equal(integerOption("2147483647", "service-id"), 2147483647);
  for (const bad of ["", "-1", "+1", "1.5", "1e3", "0x10", " 1", "abc", "1234567890123456"]) {
    assert.throws(() => integerOption(bad, "track"), UsageError, bad);
  }
  assert.throws(() => integerOption(true, "track"), UsageError);
});
