import { describe, expect, it } from "vitest";

import { roleLabel, ROLES, sortMembers, visibilityLabel } from "./roles";

describe("roles", () => {
  it("lists the roles lowest first with a label each", () => {
    expect(ROLES.map((r) => r.value)).toEqual(["GUEST", "REPORTER", "DEVELOPER", "MAINTAINER", "OWNER"]);
    expect(roleLabel("MAINTAINER")).toBe("Maintainer");
    expect(roleLabel(null)).toBe("Not a member");
    expect(visibilityLabel("INTERNAL")).toBe("Internal");
  });

  it("sorts members by role, highest first, then by name", () => {
    const m = (username: string, role: (typeof ROLES)[number]["value"]) => ({ role, user: { username } });
    expect(
      sortMembers([m("zed", "REPORTER"), m("amy", "OWNER"), m("bob", "REPORTER"), m("cy", "GUEST")]).map(
        (x) => x.user.username,
      ),
    ).toEqual(["amy", "bob", "zed", "cy"]);
  });
});
