// The kiosk's address: `?site=<uuid>` picks the service centre's site; `&job=<uuid>` is the page a
// phone opens after scanning a job's QR code.
import { renderSVG } from 'uqr';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface KioskParams {
  /** The site whose board and jobs are shown; null: every site's jobs, no board. */
  site: string | null;
  /** A job to show on its own (the phone page); null: the terminal. */
  job: string | null;
}

/** Reads `?site=` and `?job=`; anything that is not a UUID is ignored. */
export function readParams(search: string): KioskParams {
  const p = new URLSearchParams(search);
  const uuid = (v: string | null) => (v && UUID.test(v.trim()) ? v.trim().toLowerCase() : null);
  return { site: uuid(p.get('site')), job: uuid(p.get('job')) };
}

/** `<origin>/kiosk/?site=<site>&job=<id>`: the job's page on a phone (no site: just the job). */
export function jobUrl(origin: string, site: string | null, jobId: string): string {
  const q = new URLSearchParams();
  if (site) q.set('site', site);
  q.set('job', jobId);
  return `${origin.replace(/\/+$/, '')}/kiosk/?${q.toString()}`;
}

/** The QR code of `url` as an SVG document (black on white, a quiet zone of 2 modules). */
export function qrSvg(url: string): string {
  return renderSVG(url, { ecc: 'M', border: 2, pixelSize: 10 });
}

/** The SVG as an `<img src>` (allowed by `img-src 'self' data:`; no inline markup needed). */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** A phone number inside a job's contact text, for a "call" link on the phone page. */
export function phoneIn(contact: string): string | null {
  const m = contact.match(/(?:\+?86[-\s]?)?(1\d{10}|0\d{2,3}-?\d{7,8})/);
  return m?.[1] ? m[1].replace(/-/g, '') : null;
}
