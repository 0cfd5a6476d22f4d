/**
 * The time range: quick presets, a relative range ("last N units"), an absolute range (UTC),
 * or any from/to the API takes (date math such as now-1d/d, ISO 8601).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useDismiss } from '../dismiss.ts';
import { describeRange, fromInputValue, isAbsolute, PRESETS, toInputValue } from '../time.ts';

const UNITS: Array<[string, string]> = [
  ['m', 'minutes'],
  ['h', 'hours'],
  ['d', 'days'],
  ['w', 'weeks'],
  ['M', 'months'],
];

export function TimePicker({ from, to, onChange }: { from: string; to: string; onChange: (from: string, to: string) => void }) {
  const [open, setOpen] = useState(false);
  const [rawFrom, setRawFrom] = useState(from);
  const [rawTo, setRawTo] = useState(to);
  const [n, setN] = useState('24');
  const [unit, setUnit] = useState('h');
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setRawFrom(from);
    setRawTo(to);
  }, [from, to, open]);

  useDismiss(box, open, () => setOpen(false));

  const choose = (f: string, t: string) => {
    setOpen(false);
    onChange(f, t);
  };

  return (
    <div class="timepicker" ref={box}>
      <button type="button" class="range-button" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">◷</span> {describeRange(from, to)}
      </button>
      {open && (
        <div class="popover" role="dialog" aria-label="Time range">
          <div class="presets">
            {PRESETS.map((p) => (
              <button type="button" key={p.from} class={p.from === from && to === 'now' ? 'chip active' : 'chip'} onClick={() => choose(p.from, 'now')}>
                {p.label}
              </button>
            ))}
            <button type="button" class="chip" onClick={() => choose('now/d', 'now')}>
              Today
            </button>
            <button type="button" class="chip" onClick={() => choose('now-1d/d', 'now/d')}>
              Yesterday
            </button>
          </div>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              const count = Number(n);
              if (Number.isInteger(count) && count > 0) choose(`now-${count}${unit}`, 'now');
            }}
          >
            <span class="label">Last</span>
            <input type="number" min="1" value={n} aria-label="Relative amount" onInput={(e) => setN((e.target as HTMLInputElement).value)} />
            <select aria-label="Relative unit" value={unit} onChange={(e) => setUnit((e.target as HTMLSelectElement).value)}>
              {UNITS.map(([u, label]) => (
                <option key={u} value={u}>
                  {label}
                </option>
              ))}
            </select>
            <button type="submit">Apply</button>
          </form>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              const f = (e.currentTarget as HTMLFormElement).elements.namedItem('absFrom') as HTMLInputElement;
              const t = (e.currentTarget as HTMLFormElement).elements.namedItem('absTo') as HTMLInputElement;
              const a = fromInputValue(f.value);
              const b = fromInputValue(t.value);
              if (a && b) choose(a, b);
            }}
          >
            <span class="label">Absolute</span>
            <input type="datetime-local" name="absFrom" aria-label="Absolute start (UTC)" value={isAbsolute(from) ? toInputValue(from) : ''} />
            <span>→</span>
            <input type="datetime-local" name="absTo" aria-label="Absolute end (UTC)" value={isAbsolute(to) ? toInputValue(to) : ''} />
            <span class="muted">UTC</span>
            <button type="submit">Apply</button>
          </form>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              choose(rawFrom.trim(), rawTo.trim());
            }}
          >
            <span class="label">From</span>
            <input type="text" class="mono" aria-label="From" value={rawFrom} onInput={(e) => setRawFrom((e.target as HTMLInputElement).value)} />
            <span class="label">To</span>
            <input type="text" class="mono" aria-label="To" value={rawTo} onInput={(e) => setRawTo((e.target as HTMLInputElement).value)} />
            <button type="submit">Apply</button>
          </form>
          <p class="hint">From/To take date math (now-15m, now-1d/d) or ISO 8601 (2026-11-20T09:00:00Z). Empty means no bound.</p>
        </div>
      )}
    </div>
  );
}
