// Files the API answers with (exports, the import template): read through the typed client, so
// with the session's bearer token and its one refresh-and-retry, then saved by the browser under
// the name the server gives in Content-Disposition.
import { unwrap, type FetchResult } from './problems';

/** The formats of the export endpoints (`format=`; the server's default is xlsx). */
export type ExportFormat = 'xlsx' | 'csv';

/** Menu text of each format. */
export const EXPORT_FORMAT_LABELS: Readonly<Record<ExportFormat, string>> = {
  xlsx: 'Excel 表格',
  csv: 'CSV',
};

/** A file name without folders or characters a file system refuses; null when nothing is left. */
function safeName(name: string): string | null {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '').trim();
  return clean && clean !== '.' && clean !== '..' ? clean : null;
}

/** RFC 8187 `charset'language'percent-encoded` (UTF-8 or ISO-8859-1). */
function extValue(raw: string): string | null {
  const m = /^([^']*)'[^']*'(.*)$/.exec(raw.trim().replace(/^"(.*)"$/, '$1'));
  if (!m) return null;
  const charset = (m[1] ?? '').toLowerCase();
  const encoded = m[2] ?? '';
  try {
    if (charset === 'utf-8') return decodeURIComponent(encoded);
    if (charset === 'iso-8859-1') {
      return encoded.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    }
  } catch {
    // Malformed percent-encoding: use the plain `filename` instead.
  }
  return null;
}

/**
 * The file name a `Content-Disposition` header gives: `filename*` (RFC 6266, e.g.
 * `filename*=UTF-8''%E5%B1%85...`) first, as it carries the Chinese name, else `filename`
 * (quoted or not). Null when there is none.
 */
export function filenameFromDisposition(header: string | null | undefined): string | null {
  if (!header) return null;
  const star = /(?:^|;)\s*filename\*\s*=\s*("[^"]*"|[^;]*)/i.exec(header);
  const fromStar = star?.[1] ? extValue(star[1]) : null;
  if (fromStar && safeName(fromStar)) return safeName(fromStar);
  const plain = /(?:^|;)\s*filename\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/i.exec(header);
  if (!plain?.[1]) return null;
  const v = plain[1].trim();
  const unquoted = v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
  return safeName(unquoted);
}

/** Saves a blob through the browser's download (nothing is fetched again). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Some browsers start the download after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Awaits a file answer of the API client (`parseAs: 'blob'`) and saves it under the server's
 * name (else `fallbackName`). Resolves to the name used; a problem answer throws an
 * {@link ApiProblemError} in Chinese, as `unwrap` does.
 */
export async function saveDownload(call: Promise<FetchResult<Blob>>, fallbackName: string): Promise<string> {
  const result = await call;
  const blob = await unwrap(Promise.resolve(result));
  const name = filenameFromDisposition(result.response.headers.get('Content-Disposition')) ?? fallbackName;
  saveBlob(blob, name);
  return name;
}
