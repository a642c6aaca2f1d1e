// A fetch stub that records every call (method, path, JSON body) and answers through `answer`.
import { vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';

export interface Call {
  method: string;
  path: string;
  body: unknown;
}

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });

export function recordFetch(answer: (c: Call) => Response): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (req: Request) => {
      const text = req.method === 'GET' ? '' : await req.text();
      const c = { method: req.method, path: new URL(req.url).pathname, body: text ? JSON.parse(text) : null };
      calls.push(c);
      return answer(c);
    }),
  );
  return calls;
}

export function button(text: string): HTMLButtonElement | undefined {
  return [...document.body.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
}

export function typeInto(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input'));
  input.dispatchEvent(new Event('change'));
}

/** Element Plus shows field errors after a debounce. */
export const settle = async () => {
  await flushPromises();
  await new Promise((r) => setTimeout(r, 150));
};
