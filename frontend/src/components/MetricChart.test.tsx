import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { MetricChart } from "./MetricChart";

function renderChart(points: { step: number; value: number | null }[]) {
  return render(
    <MantineProvider>
      <MetricChart metric="loss" points={points} />
    </MantineProvider>,
  );
}

function pathPoints(): number {
  const d = screen.getByRole("img").querySelector("path")?.getAttribute("d") ?? "";
  return (d.match(/[ML]/g) ?? []).length;
}

describe("MetricChart", () => {
  it("draws a line through every point with a value, and labels min and max", () => {
    renderChart([
      { step: 0, value: 0.9 },
      { step: 1, value: 0.5 },
      { step: 2, value: null },
      { step: 3, value: 0.25 },
    ]);
    expect(pathPoints()).toBe(3);
    expect(screen.getByRole("img").querySelectorAll("circle")).toHaveLength(3);
    expect(screen.getByTestId("chart-max").textContent).toBe("0.9");
    expect(screen.getByTestId("chart-min").textContent).toBe("0.25");
    expect(screen.getByRole("img").getAttribute("aria-label")).toContain("steps 0 to 3");
  });

  it("shows a single point", () => {
    renderChart([{ step: 5, value: 1 }]);
    expect(pathPoints()).toBe(1);
    // One label per axis, not a min and a max that are the same.
    expect(screen.getByTestId("chart-value").textContent).toBe("1");
    expect(screen.queryByTestId("chart-max")).toBeNull();
    expect(screen.getAllByText(/step 5/)).toHaveLength(2); // the axis label and the point's title
  });

  it("says so when there is nothing to chart", () => {
    renderChart([{ step: 0, value: null }]);
    expect(screen.queryByRole("img")).toBeNull();
    expect(screen.getByText(/No finite values/)).toBeTruthy();
  });
});
