import { describe, expect, it } from "vitest";

import { findConflicts, planUploads, relativePathOf, resolveConflicts } from "./folderUpload";

/** A File as the browser or the drop zone hands it over, with the path properties they set. */
function file(name: string, props: { relativePath?: string; path?: string; webkitRelativePath?: string } = {}): File {
  const f = new File(["x"], name);
  for (const [key, value] of Object.entries(props)) Object.defineProperty(f, key, { value });
  return f;
}

describe("relativePathOf", () => {
  it("keeps the folders of a file from a dropped folder (file-selector's fullPath)", () => {
    expect(relativePathOf(file("params.json", { relativePath: "/model-dir/config/params.json" }))).toBe(
      "model-dir/config/params.json",
    );
    expect(relativePathOf(file("params.json", { path: "/model-dir/config/params.json" }))).toBe(
      "model-dir/config/params.json",
    );
  });

  it("keeps the folders of a file from a folder picker (webkitRelativePath)", () => {
    expect(relativePathOf(file("config.yaml", { webkitRelativePath: "model-dir/a/config.yaml" }))).toBe(
      "model-dir/a/config.yaml",
    );
  });

  it("gives a loose file its name", () => {
    expect(relativePathOf(file("model.pkl", { relativePath: "./model.pkl" }))).toBe("model.pkl");
    expect(relativePathOf(file("model.pkl", { path: "/model.pkl" }))).toBe("model.pkl");
    expect(relativePathOf(file("model.pkl"))).toBe("model.pkl");
  });

  it("turns backslashes and empty segments into plain '/' paths", () => {
    expect(relativePathOf(file("b.txt", { webkitRelativePath: "dir\\\\a//b.txt" }))).toBe("dir/a/b.txt");
  });
});

describe("planUploads", () => {
  it("puts a nested folder under the subfolder, so same-named files stay apart", () => {
    const planned = planUploads(
      [
        file("config.yaml", { webkitRelativePath: "model-dir/a/config.yaml" }),
        file("config.yaml", { webkitRelativePath: "model-dir/b/config.yaml" }),
        file("params.json", { webkitRelativePath: "model-dir/config/params.json" }),
        file(".DS_Store", { webkitRelativePath: "model-dir/.DS_Store" }),
      ],
      "weights/",
    );
    expect(planned.map((p) => p.path)).toEqual([
      "weights/model-dir/a/config.yaml",
      "weights/model-dir/b/config.yaml",
      "weights/model-dir/config/params.json",
    ]);
  });
});

describe("conflicts", () => {
  const a1 = { file: file("config.yaml"), path: "config.yaml" };
  const a2 = { file: file("config.yaml"), path: "config.yaml" };
  const b = { file: file("model.pkl"), path: "model.pkl" };
  const c = { file: file("new.txt"), path: "new.txt" };

  it("finds paths the version has and paths chosen twice", () => {
    expect(findConflicts([a1, a2, b, c], ["model.pkl", "other"])).toEqual({
      existing: ["model.pkl"],
      duplicated: ["config.yaml"],
    });
    expect(findConflicts([c], ["model.pkl"])).toEqual({ existing: [], duplicated: [] });
  });

  it("replace sends each path once, the last file chosen for a shared path", () => {
    const conflicts = findConflicts([a1, a2, b, c], ["model.pkl"]);
    const sent = resolveConflicts([a1, a2, b, c], conflicts, "replace");
    expect(sent).toEqual([a2, b, c]);
    expect(sent[0]?.file).toBe(a2.file);
  });

  it("skip sends only the files without a conflict", () => {
    const conflicts = findConflicts([a1, a2, b, c], ["model.pkl"]);
    expect(resolveConflicts([a1, a2, b, c], conflicts, "skip")).toEqual([c]);
  });
});
