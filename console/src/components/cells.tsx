/** Cells several tables show: a link to a declaration, a due time flagged when it has passed. */
import { t } from '../i18n';
import { fmtTime } from '../ui';

export function DeclarationLink({ id }: { id: string }) {
  return <a href={`#/declaration/${encodeURIComponent(id)}`}>{id}</a>;
}

export function DueTime({ at, overdue }: { at: string | null | undefined; overdue?: boolean }) {
  return (
    <>
      {at ? <time dateTime={at}>{fmtTime(at)}</time> : '—'}
      {overdue ? <strong class="overdue-flag"> {t('overdue')}</strong> : null}
    </>
  );
}
