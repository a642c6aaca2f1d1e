// Sending the import file (a workbook or CSV, as its media type says) over XMLHttpRequest (fetch
// cannot report upload progress), with the session's bearer token and one refresh-and-retry on
// 401, like the API client.
import { CONSOLE_HEADERS } from '@/api/client';
import { translateProblem, problemText, NETWORK_ERROR_MESSAGE } from '@/api/problems';
import type { ImportReport, RowProblem } from '@/api/types';

export type ImportOutcome =
  | { kind: 'done'; report: ImportReport }
  | { kind: 'invalid'; message: string; rows: RowProblem[] }
  | { kind: 'failed'; message: string };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The answer's row problems; those without a line, column and reason are dropped. */
function rowProblems(v: unknown): RowProblem[] {
  if (!Array.isArray(v)) return [];
  const rows: RowProblem[] = [];
  for (const r of v) {
    if (!isRecord(r) || typeof r.line !== 'number' || typeof r.column !== 'string' || typeof r.reason !== 'string') {
      continue;
    }
    rows.push({
      sheet: typeof r.sheet === 'string' ? r.sheet : null,
      line: r.line,
      column: r.column,
      header: text(r.header),
      value: typeof r.value === 'string' ? r.value : null,
      code: text(r.code),
      reason: r.reason,
      message: text(r.message),
    });
  }
  return rows;
}

/** What an import answer means for the screen. */
export function interpretImportResponse(
  status: number,
  body: string,
  retryAfter: number | null = null,
): ImportOutcome {
  const json = parseJson(body);
  if (status >= 200 && status < 300 && isRecord(json) && typeof json.rows === 'number') {
    return { kind: 'done', report: json as unknown as ImportReport };
  }
  if (isRecord(json) && json.code === 'import_invalid') {
    return {
      kind: 'invalid',
      message: translateProblem(json, { status }).message,
      rows: rowProblems(json.rows),
    };
  }
  // The one field problem of this endpoint: a header and no data rows.
  if (isRecord(json) && json.code === 'validation_failed' && isRecord(json.errors) && 'body' in json.errors) {
    return { kind: 'failed', message: '文件只有表头，没有居民数据。' };
  }
  if (status === 413) return { kind: 'failed', message: '文件太大（最大 32 MB），请分成几个文件导入。' };
  if (status === 415) return { kind: 'failed', message: UNSUPPORTED_FILE_MESSAGE };
  return { kind: 'failed', message: problemText(translateProblem(json, { status, retryAfter })) };
}

/** What the user reads when the file is not one the import takes. */
export const UNSUPPORTED_FILE_MESSAGE = '请选择 Excel 表格（.xlsx、.xls）、WPS 表格（.et）或 CSV 文件。';

export interface UploadOptions {
  /** The import endpoint, with `?sheet=` when a sheet is named. */
  url: string;
  file: Blob;
  /** The file's media type (`IMPORT_CONTENT_TYPES`). */
  contentType: string;
  token: () => string | null;
  /** The session's refresh: a new access token, or null when the session is over. */
  refresh: () => Promise<string | null>;
  onProgress: (percent: number) => void;
  /** For tests. */
  createXhr?: () => XMLHttpRequest;
}

interface RawAnswer {
  status: number;
  body: string;
  retryAfter: number | null;
}

function send(opts: UploadOptions, token: string | null): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = opts.createXhr ? opts.createXhr() : new XMLHttpRequest();
    xhr.open('POST', opts.url);
    xhr.setRequestHeader('Content-Type', opts.contentType);
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [name, value] of Object.entries(CONSOLE_HEADERS)) xhr.setRequestHeader(name, value);
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) opts.onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      const ra = Number(xhr.getResponseHeader('Retry-After'));
      resolve({ status: xhr.status, body: xhr.responseText, retryAfter: Number.isFinite(ra) && ra > 0 ? ra : null });
    };
    xhr.onerror = () => reject(new TypeError('network'));
    xhr.send(opts.file);
  });
}

/** Uploads the file; never throws (a network failure is a `failed` outcome). */
export async function uploadImport(opts: UploadOptions): Promise<ImportOutcome> {
  try {
    let answer = await send(opts, opts.token());
    if (answer.status === 401) {
      const fresh = await opts.refresh();
      if (!fresh) return { kind: 'failed', message: '登录已过期，请重新登录。' };
      opts.onProgress(0);
      answer = await send(opts, fresh);
    }
    return interpretImportResponse(answer.status, answer.body, answer.retryAfter);
  } catch {
    return { kind: 'failed', message: NETWORK_ERROR_MESSAGE };
  }
}

/** The import endpoint of a site; a named sheet goes with a workbook only. */
export function importUrl(origin: string, siteId: string, sheet: string, workbook: boolean): string {
  const url = new URL(`/api/v1/sites/${encodeURIComponent(siteId)}/residents/import`, origin);
  const name = sheet.trim();
  if (workbook && name) url.searchParams.set('sheet', name);
  return url.href;
}
