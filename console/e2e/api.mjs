// Small JSON client for the Anju API, used by the end-to-end stories to set up data.

export const PASSWORD = 'anju-demo-2026';

/** Calls the API; throws with the status and body when the answer is not 2xx. */
export async function call(base, method, path, { token, body, form } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${base}${path}`, { method, headers, body: payload });
  const text = await res.text();
  const data = text ? safeJson(text) : null;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return data;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Logs in with the demo password; returns the access token. */
export async function login(base, phone) {
  const t = await call(base, 'POST', '/api/v1/auth/login', { body: { phone, password: PASSWORD } });
  return t.access_token;
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** A fresh, valid unified social credit code (GB 32100, with a GB 11714 organization code). */
export function creditCode() {
  const org8 = Array.from({ length: 8 }, () => Math.floor(Math.random() * 10));
  const orgSum = org8.reduce((s, d, i) => s + d * ORG_WEIGHTS[i], 0);
  const orgCheck = (11 - (orgSum % 11)) % 11;
  const org = org8.join('') + (orgCheck === 10 ? 'X' : String(orgCheck));
  const body = `91411224${org}`;
  const sum = [...body].reduce((s, c, i) => s + USCC_CHARS.indexOf(c) * USCC_WEIGHTS[i], 0);
  return body + USCC_CHARS[(31 - (sum % 31)) % 31];
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** A valid GB 11643 ID number for `birth` (YYYYMMDD) and a 3-digit sequence (odd: male). */
export function idNumber(birth, seq) {
  const body = `411224${birth}${String(seq).padStart(3, '0')}`;
  const sum = [...body].reduce((s, c, i) => s + Number(c) * ID_WEIGHTS[i], 0);
  return body + ID_CHECK[sum % 11];
}
