import { Alert, Group, Loader, MultiSelect, Select, Stack, Tabs, Text } from "@mantine/core";
import { useEffect, useMemo, useRef, useState } from "react";

import { drawPlot, purgePlot } from "../lib/plotly";
import {
  contourFigure,
  defaultPicks,
  type Figure,
  isNumericParam,
  parallelFigure,
  type PlotInput,
  type PlotResult,
  scatterFigure,
} from "../lib/plots";

type PlotKind = "scatter" | "contour" | "parallel";

/** Scatter, contour and parallel coordinates of the compared versions' params against metrics. */
export function ComparePlots({ input }: { input: PlotInput }) {
  const defaults = useMemo(() => defaultPicks(input), [input]);
  const [kind, setKind] = useState<PlotKind>("scatter");
  const [param, setParam] = useState(defaults.param);
  const [param2, setParam2] = useState(defaults.param2);
  const [metric, setMetric] = useState(defaults.metric);
  const [params, setParams] = useState(defaults.params);
  const [metrics, setMetrics] = useState(defaults.metrics);

  const paramOptions = input.params.map((p) => ({
    value: p.key,
    label: isNumericParam(p) ? p.key : `${p.key} (categories)`,
  }));
  const metricOptions = input.metrics.map((m) => m.key);

  const scatter = useMemo(() => scatterFigure(input, param, metric), [input, param, metric]);
  const contour = useMemo(() => contourFigure(input, param, param2, metric), [input, param, param2, metric]);
  const parallel = useMemo(() => parallelFigure(input, params, metrics), [input, params, metrics]);

  if (input.params.length === 0 || input.metrics.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Plots need parameters and metrics: versions registered from an MLflow run have them.
      </Text>
    );
  }

  const paramSelect = (label: string, value: string | null, onChange: (v: string | null) => void) => (
    <Select label={label} data={paramOptions} value={value} onChange={onChange} allowDeselect={false} searchable w={220} />
  );
  const metricSelect = (
    <Select
      label="Metric"
      data={metricOptions}
      value={metric}
      onChange={setMetric}
      allowDeselect={false}
      searchable
      w={220}
    />
  );

  return (
    <Tabs value={kind} onChange={(v) => setKind((v as PlotKind | null) ?? "scatter")} keepMounted={false}>
      <Tabs.List>
        <Tabs.Tab value="scatter">Scatter</Tabs.Tab>
        <Tabs.Tab value="contour">Contour</Tabs.Tab>
        <Tabs.Tab value="parallel">Parallel coordinates</Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="scatter" pt="sm">
        <Stack gap="sm">
          <Group align="flex-end">
            {paramSelect("Parameter", param, setParam)}
            {metricSelect}
          </Group>
          <PlotView result={scatter} label={`Scatter plot of ${metric ?? "a metric"} against ${param ?? "a parameter"}`} />
        </Stack>
      </Tabs.Panel>
      <Tabs.Panel value="contour" pt="sm">
        <Stack gap="sm">
          <Group align="flex-end">
            {paramSelect("X parameter", param, setParam)}
            {paramSelect("Y parameter", param2, setParam2)}
            {metricSelect}
          </Group>
          <PlotView
            result={contour}
            label={`Contour plot of ${metric ?? "a metric"} over ${param ?? "a parameter"} and ${param2 ?? "a parameter"}`}
          />
        </Stack>
      </Tabs.Panel>
      <Tabs.Panel value="parallel" pt="sm">
        <Stack gap="sm">
          <Group align="flex-end" grow>
            <MultiSelect label="Parameters" data={paramOptions} value={params} onChange={setParams} searchable clearable />
            <MultiSelect label="Metrics" data={metricOptions} value={metrics} onChange={setMetrics} searchable clearable />
          </Group>
          <PlotView result={parallel} label="Parallel coordinates of the chosen parameters and metrics" />
        </Stack>
      </Tabs.Panel>
    </Tabs>
  );
}

function PlotView({ result, label }: { result: PlotResult; label: string }) {
  return (
    <Stack gap="xs">
      {result.figure ? (
        <PlotlyFigure figure={result.figure} label={label} />
      ) : (
        <Alert color="gray" variant="light">
          {result.problem}
        </Alert>
      )}
      {result.omitted.length > 0 && (
        <Text size="xs" c="dimmed">
          Left out: {result.omitted.join("; ")}.
        </Text>
      )}
    </Stack>
  );
}

/** A figure drawn by Plotly into a div; Plotly is loaded on first use. */
export function PlotlyFigure({ figure, label }: { figure: Figure; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<"drawing" | "drawn" | "failed">("drawing");

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    let live = true;
    drawPlot(element, figure).then(
      () => live && setState("drawn"),
      () => live && setState("failed"),
    );
    return () => {
      live = false;
    };
  }, [figure]);

  useEffect(() => {
    const element = ref.current;
    return () => {
      if (element) void purgePlot(element).catch(() => undefined);
    };
  }, []);

  return (
    <div>
      {state === "drawing" && (
        <Group gap="xs">
          <Loader size="xs" />
          <Text size="sm" c="dimmed">
            Drawing the plot…
          </Text>
        </Group>
      )}
      {state === "failed" && (
        <Alert color="red" variant="light">
          The plot could not be drawn in this browser.
        </Alert>
      )}
      <div ref={ref} role="figure" aria-label={label} data-testid="plot" data-state={state} style={{ width: "100%", minHeight: 380 }} />
    </div>
  );
}
