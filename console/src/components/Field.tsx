/**
 * Form rows: a visible label tied to its control, an optional hint the control is described by.
 * `SelectField` and `TextField` are the two controls the views use again and again; `Field` wraps
 * anything else (a textarea with its own handlers, a date input).
 */
import type { ComponentChildren } from 'preact';

export function Field({ label, id, children, hint }: { label: string; id: string; children: ComponentChildren; hint?: string }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint ? (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      ) : null}
    </div>
  );
}

/** An option as a value shown as itself, or a value with its label in the current language. */
export type Option = string | { value: string; label: string };

export function SelectField({
  label,
  id,
  value,
  options,
  onChange,
  hint,
}: {
  label: string;
  id: string;
  value: string;
  options: readonly Option[];
  onChange: (value: string) => void;
  hint?: string;
}) {
  return (
    <Field label={label} id={id} hint={hint}>
      <select
        id={id}
        value={value}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange((e.target as HTMLSelectElement).value)}
      >
        {options.map((o) =>
          typeof o === 'string' ? (
            <option key={o} value={o}>
              {o}
            </option>
          ) : (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ),
        )}
      </select>
    </Field>
  );
}

/** A one-line input, or a textarea when `rows` is given. */
export function TextField({
  label,
  id,
  value,
  onInput,
  hint,
  rows,
  type = 'text',
  required,
  maxLength,
  min,
  placeholder,
  code,
}: {
  label: string;
  id: string;
  value: string | number;
  onInput: (value: string) => void;
  hint?: string;
  rows?: number;
  type?: 'text' | 'url' | 'number' | 'date';
  required?: boolean;
  maxLength?: number;
  min?: number;
  placeholder?: string;
  /** JSON or other code: no spell checking. */
  code?: boolean;
}) {
  const common = {
    id,
    value,
    required,
    maxLength,
    placeholder,
    'aria-describedby': hint ? `${id}-hint` : undefined,
    ...(code ? { spellcheck: false } : {}),
  };
  return (
    <Field label={label} id={id} hint={hint}>
      {rows ? (
        <textarea {...common} rows={rows} onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)} />
      ) : (
        <input {...common} type={type as 'text'} min={min} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />
      )}
    </Field>
  );
}
