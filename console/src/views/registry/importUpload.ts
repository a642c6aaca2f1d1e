// Sending the import file: `text/csv` over XMLHttpRequest (fetch cannot report upload progress),
// with the session's bearer token and one refresh-and-retry on 401, like the API client.
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

function rowProblems(v: unknown): RowProblem[] {
  if (!Array.isArray(v)) return [];
  return v.filter(
    (r): r is RowProblem =>
      isRecord(r) && typeof r.line === 'number' && typeof r.column === 'string' && typeof r.reason === 'string',
  );
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
  if (status === 415) return { kind: 'failed', message: '请上传 CSV 文件（在表格软件中“另存为 CSV”）。' };
  return { kind: 'failed', message: problemText(translateProblem(json, { status, retryAfter })) };
}

export interface UploadOptions {
  url: string;
  file: Blob;
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
    xhr.setRequestHeader('Content-Type', 'text/csv');
    xhr.setRequestHeader('Accept', 'application/json');
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
