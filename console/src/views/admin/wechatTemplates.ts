// 微信订阅消息: the site's subscription-message template for each kind of notice
// (GET /sites/{id}/wechat-templates, PUT /sites/{id}/wechat-templates/{kind}). The editor's rows
// (模板字段 key -> 内容) become the `fields` map; the server's rules are checked here first.
import type { Fact, NoticeKind, WeChatTemplate, WeChatTemplateRequest } from '@/api/types';
import { FACT_LABELS, NOTICE_KIND_LABELS } from '@/labels';

export const TEMPLATE_HINT = '模板在微信小程序后台“订阅消息”中选用，字段名照后台填写（如 thing1、time2）。';

export const ROWS_MIN = 1;
export const ROWS_MAX = 10;
export const TEMPLATE_ID_MAX = 64;

/** The kinds, in the order shown. */
export const NOTICE_KINDS = Object.keys(NOTICE_KIND_LABELS) as NoticeKind[];
export const FACTS = Object.keys(FACT_LABELS) as Fact[];

/** WeChat's field key types, each followed by the field's number (thing1, time2, phrase3, …). */
const KEY_PATTERN =
  /^(thing|short_thing|number|letter|symbol|character_string|time|date|amount|phone_number|car_number|name|phrase)\d+$/;
const TEMPLATE_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export interface FieldRow {
  key: string;
  fact: Fact | '';
}

export interface TemplateForm {
  templateId: string;
  rows: FieldRow[];
}

export function templateForm(t: WeChatTemplate | null | undefined): TemplateForm {
  const rows = Object.entries(t?.fields ?? {}).map(([key, fact]) => ({ key, fact: fact as Fact }));
  return { templateId: t?.template_id ?? '', rows: rows.length ? rows : [{ key: '', fact: '' }] };
}

/** The PUT body: the rows as one `fields` map, keys trimmed. */
export function templateRequest(f: TemplateForm): WeChatTemplateRequest {
  const fields: Record<string, Fact> = {};
  for (const r of f.rows) {
    const key = r.key.trim();
    if (key && r.fact) fields[key] = r.fact;
  }
  return { template_id: f.templateId.trim(), fields };
}

export interface TemplateProblems {
  templateId?: string;
  /** About the rows as a whole (how many). */
  rows?: string;
  /** Row index -> what is wrong with its key. */
  keys: Record<number, string>;
  /** Row index -> what is wrong with its fact. */
  facts: Record<number, string>;
}

export function hasProblems(p: TemplateProblems): boolean {
  return !!p.templateId || !!p.rows || Object.keys(p.keys).length > 0 || Object.keys(p.facts).length > 0;
}

export function templateProblems(f: TemplateForm): TemplateProblems {
  const p: TemplateProblems = { keys: {}, facts: {} };
  const id = f.templateId.trim();
  if (!id) p.templateId = '请填写模板编号';
  else if (id.length > TEMPLATE_ID_MAX || !TEMPLATE_ID_PATTERN.test(id)) {
    p.templateId = '模板编号只含字母、数字、- 和 _，照后台复制';
  }
  if (f.rows.length < ROWS_MIN || f.rows.length > ROWS_MAX) p.rows = `模板字段应为 ${ROWS_MIN}–${ROWS_MAX} 个`;
  const seen = new Set<string>();
  f.rows.forEach((r, i) => {
    const key = r.key.trim();
    if (!key) p.keys[i] = '请填写字段名';
    else if (!KEY_PATTERN.test(key)) p.keys[i] = '字段名应像 thing1、time2，照后台填写';
    else if (seen.has(key)) p.keys[i] = '字段名重复';
    seen.add(key);
    if (!r.fact) p.facts[i] = '请选择内容';
  });
  return p;
}

/**
 * The server's field problems (`template_id`, `fields`, `fields.<key>`) placed on the form:
 * a key's message goes to the row with that key.
 */
export function serverTemplateProblems(
  f: TemplateForm,
  fields: readonly { field: string; message: string }[],
): TemplateProblems {
  const p: TemplateProblems = { keys: {}, facts: {} };
  for (const { field, message } of fields) {
    if (field === 'template_id') p.templateId = message;
    else if (field === 'fields') p.rows = message;
    else if (field.startsWith('fields.')) {
      const key = field.slice('fields.'.length);
      const i = f.rows.findIndex((r) => r.key.trim() === key);
      if (i >= 0) p.keys[i] = message;
      else p.rows = message;
    }
  }
  return p;
}

/** One line for the list: "thing1：活动/岗位名称；time2：时间". */
export function fieldsText(fields: Record<string, string> | undefined): string {
  const entries = Object.entries(fields ?? {});
  if (!entries.length) return '—';
  return entries.map(([k, f]) => `${k}：${FACT_LABELS[f as Fact] ?? f}`).join('；');
}
