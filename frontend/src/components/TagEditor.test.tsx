import { MantineProvider } from "@mantine/core";
import { fireEvent, render, renderHook, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { Client, fetchExchange, Provider as UrqlProvider } from "urql";
import { afterEach, describe, expect, it, vi } from "vitest";

import { DeleteModelTagsMutation, SetModelTagsMutation } from "../graphql/models";
import { TagEditor, TagsField, useTagMutations } from "./TagEditor";

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

  it("shows a tag without a value as its key alone, not `pii:`", () => {
    renderEditor({ tags: [{ key: "pii", value: "" }, { key: "team", value: "growth" }], onSet: vi.fn(), onDelete: vi.fn() });
    const badges = screen.getByLabelText("Tags").textContent ?? "";
    expect(badges).toContain("pii");
    expect(badges).not.toContain("pii:");
    expect(badges).toContain("team: growth");
  });
});

describe("TagsField", () => {
  it("shows the tags typed so far, how to type one, and the API's message", () => {
    render(
      <MantineProvider>
        <TagsField value={["team=growth", "pii"]} onChange={vi.fn()} error="Tag key is too long." />
      </MantineProvider>,
    );
    expect(screen.getByRole("combobox", { name: "Tags" })).toBeTruthy();
    expect(screen.getByText("key=value, then Enter")).toBeTruthy();
    expect(screen.getByText("team=growth")).toBeTruthy();
    expect(screen.getByText("pii")).toBeTruthy();
    expect(screen.getByText("Tag key is too long.")).toBeTruthy();
  });
});

describe("useTagMutations", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("sets and deletes one tag of the given thing, answering the payload's refusals", async () => {
    const fetchMock = vi.fn<typeof fetch>();
    vi.stubGlobal("fetch", fetchMock);
    const answer = (body: unknown) =>
      new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
    const refusal = { code: "INVALID_ARGUMENT", field: "tags", message: "Tag key is too long." };
    fetchMock
      .mockResolvedValueOnce(answer({ data: { setModelTags: { model: null, errors: [refusal] } } }))
      .mockResolvedValueOnce(answer({ data: { deleteModelTags: { model: { id: "M1", tags: [] }, errors: [] } } }));
    const client = new Client({ url: "http://registry.test/graphql", exchanges: [fetchExchange] });
    const wrapper = ({ children }: { children: ReactNode }) => <UrqlProvider value={client}>{children}</UrqlProvider>;
    const { result } = renderHook(
      () =>
        useTagMutations(SetModelTagsMutation, (d) => d.setModelTags, DeleteModelTagsMutation, (d) => d.deleteModelTags),
      { wrapper },
    );
    const editing = result.current("M1");

    expect(await editing.onSet({ key: "team", value: "growth" })).toEqual([refusal]);
    expect(await editing.onDelete("team")).toEqual([]);
    const bodies = fetchMock.mock.calls.map((call) => JSON.parse(String(call[1]?.body)) as { variables: unknown });
    expect(bodies.map((b) => b.variables)).toEqual([
      { input: { id: "M1", tags: [{ key: "team", value: "growth" }] } },
      { input: { id: "M1", keys: ["team"] } },
    ]);
  });
});
