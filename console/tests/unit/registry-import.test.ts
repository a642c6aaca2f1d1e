import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  IMPORT_ACCEPT,
  IMPORT_COLUMNS,
  IMPORT_CONTENT_TYPES,
  columnOfHeader,
  decodeCsv,
  importFileKind,
  mapRowProblems,
  parseCsv,
  readImportFile,
  rowCells,
  translateImportReason,
} from '@/views/registry/importFile';
import { importUrl, interpretImportResponse, uploadImport } from '@/views/registry/importUpload';
import { TEMPLATE_FILE_NAME, downloadTemplate } from '@/views/registry/importTemplate';
import type { RowProblem } from '@/api/types';
import { session } from './support/site-api';

/** A row problem as an older server wrote it (no header, code or message). */
const rp = (p: Pick<RowProblem, 'line' | 'column' | 'reason'> & Partial<RowProblem>): RowProblem => ({
  header: '',
  code: '',
  message: '',
  ...p,
});

describe('import file: reading', () => {
  it('gives each record the physical line it starts on, as the server counts', () => {
    const text = 'a,b\r\n1,2\r\n\r\n"x\r\ny",3\n4,"q""uote"\r5,6';
    const recs = parseCsv(text);
    expect(recs).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', '2'] },
      { line: 4, cells: ['x\r\ny', '3'] },
      { line: 6, cells: ['4', 'q"uote'] },
      { line: 7, cells: ['5', '6'] },
    ]);
  });

  it('keeps empty cells and a trailing empty cell', () => {
    expect(parseCsv('a,,c,\n')).toEqual([{ line: 1, cells: ['a', '', 'c', ''] }]);
  });

  it('decodes UTF-8 with a BOM, and GBK when it is not UTF-8', () => {
    const utf8 = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('居委会,姓名\n')]);
    expect(decodeCsv(utf8)).toBe('居委会,姓名\n');
    // "居委会,姓名\n" in GBK.
    const gbk = new Uint8Array([0xbe, 0xd3, 0xce, 0xaf, 0xbb, 0xe1, 0x2c, 0xd0, 0xd5, 0xc3, 0xfb, 0x0a]);
    expect(decodeCsv(gbk)).toBe('居委会,姓名\n');
  });

  it('matches headers in English (any case) or Chinese, in any order', () => {
    expect(columnOfHeader(' Name ')).toBe('name');
    expect(columnOfHeader('身份证号')).toBe('id_card_number');
    expect(columnOfHeader('籍贯')).toBeNull();
    const f = readImportFile('姓名,COMMITTEE,身份证号\n张三,一,X\n\n,,\n');
    expect(f.positions.get('name')).toBe(0);
    expect(f.positions.get('committee')).toBe(1);
    expect(f.positions.get('id_card_number')).toBe(2);
    expect(f.dataRows).toBe(1);
  });
});

describe('import file: problems beside the rows', () => {
  const text = [
    '居委会,居民组,楼栋,户号,姓名,性别,出生日期,身份证号,籍贯',
    '一,一组,1号楼,1-101,钱四,公,1970-01-02,411224197001020136,河南',
    '一,一组,"1号楼',
    '",1-102,孙五,女,1972/3/5,41122419720304002X,河南',
    '一,一组',
  ].join('\r\n');
  const file = readImportFile(text);

  it('maps each problem to its row number, column label and the cell in the file', () => {
    const rows = mapRowProblems(
      [
        rp({ line: 1, column: '籍贯', reason: 'unknown column "籍贯" (header cell 9); expected the English or Chinese names: committee, …' }),
        rp({ line: 1, column: 'relation', reason: 'required column relation / 与户主关系 is missing' }),
        rp({ line: 2, column: 'gender', reason: '"公" is not 男, 女, male or female' }),
        rp({ line: 3, column: 'birth_date', reason: '"1972/3/5" is not a date written YYYY-MM-DD' }),
        rp({ line: 3, column: 'cell 9', reason: 'contains a control character; retype the cell or save the file as CSV again' }),
        rp({ line: 5, column: '', reason: 'row has 2 cells but the header has 9' }),
      ],
      file,
    );
    expect(rows.map((r) => [r.line, r.columnLabel, r.value])).toEqual([
      [1, '籍贯', '籍贯'],
      [1, '与户主关系', null],
      [2, '性别', '公'],
      // The record that starts on line 3 spans lines 3 and 4.
      [3, '出生日期', '1972/3/5'],
      [3, '第 9 格', '河南'],
      [5, '整行', null],
    ]);
    expect(rows[2]!.message).toBe('“公”不对，应为 男 或 女');
    expect(rows[5]!.message).toContain('这一行有 2 格，表头有 9 格');
  });

  it('shows the whole row with the cells that have problems flagged', () => {
    const problems = mapRowProblems([rp({ line: 2, column: 'gender', reason: 'is required' })], file);
    const cells = rowCells(file, 2, problems);
    expect(cells).toHaveLength(9);
    expect(cells.find((c) => c.header === '性别')).toEqual({ header: '性别', value: '公', flagged: true });
    expect(cells.filter((c) => c.flagged)).toHaveLength(1);
    expect(cells[8]).toMatchObject({ header: '籍贯', value: '河南' });
    expect(rowCells(file, 99, problems)).toEqual([]);
  });

  it('still lists problems when the file cannot be read in the browser', () => {
    const rows = mapRowProblems([rp({ line: 7, column: 'phone', reason: 'must be an 11-digit mainland mobile number starting with 1[3-9]' })], null);
    expect(rows).toEqual([
      { sheet: '', line: 7, column: 'phone', columnLabel: '手机号', value: null, message: '应为 11 位手机号，以 13–19 开头' },
    ]);
  });

  it('translates the server reasons into Chinese and never shows English', () => {
    const cases: [string, string][] = [
      ['is required', '必填，不能为空'],
      ['check character does not match the other 17 digits (probably a typing mistake)', '身份证号校验位不对，可能有一位输错了'],
      ['gender male (男) does not match the ID number, whose 17th digit says female (女)', '性别“男”与身份证号不一致（按身份证号应为“女”）'],
      ['the same ID number is already on line 12', '身份证号与第 12 行重复'],
      ['household 3-201 in building 3号楼 already has a head (户主) on line 4', '3号楼 3-201 户在第 4 行已有户主'],
      ['required column id_card_number / 身份证号 is missing', '缺少必填的“身份证号”列'],
      ['column name / 姓名 appears more than once (header cells 2 and 5)', '“姓名”列出现了两次（表头第 2 格和第 5 格）'],
      ['12 more problem(s) omitted; fix these first and upload again', '还有 12 个问题没有列出，请先改正以上问题后重新导入'],
      ['each skill must be at most 50 characters', '每项技能最多 50 个字'],
    ];
    for (const [en, zh] of cases) expect(translateImportReason(en)).toBe(zh);
    expect(translateImportReason('something new the server says')).toBe('内容不符合要求，请对照模板检查');
  });
});

