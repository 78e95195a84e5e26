import { describe, expect, it } from "vitest";
import { versionProblem } from "./semver";

describe("versionProblem", () => {
  it.each(["1.0.0", "2.0.1-rc2", "10.0.0", "1.0.0-alpha.1+build.5"])("accepts %s", (v) => {
    expect(versionProblem(v, "2.1.0")).toBeNull();
  });

  it.each(["1.0", "01.2.3", "1.2.3-", "latest", "1.2.3.4"])("refuses %s naming the latest", (v) => {
    expect(versionProblem(v, "2.1.0")).toBe(
      "Must be a semantic version (MAJOR.MINOR.PATCH) — latest is 2.1.0",
    );
  });

  it("explains a leading v", () => {
    expect(versionProblem("v1.2.3", null)).toBe(
      "Must be a semantic version without the leading 'v' such as 1.0.0 or 2.0.1-rc2",
    );
  });

  it("asks for a value and for no surrounding spaces", () => {
    expect(versionProblem("", null)).toBe("Enter a version such as 1.0.0.");
    expect(versionProblem(" 1.0.0", null)).toBe("Remove the spaces around the version.");
  });
});
