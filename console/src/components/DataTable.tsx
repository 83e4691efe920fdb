/**
 * The console's one table: column headers (`scope="col"`), an optional caption (the table's
 * accessible name), a row header column, numeric columns right-aligned, a horizontal scroller for
 * phones, and what to say when there are no rows.
 */
import type { ComponentChildren } from 'preact';

export type Column<T> = {
  header: ComponentChildren;
  cell: (row: T, index: number) => ComponentChildren;
  /** Right-aligned numbers. */
  num?: boolean;
  /** This column names the row (`<th scope="row">`). */
  rowHeader?: boolean;
  /** A header only screen readers read (a column of buttons). */
  hiddenHeader?: boolean;
};

export function DataTable<T>({
  columns,
  rows,
  rowKey,
  caption,
  rowClass,
  footer,
  empty,
  scroll = true,
  class: className,
}: {
  columns: (Column<T> | false | undefined)[];
  rows: readonly T[];
  rowKey: (row: T, index: number) => string | number;
  caption?: ComponentChildren;
  rowClass?: (row: T) => string | undefined;
  footer?: ComponentChildren;
  /** Shown instead of an empty table; without it an empty table is drawn. */
  empty?: ComponentChildren;
  scroll?: boolean;
  class?: string;
}) {
  if (!rows.length && empty !== undefined) return <p>{empty}</p>;
  const cols = columns.filter((c): c is Column<T> => !!c);
  const table = (
    <table class={className}>
      {caption ? <caption>{caption}</caption> : null}
      <thead>
        <tr>
          {cols.map((c, i) => (
            <th key={i} scope="col" class={c.num ? 'num' : undefined}>
              {c.hiddenHeader ? <span class="visually-hidden">{c.header}</span> : c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, r) => (
          <tr key={rowKey(row, r)} class={rowClass?.(row)}>
            {cols.map((c, i) =>
              c.rowHeader ? (
                <th key={i} scope="row" class={c.num ? 'num' : undefined}>
                  {c.cell(row, r)}
                </th>
              ) : (
                <td key={i} class={c.num ? 'num' : undefined}>
                  {c.cell(row, r)}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
      {footer ? <tfoot>{footer}</tfoot> : null}
    </table>
  );
  // A table wider than its card scrolls sideways; the scroller takes focus so that keyboard users
  // can scroll it too (axe: scrollable-region-focusable).
  return scroll ? (
    <div class="scroll" tabIndex={0}>
      {table}
    </div>
  ) : (
    table
  );
}
