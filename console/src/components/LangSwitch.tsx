/** The language choice (English / 中文), in the top bar of the console and of /verify. */
import { setLang, t, useLang, type Lang } from '../i18n';

export function LangSwitch() {
  const lang = useLang();
  return (
    <div class="lang">
      <label for="lang-select" class="visually-hidden">
        {t('language')}
      </label>
      <select id="lang-select" value={lang} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)}>
        <option value="en">English</option>
        <option value="zh">中文</option>
      </select>
    </div>
  );
}
