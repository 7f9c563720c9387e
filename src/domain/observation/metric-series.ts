/** One metric over one interval: its value and the traffic (requests) behind it. */
export interface MetricPoint {
  /** Epoch milliseconds of the interval's end. */
  readonly at: number;
  /** Null when the interval gave no value (no traffic for a ratio, no data for a query). */
  readonly value: number | null;
  /** Requests served in the interval; null when the source cannot tell. */
  readonly traffic: number | null;
}

/** Every defined metric over one interval, as a source measures it. */
export interface IntervalMeasurement {
  readonly from: number;
  readonly to: number;
  readonly values: Readonly<Record<string, { value: number | null; traffic: number | null }>>;
  /** True when a counter went backwards (the process restarted) within the interval. */
  readonly counterReset?: boolean | undefined;
}

/** Per metric name, its points oldest first. */
export type MetricSeries = Readonly<Record<string, readonly MetricPoint[]>>;

/** Turns interval measurements (oldest first) into one series per metric. */
export function toSeries(measurements: readonly IntervalMeasurement[]): MetricSeries {
  const series: Record<string, MetricPoint[]> = {};
  for (const m of measurements) {
    for (const [name, { value, traffic }] of Object.entries(m.values)) {
      const points = series[name] ?? [];
      points.push({ at: m.to, value, traffic });
      series[name] = points;
    }
  }
  return series;
}

/** Appends one measurement to a series (returns a new value; the input is not changed). */
export function appendMeasurement(series: MetricSeries, m: IntervalMeasurement): MetricSeries {
  const next: Record<string, readonly MetricPoint[]> = { ...series };
  for (const [name, { value, traffic }] of Object.entries(m.values)) {
    next[name] = [...(series[name] ?? []), { at: m.to, value, traffic }];
  }
  return next;
}
