import { describe, expect, it } from "vitest";

import { describeEvent, mergeEvents, stageColor, stageLabel } from "./activity";

describe("describeEvent", () => {
  it("describes webhook changes by the receiver's origin", () => {
    expect(describeEvent({ type: "webhook.created", actor: "mia", payload: { url: "https://hooks.example.com" } })).toBe(
      "mia added a webhook to https://hooks.example.com",
    );
    expect(
      describeEvent({
        type: "webhook.disabled",
        actor: "system",
        payload: { url: "https://hooks.example.com", reason: "5 deliveries in a row failed" },
      }),
    ).toBe("the webhook to https://hooks.example.com was disabled: 5 deliveries in a row failed");
  });

  it("describes stage changes", () => {
    expect(
      describeEvent({ type: "version.stage_changed", actor: "alice", payload: { version: "1.2.0", from: "STAGING", to: "PRODUCTION" } }),
    ).toBe("alice moved 1.2.0 from Staging to Production");
  });

  it("describes transition requests and their outcomes", () => {
    const payload = { version: "1.2.0", from: "NONE", to: "PRODUCTION" };
    expect(describeEvent({ type: "version.transition_requested", actor: "alice", payload })).toBe(
      "alice requested to move 1.2.0 from None to Production",
    );
    expect(describeEvent({ type: "version.transition_approved", actor: "bob", payload })).toBe(
      "bob approved the request to move 1.2.0 to Production",
    );
    expect(describeEvent({ type: "version.transition_rejected", actor: "bob", payload })).toBe(
      "bob rejected the request to move 1.2.0 to Production",
    );
    expect(describeEvent({ type: "version.transition_cancelled", actor: "alice", payload })).toBe(
      "alice cancelled the request to move 1.2.0 to Production",
    );
  });

  it("describes aliases", () => {
    expect(describeEvent({ type: "model.alias_set", actor: "carol", payload: { alias: "champion", version: "2.0.0" } })).toBe(
      "carol pointed alias champion at 2.0.0",
    );
    expect(
      describeEvent({
        type: "model.alias_set",
        actor: "carol",
        payload: { alias: "champion", version: "2.0.0", from_version: "1.0.0" },
      }),
    ).toBe("carol moved alias champion from 1.0.0 to 2.0.0");
    expect(describeEvent({ type: "model.alias_deleted", actor: "carol", payload: { alias: "champion", version: "2.0.0" } })).toBe(
      "carol removed alias champion from 2.0.0",
    );
  });

  it("describes comments and creation", () => {
    expect(describeEvent({ type: "version.comment_added", actor: "dan", payload: { version: "1.0.0" } })).toBe(
      "dan commented on 1.0.0",
    );
    expect(describeEvent({ type: "version.created", actor: "dan", payload: { version: "1.0.0" } })).toBe(
      "dan created version 1.0.0",
    );
  });

  it("falls back for unknown types and odd payloads", () => {
    expect(describeEvent({ type: "x.unknown", actor: "eve", payload: null })).toBe("eve: x.unknown");
    expect(describeEvent({ type: "version.stage_changed", actor: "", payload: "nope" })).toBe(
      "someone moved a version from ? to ?",
    );
  });
});

describe("stages", () => {
  it("labels and colors", () => {
    expect(stageLabel("PRODUCTION")).toBe("Production");
    expect(stageColor("NONE")).toBe("gray");
    expect(stageColor("STAGING")).toBe("yellow");
    expect(stageColor("PRODUCTION")).toBe("green");
    expect(stageColor("ARCHIVED")).toBe("dark");
  });
});

describe("mergeEvents", () => {
  it("dedupes and sorts newest first", () => {
    const a = { id: "1", createdAt: "2026-01-01T00:00:00Z" };
    const b = { id: "2", createdAt: "2026-01-02T00:00:00Z" };
    const c = { id: "3", createdAt: "2026-01-03T00:00:00Z" };
    expect(mergeEvents([c, b], [b, a]).map((e) => e.id)).toEqual(["3", "2", "1"]);
  });
});
