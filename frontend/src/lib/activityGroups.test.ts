import { describe, expect, it } from "vitest";

import { describeEvent } from "./activity";
import { groupActivity, listWords, type GroupableEvent } from "./activityGroups";

let nextId = 1000;
function ev(type: string, actor: string, createdAt: string, payload: Record<string, unknown>): GroupableEvent {
  nextId -= 1;
  return { id: String(nextId), type, actor, createdAt, payload };
}

const upload = (actor: string, at: string, path: string, version = "1.0.0") =>
  ev("version.file_uploaded", actor, `2026-12-03T10:${at}Z`, { version, path });

describe("groupActivity: uploads", () => {
  it("makes consecutive uploads of one actor on one version one entry, files oldest first", () => {
    // newest first, as the feed lists them
    const events = [upload("alice", "02:00", "c.txt"), upload("alice", "01:30", "b.txt"), upload("alice", "01:00", "a.txt")];
    const [entry, ...rest] = groupActivity(events);
    expect(rest).toEqual([]);
    expect(entry?.text).toBe("alice uploaded 3 files to 1.0.0");
    expect(entry?.details).toEqual({ label: "3 files", items: ["a.txt", "b.txt", "c.txt"] });
    expect(entry?.event.id).toBe(events[0]?.id);
    expect(entry?.events).toHaveLength(3);
  });

  it("keeps one upload as it was", () => {
    const [entry] = groupActivity([upload("alice", "01:00", "model.pkl")]);
    expect(entry?.text).toBe("alice uploaded model.pkl to 1.0.0");
    expect(entry?.details).toBeNull();
  });

  it("splits by actor, by version, by another event between, and by a pause over 5 minutes", () => {
    const events = [
      upload("bob", "20:00", "x"),
      upload("alice", "19:00", "e", "2.0.0"),
      upload("alice", "18:00", "d"),
      // 7 minutes before the next: another batch
      upload("alice", "11:00", "c"),
      ev("version.comment_added", "carol", "2026-12-03T10:10:30Z", { version: "1.0.0" }),
      upload("alice", "10:00", "b"),
      upload("alice", "09:00", "a"),
    ];
    expect(groupActivity(events).map((e) => e.text)).toEqual([
      "bob uploaded x to 1.0.0",
      "alice uploaded e to 2.0.0",
      "alice uploaded d to 1.0.0",
      "alice uploaded c to 1.0.0",
      "carol commented on 1.0.0",
      "alice uploaded 2 files to 1.0.0",
    ]);
  });
});

describe("groupActivity: reasons", () => {
  it("shows a request's, a rejection's and a cancellation's comment", () => {
    const entries = groupActivity([
      ev("version.transition_cancelled", "rita", "2026-12-03T10:03:00Z", { version: "1.0.0", to: "STAGING", comment: "" }),
      ev("version.transition_rejected", "mia", "2026-12-03T10:02:00Z", {
        version: "1.0.0",
        to: "PRODUCTION",
        requester: "rita",
        comment: "needs a holdout set",
      }),
      ev("version.transition_requested", "rita", "2026-12-03T10:01:00Z", {
        version: "1.0.0",
        from: "NONE",
        to: "PRODUCTION",
        comment: "AUC +2%",
      }),
    ]);
    expect(entries.map((e) => [e.text, e.comment])).toEqual([
      ["rita cancelled the request to move 1.0.0 to Staging", null],
      ["mia rejected rita's request to move 1.0.0 to Production", "needs a holdout set"],
      ["rita requested to move 1.0.0 from None to Production", "AUC +2%"],
    ]);
  });

  it("folds the move an approval performed into it, with the versions it archived", () => {
    // what approving with archiveExisting records, newest first
    const events = [
      ev("version.stage_changed", "mia", "2026-12-03T10:05:00Z", {
        version_id: 1,
        version: "1.0.0",
        from: "PRODUCTION",
        to: "ARCHIVED",
        comment: "Archived when version 2.0.0 moved to Production.",
        archived_by_version_id: 2,
        request_id: 7,
      }),
      ev("version.stage_changed", "mia", "2026-12-03T10:05:00Z", {
        version_id: 2,
        version: "2.0.0",
        from: "STAGING",
        to: "PRODUCTION",
        comment: "ship it",
        archived: [{ version_id: 1, version: "1.0.0", number: 1 }],
        request_id: 7,
      }),
      ev("version.transition_approved", "mia", "2026-12-03T10:05:00Z", {
        version_id: 2,
        version: "2.0.0",
        to: "PRODUCTION",
        requester: "rita",
        comment: "ship it",
        request_id: 7,
      }),
    ];
    const entries = groupActivity(events);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.text).toBe("mia approved rita's request to move 2.0.0 to Production and archived 1.0.0");
    expect(entries[0]?.comment).toBe("ship it");
  });

  it("names archived versions on a direct move, and an archived version's own feed says why", () => {
    const move = ev("version.stage_changed", "mia", "2026-12-03T10:05:00Z", {
      version_id: 3,
      version: "3.0.0",
      from: "NONE",
      to: "PRODUCTION",
      comment: "",
      archived: [
        { version_id: 1, version: "1.0.0" },
        { version_id: 2, version: "2.0.0" },
      ],
      request_id: null,
    });
    const archived = ev("version.stage_changed", "mia", "2026-12-03T10:05:00Z", {
      version_id: 1,
      version: "1.0.0",
      from: "PRODUCTION",
      to: "ARCHIVED",
      comment: "Archived when version 3.0.0 moved to Production.",
      archived_by_version_id: 3,
      request_id: null,
    });
    expect(groupActivity([archived, move]).map((e) => e.text)).toEqual([
      "mia moved 3.0.0 from None to Production and archived 1.0.0 and 2.0.0",
    ]);
    // the version page of 1.0.0 lists only its own event
    expect(groupActivity([archived]).map((e) => [e.text, e.comment])).toEqual([
      ["mia moved 1.0.0 from Production to Archived", "Archived when version 3.0.0 moved to Production."],
    ]);
  });

  it("reads an approval alone when its move is on another page", () => {
    const [entry] = groupActivity([
      ev("version.transition_approved", "mia", "2026-12-03T10:05:00Z", {
        version: "2.0.0",
        to: "STAGING",
        requester: "mia",
        comment: "",
        request_id: 9,
      }),
    ]);
    expect(entry?.text).toBe("mia approved their own request to move 2.0.0 to Staging");
    expect(entry?.comment).toBeNull();
  });
});

describe("listWords", () => {
  it("joins with commas and 'and'", () => {
    expect(listWords([])).toBe("");
    expect(listWords(["a"])).toBe("a");
    expect(listWords(["a", "b"])).toBe("a and b");
    expect(listWords(["a", "b", "c"])).toBe("a, b and c");
  });
});

describe("describeEvent", () => {
  it("names the requester of an approved request", () => {
    expect(
      describeEvent({ type: "version.transition_approved", actor: "bob", payload: { version: "1.2.0", to: "STAGING", requester: "amy" } }),
    ).toBe("bob approved amy's request to move 1.2.0 to Staging");
  });
});