describe('import answer', () => {
  it('reads a report, a refused file with its rows, and other failures', () => {
    const report = { rows: 2, residents_created: 2, residents_updated: 0, committees_created: 0, groups_created: 0, buildings_created: 0, households_created: 1 };
    expect(interpretImportResponse(200, JSON.stringify(report))).toEqual({ kind: 'done', report });

    const invalid = interpretImportResponse(
      422,
      JSON.stringify({ code: 'import_invalid', status: 422, rows: [{ line: 2, column: 'name', reason: 'is required' }, { bad: true }] }),
    );
    expect(invalid).toMatchObject({ kind: 'invalid', rows: [{ line: 2, column: 'name' }] });
    expect(invalid.kind === 'invalid' && invalid.message).toContain('没有导入任何数据');

    expect(interpretImportResponse(422, JSON.stringify({ code: 'validation_failed', errors: { body: 'the file has a header but no residents' } })))
      .toEqual({ kind: 'failed', message: '文件只有表头，没有居民数据。' });
    expect(interpretImportResponse(413, '')).toMatchObject({ kind: 'failed', message: expect.stringContaining('32 MB') });
    expect(interpretImportResponse(403, JSON.stringify({ code: 'forbidden', status: 403 }))).toEqual({
      kind: 'failed',
      message: '您没有权限进行这个操作。',
    });
  });
});

