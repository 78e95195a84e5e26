import { describe, expect, it } from "vitest";
import { urls } from "./urls";

describe("urls", () => {
  it("builds human URLs and escapes names", () => {
    expect(urls.version("demo", "churn model", "2.0.1-rc2+b.1")).toBe(
      "/projects/demo/models/churn%20model/versions/2.0.1-rc2%2Bb.1",
    );
    expect(urls.newVersion("demo", "churn")).toBe("/projects/demo/models/churn/versions/new");
  });
});
