/** Maps the run's time span onto the chart's x range. */
export interface TimeScale {
  x(iso: string | number): number;
  t0: number;
  t1: number;
  left: number;
  right: number;
}

export function timeScale(startIso: string, endIso: string, left: number, right: number): TimeScale {
  const t0 = Date.parse(startIso);
  // A run that lasted no time at all still gets a visible axis.
  const t1 = Math.max(Date.parse(endIso), t0 + 1000);
  const x = (at: string | number) => {
    const t = typeof at === "number" ? at : Date.parse(at);
    const clamped = Math.min(Math.max(Number.isNaN(t) ? t0 : t, t0), t1);
    return Math.round((left + ((clamped - t0) / (t1 - t0)) * (right - left)) * 10) / 10;
  };
  return { x, t0, t1, left, right };
}

const STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];

/** Tick offsets (ms from the start) at a round step giving at most `max` ticks. */
export function ticks(scale: TimeScale, max = 10): number[] {
  const span = scale.t1 - scale.t0;
  const step = (STEPS_S.find((s) => span / (s * 1000) <= max) ?? STEPS_S.at(-1)!) * 1000;
  const out: number[] = [];
  for (let t = 0; t <= span; t += step) out.push(t);
  return out;
}

/** "0:30", "12:00", "1:05:00": time since the run started. */
export function offsetLabel(ms: number): string {
  const s = Math.round(ms / 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return s >= 3600 ? `${Math.floor(s / 3600)}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}` : `${Math.floor(s / 60)}:${p(s % 60)}`;
}
