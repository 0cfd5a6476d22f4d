/**
 * Events over time as bars (uPlot). Dragging across the chart selects a time range, which
 * becomes the search's absolute range.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatCount, formatTime } from '../time.ts';

export interface HistogramProps {
  buckets: Array<{ start: string; count: number }>;
  intervalMs: number;
  /** Buckets to draw in the alert colour (rule preview: windows that would have fired). */
  highlight?: ReadonlySet<number>;
  threshold?: number | undefined;
  onZoom?: (fromMs: number, toMs: number) => void;
  height?: number;
  label?: string;
}

const BAR = '#3b6fb6';
const HOT = '#c62828';

export function Histogram({ buckets, intervalMs, highlight, threshold, onZoom, height = 120, label = 'Events over time' }: HistogramProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;

  useEffect(() => {
    const el = box.current!;
    const xs = buckets.map((b) => Date.parse(b.start));
    const ys = buckets.map((b) => b.count);
    // An empty bucket draws no bar (uPlot would draw a zero-height one as a line).
    const bars0 = ys.map((y) => (y === 0 ? null : y));
    const hot = highlight ?? new Set<number>();
    const bars = uPlot.paths.bars!({ size: [0.9, 40], align: 1 });
    const series: uPlot.Series[] = [
      {},
      {
        label: 'events',
        stroke: BAR,
        fill: BAR + 'cc',
        paths: bars,
        points: { show: false },
      },
    ];
    const data: uPlot.AlignedData = [xs, bars0];
    if (hot.size > 0) {
      // Fired windows as a second series drawn over the first.
      series.push({ label: 'fired', stroke: HOT, fill: HOT + 'dd', paths: bars, points: { show: false } });
      data.push(ys.map((y, i) => (hot.has(i) && y > 0 ? y : null)) as number[]);
    }
    if (threshold !== undefined) {
      series.push({ label: 'threshold', stroke: '#e08a00', width: 1, dash: [4, 4], points: { show: false } });
      data.push(xs.map(() => threshold));
    }
    const last = xs.length ? xs[xs.length - 1]! + intervalMs : Date.now();
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      ms: 1,
      tzDate: (ts) => uPlot.tzDate(new Date(ts), 'Etc/UTC'),
      legend: { show: false },
      padding: [8, 8, 0, 0],
      cursor: { drag: { x: Boolean(onZoom), y: false, setScale: false }, points: { show: false }, y: false },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: true, range: () => [xs[0] ?? last - intervalMs, last] },
        y: { range: () => [0, Math.max(1, ...ys, threshold ?? 0) * 1.1] },
      },
      axes: [
        {
          stroke: '#5f6b7a',
          size: 28,
          grid: { stroke: '#eef1f5', width: 1 },
          ticks: { stroke: '#d5dbe3', width: 1, size: 4 },
          font: '11px system-ui, sans-serif',
          values: (_u, splits) => splits.map(tickLabel),
        },
        {
          stroke: '#5f6b7a',
          size: 44,
          grid: { stroke: '#eef1f5', width: 1 },
          ticks: { show: false },
          font: '11px system-ui, sans-serif',
          values: (_u, vals) => vals.map((v) => (Number.isInteger(v) ? formatCount(v) : '')),
        },
      ],
      series,
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 3) return;
            const a = u.posToVal(u.select.left, 'x');
            const b = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoom.current?.(Math.floor(a), Math.ceil(b));
          },
        ],
      },
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(200, el.clientWidth), height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [buckets, intervalMs, highlight, threshold, height]);

  const total = buckets.reduce((n, b) => n + b.count, 0);
  const first = buckets[0];
  return (
    <figure class="histogram" aria-label={label}>
      <div ref={box} class="chart" data-buckets={buckets.length} title={onZoom ? 'Drag across the chart to zoom into a time range' : undefined} />
      <figcaption class="muted">
        {formatCount(total)} events · {first ? `from ${formatTime(first.start, { ms: false })} UTC` : 'no data'} · one bar per{' '}
        {intervalLabel(intervalMs)}
        {onZoom ? ' · drag to zoom' : ''}
      </figcaption>
    </figure>
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `11-27` at midnight, else `14:30` (UTC, 24-hour clock). */
function tickLabel(ts: number): string {
  const d = new Date(ts);
  const h = d.getUTCHours();
  const m = d.getUTCMinutes();
  if (h === 0 && m === 0 && d.getUTCSeconds() === 0) return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return d.getUTCSeconds() === 0 ? `${pad(h)}:${pad(m)}` : `${pad(h)}:${pad(m)}:${pad(d.getUTCSeconds())}`;
}

function intervalLabel(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, unit] of units) {
    if (ms % size === 0) {
      const n = ms / size;
      return n === 1 ? unit : `${n} ${unit}s`;
    }
  }
  return `${ms} ms`;
}
