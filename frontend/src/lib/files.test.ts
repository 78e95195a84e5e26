import { describe, expect, it } from "vitest";

import {
  buildFileTree,
  fileApiUrl,
  filePathsUnder,
  folderProblem,
  formatBytes,
  MAX_FILE_SIZE,
  mlmodelPath,
  normalizeFolder,
  shortSha,
  uploadPath,
  versionApiBase,
  visibleRows,
  type FolderNode,
  type TreeFile,
  type TreeNode,
} from "./files";

function outline(folder: FolderNode<TreeFile>): unknown[] {
  return folder.children.map((c: TreeNode<TreeFile>) =>
    c.kind === "folder" ? { [`${c.name}/ (${c.fileCount}, ${c.size})`]: outline(c) } : `${c.name} ${c.file.size}`,
  );
}

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1, "1 B"],
    [1023, "1023 B"],
    [1024, "1 KB"],
    [1536, "1.5 KB"],
    [1.5 * 1024 * 1024, "1.5 MB"],
    [10 * 1024 * 1024 + 1, "10 MB"],
    [123.4 * 1024 * 1024, "123 MB"],
    [1024 * 1024 - 1, "1 MB"],
    [MAX_FILE_SIZE, "5 GB"],
    [3 * 1024 ** 4, "3 TB"],
  ])("%d bytes → %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("shows a dash for nonsense", () => {
    expect(formatBytes(-1)).toBe("—");
    expect(formatBytes(Number.NaN)).toBe("—");
  });
});

describe("buildFileTree", () => {
  const files = [
    { path: "model.pkl", size: 100 },
    { path: "config/params.json", size: 10 },
    { path: "README.md", size: 5 },
    { path: "config/nested/deep.yaml", size: 1 },
    { path: "config/file10.txt", size: 2 },
    { path: "config/file2.txt", size: 3 },
    { path: "assets/logo.png", size: 7 },
  ];

  it("puts folders first, then files, by name, with sizes and counts", () => {
    const root = buildFileTree(files);
    expect(root.fileCount).toBe(7);
    expect(root.size).toBe(128);
    expect(outline(root)).toEqual([
      { "assets/ (1, 7)": ["logo.png 7"] },
      {
        "config/ (4, 16)": [{ "nested/ (1, 1)": ["deep.yaml 1"] }, "file2.txt 3", "file10.txt 2", "params.json 10"],
      },
      "model.pkl 100",
      "README.md 5",
    ]);
  });

  it("keeps the full path and the file on each leaf", () => {
    const root = buildFileTree(files);
    const config = root.children[1];
    expect(config?.kind === "folder" && config.path).toBe("config");
    expect(config && filePathsUnder(config)).toEqual([
      "config/nested/deep.yaml",
      "config/file2.txt",
      "config/file10.txt",
      "config/params.json",
    ]);
  });

  it("is empty for no files", () => {
    expect(buildFileTree([])).toEqual({ kind: "folder", name: "", path: "", children: [], size: 0, fileCount: 0 });
  });

  it("lists visible rows with their depth, skipping collapsed folders", () => {
    const root = buildFileTree(files);
    const show = (collapsed: string[]) =>
      visibleRows(root, new Set(collapsed)).map((r) => `${"  ".repeat(r.depth)}${r.node.name}`);
    expect(show([])).toEqual([
      "assets",
      "  logo.png",
      "config",
      "  nested",
      "    deep.yaml",
      "  file2.txt",
      "  file10.txt",
      "  params.json",
      "model.pkl",
      "README.md",
    ]);
    expect(show(["config", "assets"])).toEqual(["assets", "config", "model.pkl", "README.md"]);
    expect(show(["config/nested"])).toContain("  nested");
    expect(show(["config/nested"])).not.toContain("    deep.yaml");
  });
});

describe("folders and paths", () => {
  it("tidies slashes and spaces", () => {
    expect(normalizeFolder(" /config/ ")).toBe("config");
    expect(normalizeFolder("a/b")).toBe("a/b");
    expect(uploadPath("config/", "params.json")).toBe("config/params.json");
    expect(uploadPath("", "model.pkl")).toBe("model.pkl");
  });

  it.each([
    ["", null],
    ["config", null],
    ["a/b/c", null],
    ["/config/", null],
    ["a//b", "Folder names must not be empty ('//')."],
    ["../etc", "'.' and '..' are not folder names."],
    ["a/./b", "'.' and '..' are not folder names."],
    ["a\\b", "Separate folders with '/', not '\\'."],
    ["a /b", "Remove the spaces around folder names."],
  ])("folderProblem(%j)", (text, problem) => {
    expect(folderProblem(text)).toBe(problem);
  });

  it("builds API URLs, encoding each segment but keeping the slashes", () => {
    const base = versionApiBase("demo", "churn model", "1.0.0+build.1");
    expect(base).toBe("/api/v1/projects/demo/models/churn%20model/versions/1.0.0%2Bbuild.1");
    expect(fileApiUrl(base, "config/my params#1.json")).toBe(`${base}/files/config/my%20params%231.json`);
  });

  it("shortens a sha256", () => {
    expect(shortSha("a".repeat(64))).toBe("aaaaaaaaaaaa");
  });
});

describe("mlmodelPath", () => {
  it("finds the shallowest MLmodel among the attached files", () => {
    expect(mlmodelPath(["model.pkl", "conda.yaml"])).toBeNull();
    expect(mlmodelPath(["model/data/MLmodel", "model/MLmodel", "README.md"])).toBe("model/MLmodel");
    expect(mlmodelPath(["b/MLmodel", "MLmodel", "a/MLmodel"])).toBe("MLmodel");
    expect(mlmodelPath(["b/MLmodel", "a/MLmodel"])).toBe("a/MLmodel");
    expect(mlmodelPath(["MLmodel.bak", "notMLmodel", "x/MLmodel.yaml"])).toBeNull();
  });
});
