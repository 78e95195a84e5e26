import { MantineProvider } from "@mantine/core";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { FileUpload, type FileUploadProps } from "./FileUpload";

/** Records the requests FileUpload makes; each test answers them by hand. */
class FakeXhr {
  static sent: FakeXhr[] = [];
  method = "";
  url = "";
  body: Document | XMLHttpRequestBodyInit | null = null;
  status = 0;
  responseText = "";
  aborted = false;
  headers: Record<string, string> = {};
  upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: Document | XMLHttpRequestBodyInit | null) {
    this.body = body;
    FakeXhr.sent.push(this);
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    act(() => this.onload?.());
  }
}

beforeEach(() => {
  FakeXhr.sent = [];
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
});
afterEach(() => vi.unstubAllGlobals());

const BASE = "/api/v1/projects/demo/models/churn/versions/1.0.0";

function renderUpload(props: Partial<FileUploadProps> = {}) {
  return render(
    <MantineProvider>
      <FileUpload target={BASE} {...props} />
    </MantineProvider>,
  );
}

function choose(...files: File[]) {
  const input = screen.getByTestId("file-input");
  fireEvent.change(input, { target: { files } });
}

const bytes = (name: string, size: number) => new File([new Uint8Array(size)], name);

describe("FileUpload", () => {
  it("refuses a file over maxFileSize without sending it, and sends the rest", async () => {
    renderUpload({ maxFileSize: 100 });
    choose(bytes("huge.bin", 101), bytes("small.bin", 100));
    expect(await screen.findByText("101 B is over the 100 B limit per file; it was not sent.")).toBeTruthy();
    expect(screen.getByText("Too large")).toBeTruthy();
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(1));
    expect(FakeXhr.sent[0]?.method).toBe("PUT");
    expect(FakeXhr.sent[0]?.url).toBe(`${BASE}/files/small.bin`);
  });

  it("puts files into the subfolder, shows progress, then the outcome of each", async () => {
    const onSettled = vi.fn();
    renderUpload({ onSettled });
    fireEvent.change(screen.getByLabelText("Subfolder"), { target: { value: "config/" } });
    choose(bytes("params.json", 200), bytes("bad name.txt", 10));
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(2));
    const [good, bad] = FakeXhr.sent;
    expect(good?.url).toBe(`${BASE}/files/config/params.json`);
    expect(bad?.url).toBe(`${BASE}/files/config/bad%20name.txt`);

    act(() => good?.upload.onprogress?.({ loaded: 50 }));
    expect(screen.getByText("25%")).toBeTruthy();
    expect(screen.getByRole("progressbar", { name: "Upload of config/params.json" })).toBeTruthy();

    good?.answer(201, { path: "config/params.json", size: 200 });
    expect(onSettled).not.toHaveBeenCalled();
    bad?.answer(400, { error: { code: "INVALID_ARGUMENT", message: "That path is not allowed." } });
    expect(screen.getByText("Uploaded")).toBeTruthy();
    expect(screen.getByText("That path is not allowed.")).toBeTruthy();
    expect(screen.getByText("1 uploaded, 1 failed")).toBeTruthy();
    expect(onSettled).toHaveBeenCalledTimes(1);
    expect(onSettled.mock.calls[0]?.[0].map((i: { status: string }) => i.status)).toEqual(["done", "failed"]);
  });

  it("echoes the CSRF cookie in the X-CSRF-Token header when signed in", async () => {
    document.cookie = "modelreg_csrf=token-123; path=/";
    try {
      renderUpload();
      choose(bytes("model.pkl", 10));
      await waitFor(() => expect(FakeXhr.sent).toHaveLength(1));
      expect(FakeXhr.sent[0]?.headers).toEqual({ "X-CSRF-Token": "token-123" });
    } finally {
      document.cookie = "modelreg_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
    }
  });

  it("sends no CSRF header when not signed in", async () => {
    renderUpload();
    choose(bytes("model.pkl", 10));
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(1));
    expect(FakeXhr.sent[0]?.headers).toEqual({});
  });

  it("cancels an upload on its way with xhr.abort()", async () => {
    renderUpload();
    choose(bytes("model.pkl", 1000));
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(1));
    fireEvent.click(screen.getByRole("button", { name: "Cancel upload of model.pkl" }));
    expect(FakeXhr.sent[0]?.aborted).toBe(true);
    expect(screen.getByText("Cancelled")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Retry upload of model.pkl" }));
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(2));
  });

  it("holds files until the version exists, then sends them", async () => {
    const onQueuedChange = vi.fn();
    const { rerender } = renderUpload({ target: null, onQueuedChange });
    choose(bytes("a.bin", 1), bytes("b.bin", 1));
    expect(await screen.findByText("2 files to upload once the version is created")).toBeTruthy();
    // The count is reported from an effect, which may run after the list has rendered.
    await waitFor(() => expect(onQueuedChange).toHaveBeenLastCalledWith(2));
    expect(FakeXhr.sent).toHaveLength(0);
    fireEvent.click(screen.getByRole("button", { name: "Cancel upload of b.bin" }));
    await waitFor(() => expect(onQueuedChange).toHaveBeenLastCalledWith(1));
    rerender(
      <MantineProvider>
        <FileUpload target={BASE} onQueuedChange={onQueuedChange} />
      </MantineProvider>,
    );
    await waitFor(() => expect(FakeXhr.sent.map((x) => x.url)).toEqual([`${BASE}/files/a.bin`]));
  });

  it("explains a subfolder it cannot use", () => {
    renderUpload();
    fireEvent.change(screen.getByLabelText("Subfolder"), { target: { value: "../up" } });
    expect(screen.getByText("'.' and '..' are not folder names.")).toBeTruthy();
  });

  it("keeps the folders of a picked folder, so same-named files stay apart", async () => {
    renderUpload();
    fireEvent.change(screen.getByLabelText("Subfolder"), { target: { value: "weights" } });
    expect(screen.getByTestId("folder-input").hasAttribute("webkitdirectory")).toBe(true);
    pickFolder(
      inFolder("model-dir/a/config.yaml"),
      inFolder("model-dir/b/config.yaml"),
      inFolder("model-dir/config/params.json"),
    );
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(3));
    expect(FakeXhr.sent.map((x) => x.url)).toEqual([
      `${BASE}/files/weights/model-dir/a/config.yaml`,
      `${BASE}/files/weights/model-dir/b/config.yaml`,
      `${BASE}/files/weights/model-dir/config/params.json`,
    ]);
  });

  it("asks before replacing a file the version has: Cancel sends nothing, Skip the rest, Replace all", async () => {
    renderUpload({ existingPaths: ["model-dir/a/config.yaml", "README.md"] });
    const folder = () => [inFolder("model-dir/a/config.yaml"), inFolder("model-dir/notes.txt")];

    pickFolder(...folder());
    let dialog = await screen.findByRole("dialog", { name: "Replace 1 file?" });
    expect(within(dialog).getByRole("list", { name: "Paths already in the version" }).textContent).toBe(
      "model-dir/a/config.yaml",
    );
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(FakeXhr.sent).toHaveLength(0);

    pickFolder(...folder());
    dialog = await screen.findByRole("dialog", { name: "Replace 1 file?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Skip" }));
    await waitFor(() => expect(FakeXhr.sent.map((x) => x.url)).toEqual([`${BASE}/files/model-dir/notes.txt`]));
    FakeXhr.sent[0]?.answer(201, {});

    // notes.txt is now uploaded too: picking the folder again asks about both.
    pickFolder(...folder());
    dialog = await screen.findByRole("dialog", { name: "Replace 2 files?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Replace" }));
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(3));
    expect(FakeXhr.sent.slice(1).map((x) => x.url)).toEqual([
      `${BASE}/files/model-dir/a/config.yaml`,
      `${BASE}/files/model-dir/notes.txt`,
    ]);
  });

  it("asks when two chosen files share a path; Replace sends the last one once", async () => {
    renderUpload();
    const first = bytes("config.yaml", 1);
    const second = bytes("config.yaml", 2);
    choose(first, second, bytes("other.txt", 1));
    const dialog = await screen.findByRole("dialog", { name: "Replace 1 file?" });
    expect(within(dialog).getByRole("list", { name: "Paths chosen more than once" }).textContent).toBe("config.yaml");
    expect(FakeXhr.sent).toHaveLength(0);
    fireEvent.click(within(dialog).getByRole("button", { name: "Replace" }));
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(2));
    expect(FakeXhr.sent.map((x) => x.url)).toEqual([`${BASE}/files/config.yaml`, `${BASE}/files/other.txt`]);
    expect(FakeXhr.sent[0]?.body).toBe(second);
  });
});

/** A file of a picked folder, as `<input webkitdirectory>` hands it over. */
function inFolder(path: string): File {
  const f = new File(["x"], path.split("/").pop() ?? path);
  Object.defineProperty(f, "webkitRelativePath", { value: path });
  return f;
}

function pickFolder(...files: File[]) {
  fireEvent.change(screen.getByTestId("folder-input"), { target: { files } });
}
