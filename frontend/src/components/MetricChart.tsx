import { Text } from "@mantine/core";

import { chartGeometry, formatMetric, type ChartPoint } from "../lib/mlflow";

const WIDTH = 360;
const HEIGHT = 140;
const PAD = 12;
const AXIS = 48; // room on the left for the value labels, below for the step labels

/** A small line chart of one metric: value over step, with min and max on both axes. */
export function MetricChart({ metric, points }: { metric: string; points: readonly ChartPoint[] }) {
  const g = chartGeometry(points, WIDTH, HEIGHT, PAD);
  if (!g) {
    return (
      <Text size="sm" c="dimmed">
        No finite values to chart.
      </Text>
    );
  }
  const label = `${metric} over steps ${g.minStep} to ${g.maxStep}, from ${formatMetric(g.minValue)} to ${formatMetric(g.maxValue)}`;
  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`${-AXIS} 0 ${WIDTH + AXIS} ${HEIGHT + 20}`}
      width="100%"
      style={{ maxWidth: WIDTH + AXIS, fontSize: 10 }}
    >
      <line x1={0} y1={HEIGHT} x2={WIDTH} y2={HEIGHT} stroke="var(--mantine-color-gray-5)" />
      <line x1={0} y1={0} x2={0} y2={HEIGHT} stroke="var(--mantine-color-gray-5)" />
      {g.maxValue === g.minValue ? (
        <text x={-4} y={HEIGHT / 2 + 3} textAnchor="end" fill="currentColor" data-testid="chart-value">
          {formatMetric(g.minValue)}
        </text>
      ) : (
        <>
          <text x={-4} y={PAD + 3} textAnchor="end" fill="currentColor" data-testid="chart-max">
            {formatMetric(g.maxValue)}
          </text>
          <text x={-4} y={HEIGHT - PAD + 3} textAnchor="end" fill="currentColor" data-testid="chart-min">
            {formatMetric(g.minValue)}
          </text>
        </>
      )}
      {g.maxStep === g.minStep ? (
        <text x={WIDTH / 2} y={HEIGHT + 14} textAnchor="middle" fill="currentColor">
          step {g.minStep}
        </text>
      ) : (
        <>
          <text x={PAD} y={HEIGHT + 14} textAnchor="start" fill="currentColor">
            step {g.minStep}
          </text>
          <text x={WIDTH - PAD} y={HEIGHT + 14} textAnchor="end" fill="currentColor">
            step {g.maxStep}
          </text>
        </>
      )}
      <path d={g.path} fill="none" stroke="var(--mantine-color-blue-6)" strokeWidth={2} />
      {g.dots.map((d) => (
        <circle key={`${d.step}-${d.x}-${d.y}`} cx={d.x} cy={d.y} r={2.5} fill="var(--mantine-color-blue-6)">
          <title>
            step {d.step}: {formatMetric(d.value)}
          </title>
        </circle>
      ))}
    </svg>
  );
}
