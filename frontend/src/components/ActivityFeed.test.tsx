import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { ActivityFeed, type FeedEvent } from "./ActivityFeed";

const upload = (id: string, at: string, path: string): FeedEvent => ({
  id,
  type: "version.file_uploaded",
  actor: "alice",
  createdAt: `2026-12-03T10:${at}Z`,
  payload: { version: "1.0.0", path },
});

describe("ActivityFeed", () => {
  it("shows an upload batch as one entry whose files expand, and a reason under its entry", async () => {
    const events: FeedEvent[] = [
      {
        id: "9",
        type: "version.transition_rejected",
        actor: "mia",
        createdAt: "2026-12-03T10:05:00Z",
        payload: { version: "1.0.0", to: "PRODUCTION", requester: "rita", comment: "needs a holdout set" },
      },
      upload("3", "02:00", "c.txt"),
      upload("2", "01:00", "b.txt"),
      upload("1", "00:30", "a.txt"),
    ];
    render(
      <MantineProvider>
        <ActivityFeed load={async () => ({ events, hasNextPage: false, endCursor: null })} />
      </MantineProvider>,
    );
    const items = await screen.findAllByTestId("activity-item");
    expect(items).toHaveLength(2);
    const [rejection, batch] = items;
    expect(rejection?.textContent).toContain("mia rejected rita's request to move 1.0.0 to Production");
    expect(within(rejection as HTMLElement).getByTestId("activity-comment").textContent).toBe("needs a holdout set");
    expect(batch?.textContent).toContain("alice uploaded 3 files to 1.0.0");

    const toggle = within(batch as HTMLElement).getByRole("button", { name: "Show 3 files" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    const files = within(batch as HTMLElement).getByTestId("activity-details");
    await waitFor(() => expect(within(files).queryAllByRole("listitem")).toHaveLength(3));
    expect(within(files).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["a.txt", "b.txt", "c.txt"]);
  });

  it("is a feed of articles only, named by its label, with Load more outside it", async () => {
    const events = [upload("1", "00:30", "a.txt"), { ...upload("2", "09:00", "b.txt"), type: "version.created" }];
    render(
      <MantineProvider>
        <ActivityFeed label="Model activity" load={async () => ({ events, hasNextPage: true, endCursor: "c1" })} />
      </MantineProvider>,
    );
    const feed = await screen.findByRole("feed", { name: "Model activity" });
    const articles = within(feed).getAllByRole("article");
    expect(articles).toHaveLength(2);
    // Every child of the feed is an article (axe: aria-required-children), numbered in order.
    expect([...feed.children].map((c) => c.getAttribute("role"))).toEqual(["article", "article"]);
    expect(articles.map((a) => a.getAttribute("aria-posinset"))).toEqual(["1", "2"]);
    expect(articles[0]?.getAttribute("aria-setsize")).toBe("-1"); // more to load: size unknown
    expect(within(feed).queryByRole("button", { name: "Load more" })).toBeNull();
    expect(screen.getByRole("button", { name: "Load more" })).toBeTruthy();
  });
});
