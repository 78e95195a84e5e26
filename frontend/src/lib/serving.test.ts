import { describe, expect, it } from "vitest";

import { describeEvent } from "./activity";
import { followingPhrase, serveCommand, serveCommands } from "./serving";

describe("serveCommands", () => {
  it("offers the pinned SemVer, then the followed stage, then each alias", () => {
    const found = serveCommands("fraud", "detector", "1.2.0", "PRODUCTION", ["champion", "blue"]);
    expect(found.map((c) => [c.kind, c.command])).toEqual([
      ["version", "modelreg serve-model fraud/detector@1.2.0 --port 5001"],
      ["stage", "modelreg serve-model fraud/detector@Production --port 5001"],
      ["alias", "modelreg serve-model fraud/detector@champion --port 5001"],
      ["alias", "modelreg serve-model fraud/detector@blue --port 5001"],
    ]);
    expect(found[0]?.explanation).toContain("always serves 1.2.0");
    expect(found[1]?.explanation).toContain("Follows Production");
    expect(found[2]?.explanation).toContain("Follows @champion");
  });

  it("offers no stage for None or Archived (they cannot be followed)", () => {
    expect(serveCommands("p", "m", "1.0.0", "NONE", []).map((c) => c.kind)).toEqual(["version"]);
    expect(serveCommands("p", "m", "1.0.0", "ARCHIVED", ["old"]).map((c) => c.kind)).toEqual(["version", "alias"]);
    expect(serveCommands("p", "m", "1.0.0", "STAGING", [])[1]?.reference).toBe("Staging");
  });

  it("keeps a project path with folders and quotes what the shell would split", () => {
    expect(serveCommand("team/fraud", "detector", "1.0.0+build.1")).toBe(
      "modelreg serve-model team/fraud/detector@1.0.0+build.1 --port 5001",
    );
    expect(serveCommand("p", "my model", "x")).toBe("modelreg serve-model 'p/my model@x' --port 5001");
  });
});

describe("followingPhrase", () => {
  it("says pinned for a SemVer, following for a stage or an alias", () => {
    expect(followingPhrase("fraud/detector@1.2.0")).toBe("pinned");
    expect(followingPhrase("fraud/detector@Production")).toBe("following Production");
    expect(followingPhrase("fraud/detector@champion")).toBe("following @champion");
    expect(followingPhrase("nothing")).toBeNull();
  });
});

describe("deployment events in the activity", () => {
  const payload = { version: "1.2.0", endpoint: "http://host:5001", reference: "fraud/detector@champion" };

  it("reads a start with where and what it follows", () => {
    expect(describeEvent({ type: "version.deployment_started", actor: "alice", payload: { ...payload, role: "primary" } })).toBe(
      "alice started serving 1.2.0 at http://host:5001 (following @champion)",
    );
  });

  it("names a canary's alias, and a pinned server", () => {
    expect(
      describeEvent({
        type: "version.deployment_started",
        actor: "bob",
        payload: { ...payload, reference: "fraud/detector@1.2.0", role: "challenger" },
      }),
    ).toBe("bob started serving 1.2.0 at http://host:5001 (pinned, canary for @challenger)");
  });

  it("reads a stop", () => {
    expect(describeEvent({ type: "version.deployment_stopped", actor: "alice", payload })).toBe(
      "alice stopped serving 1.2.0 at http://host:5001",
    );
  });
});