describe('import from a workbook', () => {
  it('takes Excel, WPS and CSV files, each sent with its media type', () => {
    expect(IMPORT_ACCEPT).toBe('.xlsx,.xls,.et,.csv');
    expect(importFileKind('花名册.XLSX')).toBe('xlsx');
    expect(importFileKind('花名册.xls')).toBe('xls');
    expect(importFileKind('花名册.et')).toBe('et');
    expect(importFileKind('花名册.csv')).toBe('csv');
    expect(importFileKind('花名册.numbers')).toBeNull();
    expect(importFileKind('xlsx')).toBeNull();
    expect(IMPORT_CONTENT_TYPES).toEqual({
      xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      xls: 'application/vnd.ms-excel',
      et: 'application/octet-stream',
      csv: 'text/csv',
    });
    expect(IMPORT_COLUMNS.filter((c) => c.required).map((c) => c.key)).toEqual([
      'committee', 'group', 'building', 'household', 'name', 'gender', 'birth_date', 'id_card_number',
    ]);
  });

  it('names the sheet for a workbook only', () => {
    expect(importUrl('http://x.test', 's 1', ' 居民花名册 ', true)).toBe(
      `http://x.test/api/v1/sites/s%201/residents/import?sheet=${encodeURIComponent('居民花名册')}`,
    );
    expect(importUrl('http://x.test', 's1', '', true)).toBe('http://x.test/api/v1/sites/s1/residents/import');
    expect(importUrl('http://x.test', 's1', '居民花名册', false)).toBe('http://x.test/api/v1/sites/s1/residents/import');
  });

  it("shows the server's sheet, header as written, cell and Chinese message", () => {
    const rows = mapRowProblems(
      [
        { sheet: '居民花名册', line: 4, column: 'gender', header: '性别', value: '公', code: 'gender_unknown', reason: '"公" is not 男, 女, male or female', message: '“公”不是性别，请填 男 或 女' },
        { sheet: '居民花名册', line: 5, column: 'id_card_number', header: 'ID number', code: 'id_number_as_number', reason: 'the ID number is stored as a number', message: '身份证号被存成了数字，请把这一列设为文本后重新填写' },
        { sheet: '居民花名册', line: 6, column: 'name', header: '姓名', value: '', code: 'required', reason: 'is required', message: 'is required' },
        { line: 1, column: '', header: '', code: 'sheet_not_found', reason: 'the workbook has no sheet "x"', message: '表格里没有名为“x”的工作表' },
      ],
      null,
    );
    expect(rows).toEqual([
      { sheet: '居民花名册', line: 4, column: 'gender', columnLabel: '性别', value: '公', message: '“公”不是性别，请填 男 或 女' },
      // ID numbers never come back; the header is the file's own.
      { sheet: '居民花名册', line: 5, column: 'id_card_number', columnLabel: 'ID number', value: null, message: '身份证号被存成了数字，请把这一列设为文本后重新填写' },
      // A message that is not Chinese is never shown: the reason is translated instead.
      { sheet: '居民花名册', line: 6, column: 'name', columnLabel: '姓名', value: '', message: '必填，不能为空' },
      { sheet: '', line: 1, column: '', columnLabel: '整行', value: null, message: '表格里没有名为“x”的工作表' },
    ]);
  });

  it('reads every field of a refused workbook, and fills in what an older answer lacks', () => {
    const row = { sheet: '居民花名册', line: 3, column: 'gender', header: '性别', value: '公', code: 'gender_unknown', reason: 'r', message: '“公”不是性别' };
    const outcome = interpretImportResponse(
      422,
      JSON.stringify({ code: 'import_invalid', status: 422, rows: [row, { line: 2, column: 'name', reason: 'is required' }] }),
    );
    expect(outcome).toEqual({
      kind: 'invalid',
      message: expect.stringContaining('没有导入任何数据'),
      rows: [
        row,
        { sheet: null, line: 2, column: 'name', header: '', value: null, code: '', reason: 'is required', message: '' },
      ],
    });
    expect(interpretImportResponse(415, '')).toEqual({
      kind: 'failed',
      message: '请选择 Excel 表格（.xlsx、.xls）、WPS 表格（.et）或 CSV 文件。',
    });
  });

  it('uploads the file with its media type, the bearer token and Chinese asked for', async () => {
    const headers: Record<string, string> = {};
    let opened = '';
    const xhr = {
      upload: {} as XMLHttpRequestUpload,
      status: 200,
      responseText: JSON.stringify({ rows: 1, residents_created: 1, residents_updated: 0, committees_created: 0, groups_created: 0, buildings_created: 0, households_created: 0 }),
      open: (_m: string, url: string) => (opened = url),
      setRequestHeader: (k: string, v: string) => (headers[k] = v),
      getResponseHeader: () => null,
      send(this: { onload: () => void }) {
        this.onload();
      },
      onload: () => {},
      onerror: () => {},
    };
    const outcome = await uploadImport({
      url: 'http://x.test/api/v1/sites/s1/residents/import?sheet=a',
      file: new Blob(['PK']),
      contentType: IMPORT_CONTENT_TYPES.xlsx,
      token: () => 'T',
      refresh: async () => null,
      onProgress: () => {},
      createXhr: () => xhr as unknown as XMLHttpRequest,
    });
    expect(outcome.kind).toBe('done');
    expect(opened).toBe('http://x.test/api/v1/sites/s1/residents/import?sheet=a');
    expect(headers).toMatchObject({
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Accept-Language': 'zh-CN',
      Authorization: 'Bearer T',
    });
  });
});

describe('import template', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it("downloads the site's .xlsx template through the session and saves it under its Chinese name", async () => {
    session('staff');
    const seen: Request[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        seen.push(req);
        return new Response(new Uint8Array([0x50, 0x4b, 3, 4]), {
          status: 200,
          headers: {
            'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
            'Content-Disposition': `attachment; filename="import-template.xlsx"; filename*=UTF-8''${encodeURIComponent('居民花名册导入模板.xlsx')}`,
          },
        });
      }),
    );
    const saved: string[] = [];
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:template');
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });

    await expect(downloadTemplate('s1')).resolves.toBe('居民花名册导入模板.xlsx');
    expect(TEMPLATE_FILE_NAME).toBe('居民花名册导入模板.xlsx');
    expect(saved).toEqual(['居民花名册导入模板.xlsx']);
    expect(new URL(seen[0]!.url).pathname).toBe('/api/v1/sites/s1/residents/import-template');
    expect(seen[0]!.headers.get('Authorization')).toBe('Bearer T');
  });
});
