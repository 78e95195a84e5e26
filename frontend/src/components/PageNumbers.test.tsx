import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { PageNumbers } from "./PageNumbers";

const show = (page: number, total: number, onChange = vi.fn()) => {
  render(
    <MantineProvider>
      <PageNumbers page={page} total={total} size={20} noun="model" onChange={onChange} />
    </MantineProvider>,
  );
  return onChange;
};

describe("PageNumbers", () => {
  it("says which page of how many, and how many items", () => {
    show(2, 45);
    expect(screen.getByTestId("page-position").textContent).toBe("Page 2 of 3 · 45 models");
    expect(screen.getByRole("button", { name: "Page 2" }).getAttribute("aria-current")).toBe("page");
  });

  it("asks for the page pressed, and the next one", () => {
    const onChange = show(2, 45);
    fireEvent.click(screen.getByRole("button", { name: "Page 3" }));
    expect(onChange).toHaveBeenLastCalledWith(3);
    fireEvent.click(screen.getByRole("button", { name: "Previous page" }));
    expect(onChange).toHaveBeenLastCalledWith(1);
  });

  it("has no buttons for a single page", () => {
    show(1, 1);
    expect(screen.getByTestId("page-position").textContent).toBe("Page 1 of 1 · 1 model");
    expect(screen.queryByRole("button")).toBeNull();
  });
});
