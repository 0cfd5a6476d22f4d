/**
 * The query bar: the query language as is, field-name completion from the team's known fields,
 * a syntax error shown under the column the parser names, and unknown-field warnings with the
 * closest known names as one-click fixes.
 */
import { useRef, useState } from 'preact/hooks';
import type { FieldEntry, UnknownField } from '../api.ts';
import { completions, fieldAtCaret, type SyntaxProblem } from '../query-edit.ts';

export interface QueryBarProps {
  value: string;
  onInput: (value: string) => void;
  onSubmit: (value: string) => void;
  fields: FieldEntry[];
  problem: SyntaxProblem | null;
  warnings?: UnknownField[];
  placeholder?: string;
  id?: string;
}

export function QueryBar({ value, onInput, onSubmit, fields, problem, warnings = [], placeholder, id = 'query' }: QueryBarProps) {
  const input = useRef<HTMLInputElement>(null);
  const [menu, setMenu] = useState<{ start: number; items: FieldEntry[]; index: number } | null>(null);

  const refresh = (text: string, caret: number) => {
    const at = fieldAtCaret(text, caret);
    const items = at ? completions(fields, at.prefix) : [];
    setMenu(at && items.length > 0 ? { start: at.start, items, index: 0 } : null);
  };

  const apply = (f: FieldEntry) => {
    const el = input.current!;
    const caret = el.selectionStart ?? value.length;
    const start = menu?.start ?? caret;
    const next = `${value.slice(0, start)}${f.name}:${value.slice(caret)}`;
    onInput(next);
    setMenu(null);
    requestAnimationFrame(() => {
      el.focus();
      const pos = start + f.name.length + 1;
      el.setSelectionRange(pos, pos);
    });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (menu) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = menu.items.length;
        setMenu({ ...menu, index: (menu.index + (e.key === 'ArrowDown' ? 1 : n - 1)) % n });
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        apply(menu.items[menu.index]!);
        return;
      }
      if (e.key === 'Escape') {
        setMenu(null);
        return;
      }
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      setMenu(null);
      onSubmit(value);
    }
  };

  const lines = value.split('\n');
  const problemLine = problem ? (lines[problem.line - 1] ?? '') : '';

  return (
    <div class="querybar">
      <div class={`query-input ${problem ? 'invalid' : ''}`}>
        <span class="prompt" aria-hidden="true">
          ⌕
        </span>
        <input
          ref={input}
          id={id}
          type="text"
          spellcheck={false}
          autocomplete="off"
          aria-label="Query"
          aria-invalid={problem ? 'true' : 'false'}
          placeholder={placeholder ?? 'Lucene query, e.g. event.outcome:failure AND event.action:*login*'}
          value={value}
          onInput={(e) => {
            const el = e.target as HTMLInputElement;
            onInput(el.value);
            refresh(el.value, el.selectionStart ?? el.value.length);
          }}
          onKeyDown={onKeyDown}
          onClick={(e) => {
            const el = e.target as HTMLInputElement;
            refresh(el.value, el.selectionStart ?? el.value.length);
          }}
          onBlur={() => setTimeout(() => setMenu(null), 150)}
        />
        {menu && (
          <ul class="completions" role="listbox" aria-label="Fields">
            {menu.items.map((f, i) => (
              <li
                key={f.name}
                role="option"
                aria-selected={i === menu.index}
                class={i === menu.index ? 'selected' : ''}
                onMouseDown={(e) => {
                  e.preventDefault();
                  apply(f);
                }}
              >
                <TypeBadge type={f.type} />
                <span class="name">{f.name}</span>
                <span class="count">{f.count > 0 ? f.count : ''}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {problem && (
        <div class="syntax-error" role="alert" data-column={problem.column}>
          <pre class="caret">
            {problemLine}
            {'\n'}
            <span class="marker">{`${' '.repeat(Math.max(0, problem.column - 1))}^`}</span>
          </pre>
          <div class="message">Syntax error: {problem.message}</div>
        </div>
      )}
      {!problem &&
        warnings.map((w) => (
          <div class="warning" role="status" key={w.field}>
            ⚠ {w.message}
            {w.suggestions.map((s) => (
              <button
                type="button"
                class="chip"
                key={s}
                onClick={() => {
                  const next = value.replaceAll(`${w.field}:`, `${s}:`);
                  onInput(next);
                  onSubmit(next);
                }}
              >
                use {s}
              </button>
            ))}
          </div>
        ))}
    </div>
  );
}

const TYPE_LABEL: Record<string, string> = { keyword: 'k', text: 't', date: 'd', ip: 'ip', long: '#', double: '#', boolean: 'b' };

export function TypeBadge({ type }: { type: string }) {
  return (
    <span class={`type type-${type}`} title={type}>
      {TYPE_LABEL[type] ?? '?'}
    </span>
  );
}
