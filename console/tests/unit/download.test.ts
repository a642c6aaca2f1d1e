import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiProblemError, PROBLEM_MESSAGES, type FetchResult } from '@/api/problems';
import { filenameFromDisposition, saveDownload } from '@/api/download';
import { emptyFilters, residentExportQuery } from '@/views/service-desk/query';
import { redemptionExportQuery } from '@/views/store/counter';

describe('file name from Content-Disposition', () => {
  it('prefers filename* (RFC 6266/8187) with its Chinese name over the ASCII filename', () => {
    const h = `attachment; filename="export-20261204.xlsx"; filename*=UTF-8''%E5%B1%85%E6%B0%91%E8%8A%B1%E5%90%8D%E5%86%8C%2D20261204%2Exlsx`;
    expect(filenameFromDisposition(h)).toBe('居民花名册-20261204.xlsx');
    // In either order, any case, with a language tag.
    expect(filenameFromDisposition(`attachment;FILENAME*=utf-8'zh-CN'%E5%87%AD%E8%AF%81.csv; filename=a.csv`)).toBe('凭证.csv');
  });

  it('reads filename, quoted (with escapes) or not, when there is no usable filename*', () => {
    // Quotes are escaped in the header; a file name cannot hold them, so they are dropped.
    expect(filenameFromDisposition('attachment; filename="a \\"b\\".xlsx"')).toBe('a b.xlsx');
    expect(filenameFromDisposition('attachment; filename=report.csv')).toBe('report.csv');
    expect(filenameFromDisposition(`attachment; filename*=UTF-8''%E0%A4%A; filename="fallback.xlsx"`)).toBe('fallback.xlsx');
    expect(filenameFromDisposition(`attachment; filename*=GB2312''%C4%E3; filename="fallback.xlsx"`)).toBe('fallback.xlsx');
    expect(filenameFromDisposition(`attachment; filename*=ISO-8859-1''caf%E9.csv`)).toBe('café.csv');
  });

  it('keeps no folders, and gives null when there is no name', () => {
    expect(filenameFromDisposition(`attachment; filename*=UTF-8''..%2F..%2Fetc%2F%E5%90%8D.csv`)).toBe('名.csv');
    expect(filenameFromDisposition('attachment; filename="C:\\\\temp\\\\x.csv"')).toBe('x.csv');
    expect(filenameFromDisposition('attachment')).toBeNull();
    expect(filenameFromDisposition('attachment; filename=""')).toBeNull();
    expect(filenameFromDisposition(null)).toBeNull();
  });
});

describe('saving a download', () => {
  afterEach(() => vi.restoreAllMocks());

  function capture(): { saved: { name: string; href: string }[]; blobs: Blob[] } {
    const saved: { name: string; href: string }[] = [];
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blobs.push(b as Blob);
      return 'blob:x';
    });
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, href: this.href });
    });
    return { saved, blobs };
  }

  it("saves the blob under the server's name, else the fallback", async () => {
    const { saved, blobs } = capture();
    const blob = new Blob(['a,b\r\n']);
    const response = new Response(null, {
      headers: { 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent('兑换记录.csv')}` },
    });
    await expect(saveDownload(Promise.resolve({ data: blob, response }), '导出.csv')).resolves.toBe('兑换记录.csv');
    await expect(saveDownload(Promise.resolve({ data: blob, response: new Response(null) }), '导出.csv')).resolves.toBe('导出.csv');
    expect(saved).toEqual([
      { name: '兑换记录.csv', href: 'blob:x' },
      { name: '导出.csv', href: 'blob:x' },
    ]);
    expect(blobs[0]).toBe(blob);
    // The link is gone from the page again.
    expect(document.querySelector('a[download]')).toBeNull();
  });

  it('throws the problem in Chinese and saves nothing', async () => {
    const { saved } = capture();
    const call: Promise<FetchResult<Blob>> = Promise.resolve({
      error: { code: 'invalid_query', status: 400, detail: 'English', errors: { limit: 'x' } },
      response: new Response(null, { status: 400 }),
    });
    const err = await saveDownload(call, 'x.xlsx').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiProblemError);
    expect((err as ApiProblemError).problem.message).toBe(PROBLEM_MESSAGES.invalid_query);
    expect(saved).toEqual([]);
  });
});

describe('export queries', () => {
  it('carries every filter of the resident list over, with the format and without paging', () => {
    const f = {
      ...emptyFilters(),
      text: ' +86 138 0013 8000 ',
      groupId: 'g1',
      buildingId: 'b1',
      employmentStatus: 'unemployed' as const,
      disability: true,
      partyMember: true,
      jobSeeking: true,
      workingAge: true,
    };
    expect(residentExportQuery(f, 's1', 'csv')).toEqual({
      q: '13800138000',
      site_id: 's1',
      group_id: 'g1',
      building_id: 'b1',
      employment_status: 'unemployed',
      disability: true,
      party_member: true,
      job_seeking: true,
      working_age: true,
      format: 'csv',
    });
    const plain = residentExportQuery(emptyFilters(), null, 'xlsx');
    expect(plain).toEqual({ format: 'xlsx' });
    expect('limit' in plain || 'cursor' in plain).toBe(false);
  });

  it('carries the redemption filters over, without paging', () => {
    expect(redemptionExportQuery({ status: 'pending', householdId: 'h1', siteId: 's1' }, 'xlsx')).toEqual({
      status: 'pending',
      household_id: 'h1',
      site_id: 's1',
      format: 'xlsx',
    });
    expect(redemptionExportQuery({ status: '', householdId: null, siteId: null }, 'csv')).toEqual({ format: 'csv' });
  });
});
