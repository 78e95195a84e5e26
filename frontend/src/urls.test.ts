import { describe, expect, it } from "vitest";
import { compareVersionsParam, safeNext, urls } from "./urls";

describe("urls", () => {
  it("builds human URLs and escapes names", () => {
    expect(urls.version("demo", "churn model", "2.0.1-rc2+b.1")).toBe(
      "/projects/demo/models/churn%20model/versions/2.0.1-rc2%2Bb.1",
    );
    expect(urls.newVersion("demo", "churn")).toBe("/projects/demo/models/churn/versions/new");
    expect(urls.projectMembers("demo")).toBe("/projects/demo/settings/members");
    expect(urls.projectWebhooks("demo")).toBe("/projects/demo/settings/webhooks");
  });

  it("builds compare URLs whose versions read back in order", () => {
    const url = urls.compare("demo", "churn model", ["1.0.0", "1.1.0-rc.1+b.2", "2.0.0"]);
    expect(url).toBe("/projects/demo/models/churn%20model/compare?versions=1.0.0,1.1.0-rc.1%2Bb.2,2.0.0");
    const query = new URL(url, "http://x").searchParams.get("versions");
    expect(compareVersionsParam(query)).toEqual(["1.0.0", "1.1.0-rc.1+b.2", "2.0.0"]);
  });

  it("reads the compare versions leniently", () => {
    expect(compareVersionsParam(null)).toEqual([]);
    expect(compareVersionsParam("")).toEqual([]);
    expect(compareVersionsParam(" 1.0.0 ,,2.0.0, ")).toEqual(["1.0.0", "2.0.0"]);
    expect(compareVersionsParam("1.0.0,1.0.0")).toEqual(["1.0.0", "1.0.0"]);
  });

  it("remembers where to return after signing in", () => {
    expect(urls.signIn("/projects/demo?tab=versions")).toBe("/sign-in?next=%2Fprojects%2Fdemo%3Ftab%3Dversions");
    expect(urls.signIn("/")).toBe("/sign-in");
    expect(urls.signIn(null)).toBe("/sign-in");
  });
});

describe("safeNext", () => {
  it("keeps paths of this app", () => {
    expect(safeNext("/projects/demo")).toBe("/projects/demo");
    expect(safeNext("/-/user/tokens?x=1#y")).toBe("/-/user/tokens?x=1#y");
  });

  it("refuses other sites, odd schemes and the sign-in page", () => {
    for (const bad of [
      null,
      undefined,
      "",
      "projects/demo",
      "//evil.example/",
      "/\\evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      "/sign-in",
      "/sign-in?next=%2F",
      "/projects\n/x",
    ]) {
      expect(safeNext(bad)).toBe("/");
    }
  });
});
