import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { TagEditor } from "./TagEditor";

function renderEditor(props: Parameters<typeof TagEditor>[0]) {
  return render(
    <MantineProvider>
      <TagEditor {...props} />
    </MantineProvider>,
  );
}

describe("TagEditor", () => {
  it("sets a tag and clears the inputs when the API accepts it", async () => {
    const onSet = vi.fn().mockResolvedValue([]);
    renderEditor({ tags: [], onSet, onDelete: vi.fn() });
    expect(screen.getByText(/No tags yet/)).toBeTruthy();
    const button = screen.getByRole("button", { name: "Set tag" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);

    fireEvent.change(screen.getByLabelText("Tag key"), { target: { value: " team " } });
    fireEvent.change(screen.getByLabelText("Tag value"), { target: { value: "growth" } });
    fireEvent.click(button);

    await waitFor(() => expect(onSet).toHaveBeenCalledWith({ key: "team", value: "growth" }));
    await waitFor(() => expect((screen.getByLabelText("Tag key") as HTMLInputElement).value).toBe(""));
  });

  it("keeps the inputs and shows the API's message when it refuses", async () => {
    const onSet = vi
      .fn()
      .mockResolvedValue([{ code: "INVALID_ARGUMENT", field: "tags", message: "Tag key is too long." }]);
    renderEditor({ tags: [], onSet, onDelete: vi.fn() });
    fireEvent.change(screen.getByLabelText("Tag key"), { target: { value: "k" } });
    fireEvent.click(screen.getByRole("button", { name: "Set tag" }));
    expect(await screen.findByRole("alert")).toHaveProperty("textContent", "Tag key is too long.");
    expect((screen.getByLabelText("Tag key") as HTMLInputElement).value).toBe("k");
  });

  it("removes a tag by key", async () => {
    const onDelete = vi.fn().mockResolvedValue([]);
    renderEditor({ tags: [{ key: "team", value: "growth" }], onSet: vi.fn(), onDelete });
    expect(screen.getByText("team: growth")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Remove tag team" }));
    await waitFor(() => expect(onDelete).toHaveBeenCalledWith("team"));
  });

  it("only shows the tags to a viewer who may not edit them", () => {
    renderEditor({ tags: [{ key: "team", value: "growth" }], onSet: vi.fn(), onDelete: vi.fn(), editable: false });
    expect(screen.getByText("team: growth")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Remove tag team" })).toBeNull();
    expect(screen.queryByLabelText("Tag key")).toBeNull();
    expect(screen.queryByRole("button", { name: "Set tag" })).toBeNull();
  });
});
