import { fireEvent, render, screen } from "@testing-library/react";
import { createMemoryRouter, RouterProvider, useLocation } from "react-router";
import { describe, expect, it } from "vitest";

import { useCursorStack } from "./useCursorStack";

function Pages() {
  const [cursors, setCursors] = useCursorStack();
  const location = useLocation();
  const last = cursors[cursors.length - 1];
  return (
    <div>
      <p data-testid="page">{`page ${cursors.length} after ${last ?? "start"}`}</p>
      <p data-testid="search">{location.search}</p>
      <button onClick={() => setCursors([...cursors, `c${cursors.length}`])}>Next</button>
      <button onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
    </div>
  );
}

function renderAt(url: string) {
  const router = createMemoryRouter([{ path: "/list", element: <Pages /> }], { initialEntries: [url] });
  render(<RouterProvider router={router} />);
  return router;
}

describe("useCursorStack", () => {
  it("keeps the pages walked in the URL, with the other parameters", () => {
    renderAt("/list?q=churn");
    expect(screen.getByTestId("page").textContent).toBe("page 1 after start");
    fireEvent.click(screen.getByText("Next"));
    fireEvent.click(screen.getByText("Next"));
    expect(screen.getByTestId("page").textContent).toBe("page 3 after c2");
    expect(screen.getByTestId("search").textContent).toBe("?q=churn&after=c1&after=c2");
    fireEvent.click(screen.getByText("Previous"));
    expect(screen.getByTestId("search").textContent).toBe("?q=churn&after=c1");
  });

  it("opens the page a URL names (a reload, or a link someone shared)", () => {
    renderAt("/list?after=c1&after=c2");
    expect(screen.getByTestId("page").textContent).toBe("page 3 after c2");
    fireEvent.click(screen.getByText("Previous"));
    fireEvent.click(screen.getByText("Previous"));
    expect(screen.getByTestId("search").textContent).toBe("");
  });

  it("goes back a page with the browser's Back", async () => {
    const router = renderAt("/list");
    fireEvent.click(screen.getByText("Next"));
    expect(screen.getByTestId("page").textContent).toBe("page 2 after c1");
    await router.navigate(-1);
    expect(await screen.findByText("page 1 after start")).toBeTruthy();
  });
});
