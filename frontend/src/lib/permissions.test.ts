import { describe, expect, it } from "vitest";

import { defaultTarget, permissionFor, stageButton, transitionChoices, type TransitionTargetLike } from "./permissions";

const perms = [
  { ability: "READ" as const, allowed: true, reason: null },
  { ability: "EDIT" as const, allowed: false, reason: "To edit you need the REPORTER role or higher." },
  { ability: "COMMENT" as const, allowed: false, reason: null },
];

describe("permissionFor", () => {
  it("looks the ability up and carries the server's reason", () => {
    expect(permissionFor(perms, "READ")).toEqual({ allowed: true, reason: null });
    expect(permissionFor(perms, "EDIT")).toEqual({
      allowed: false,
      reason: "To edit you need the REPORTER role or higher.",
    });
  });

  it("never allows what the server did not answer, and always has a reason", () => {
    expect(permissionFor(perms, "COMMENT")).toEqual({ allowed: false, reason: "You may not do this here." });
    expect(permissionFor(perms, "MANAGE_MEMBERS").allowed).toBe(false);
    expect(permissionFor(undefined, "READ").allowed).toBe(false);
    expect(permissionFor(undefined, "READ").reason).toMatch(/Reload/);
  });
});

const reporter: TransitionTargetLike[] = [
  {
    stage: "STAGING",
    transition: { allowed: false, reason: "To transition stage (Staging) you need the DEVELOPER role." },
    request: { allowed: true, reason: null },
  },
  {
    stage: "PRODUCTION",
    transition: { allowed: false, reason: "To transition stage (Production) you need the MAINTAINER role." },
    request: { allowed: true, reason: null },
  },
  {
    stage: "ARCHIVED",
    transition: { allowed: false, reason: "no" },
    request: { allowed: true, reason: null },
  },
];

const developer: TransitionTargetLike[] = [
  { stage: "STAGING", transition: { allowed: true }, request: { allowed: true } },
  {
    stage: "PRODUCTION",
    transition: {
      allowed: false,
      reason: "To transition stage (Production) you need the MAINTAINER role.",
      requiredRole: "MAINTAINER",
    },
    request: { allowed: true },
  },
];

const guest: TransitionTargetLike[] = [
  {
    stage: "STAGING",
    transition: { allowed: false, reason: "To transition stage you need the DEVELOPER role." },
    request: { allowed: false, reason: "To request transition you need the REPORTER role." },
  },
];

describe("transitionChoices", () => {
  it("offers a request where only a request is allowed, with the reason a transition is not", () => {
    const choices = transitionChoices(reporter);
    expect(choices.map((c) => c.mode)).toEqual(["request", "request", "request"]);
    expect(choices[1]?.reason).toMatch(/MAINTAINER/);
    expect(stageButton(choices)).toEqual({ label: "Request transition", verdict: { allowed: true, reason: null } });
  });

  it("offers a direct transition where allowed and a request elsewhere", () => {
    const choices = transitionChoices(developer);
    expect(choices).toEqual([
      { stage: "STAGING", mode: "transition", reason: null },
      {
        stage: "PRODUCTION",
        mode: "request",
        reason: "To transition stage (Production) you need the MAINTAINER role.",
        approverRole: "MAINTAINER",
      },
    ]);
    expect(stageButton(choices).label).toBe("Change stage");
  });

  it("offers nothing when neither is allowed, and says why", () => {
    const choices = transitionChoices(guest);
    expect(choices[0]).toEqual({ stage: "STAGING", mode: null, reason: "To request transition you need the REPORTER role." });
    expect(stageButton(choices).verdict).toEqual({ allowed: false, reason: "To request transition you need the REPORTER role." });
    expect(defaultTarget(choices)).toBeNull();
    expect(stageButton([]).verdict.allowed).toBe(false);
  });
});

describe("defaultTarget", () => {
  it("prefers Production when offered, else the first stage offered", () => {
    expect(defaultTarget(transitionChoices(developer))).toBe("PRODUCTION");
    expect(defaultTarget(transitionChoices(developer), "ARCHIVED")).toBe("STAGING");
    expect(defaultTarget(transitionChoices(reporter).filter((c) => c.stage !== "PRODUCTION"))).toBe("STAGING");
  });
});
