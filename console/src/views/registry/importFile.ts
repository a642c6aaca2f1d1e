// The resident import file (design.md, "Resident import format") on the browser side: which
// files are taken (Excel, WPS and CSV) and how they are sent, reading a CSV file the way the
// server does (so an error's line and column can be shown with the file's own cells), and the
// server's row problems as table rows in Chinese.
import type { RowProblem } from '@/api/types';

/** The kinds of file the import takes, by file name extension. */
export type ImportFileKind = 'xlsx' | 'xls' | 'et' | 'csv';

/** The upload's media type per kind (a WPS .et workbook has none of its own). */
export const IMPORT_CONTENT_TYPES: Readonly<Record<ImportFileKind, string>> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xls: 'application/vnd.ms-excel',
  et: 'application/octet-stream',
  csv: 'text/csv',
};

/** The file picker's `accept`. */
export const IMPORT_ACCEPT = '.xlsx,.xls,.et,.csv';

/** The kind of a chosen file, or null when the import does not take it. */
export function importFileKind(fileName: string): ImportFileKind | null {
  const ext = /\.([a-z]+)$/i.exec(fileName.trim())?.[1]?.toLowerCase();
  return ext === 'xlsx' || ext === 'xls' || ext === 'et' || ext === 'csv' ? ext : null;
}

export interface ImportColumn {
  /** English header (the name the server reports problems by). */
  key: string;
  /** Chinese header. */
  zh: string;
  required: boolean;
}

/** The columns of the format, in the design's order. */
export const IMPORT_COLUMNS: readonly ImportColumn[] = [
  { key: 'committee', zh: '居委会', required: true },
  { key: 'group', zh: '居民组', required: true },
  { key: 'building', zh: '楼栋', required: true },
  { key: 'household', zh: '户号', required: true },
  { key: 'relation', zh: '与户主关系', required: false },
  { key: 'name', zh: '姓名', required: true },
  { key: 'gender', zh: '性别', required: true },
  { key: 'birth_date', zh: '出生日期', required: true },
  { key: 'phone', zh: '手机号', required: false },
  { key: 'id_card_number', zh: '身份证号', required: true },
  { key: 'disability', zh: '残疾', required: false },
  { key: 'disability_level', zh: '残疾等级', required: false },
  { key: 'party_member', zh: '党员', required: false },
  { key: 'low_income', zh: '低保', required: false },
  { key: 'skills', zh: '技能', required: false },
];

const BY_KEY = new Map(IMPORT_COLUMNS.map((c) => [c.key, c]));

/** The Chinese name of a column the server names in English. */
export function columnLabel(key: string): string {
  return BY_KEY.get(key)?.zh ?? key;
}

/** The header cell -> the column's English key, as the server matches it (case-insensitive English, or Chinese). */
export function columnOfHeader(cell: string): string | null {
  const t = cell.trim();
  for (const c of IMPORT_COLUMNS) {
    if (t.toLowerCase() === c.key || t === c.zh) return c.key;
  }
  return null;
}

/**
 * The file's text as the server reads it: UTF-8 with or without a BOM, else GBK (what Chinese
 * spreadsheets save), NFC-normalised. Null when it is neither.
 */
export function decodeCsv(bytes: Uint8Array): string | null {
  let b = bytes;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
  for (const encoding of ['utf-8', 'gbk']) {
    try {
      return new TextDecoder(encoding, { fatal: true }).decode(b).normalize('NFC');
    } catch {
      // Try the next encoding.
    }
  }
  return null;
}

/** One CSV record and the physical line it starts on (the header is line 1). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * RFC 4180 records with the line each starts on. CRLF, LF and a lone CR each end a line (inside
 * quotes too, as the server counts them); blank lines are skipped.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  const newline = (): void => {
    // At text[i], a line end: consume CRLF as one.
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else i += 1;
    line += 1;
  };
  while (i < n) {
    if (text[i] === '\r' || text[i] === '\n') {
      newline();
      continue;
    }
    const start = line;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let atCellStart = true;
    for (;;) {
      if (i >= n) {
        cells.push(cell);
        break;
      }
      const ch = text[i] as string;
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
          } else {
            quoted = false;
            i += 1;
          }
        } else if (ch === '\r' || ch === '\n') {
          cell += ch === '\r' && text[i + 1] === '\n' ? '\r\n' : ch;
          newline();
        } else {
          cell += ch;
          i += 1;
        }
        continue;
      }
      if (ch === '"' && atCellStart) {
        quoted = true;
        atCellStart = false;
        i += 1;
      } else if (ch === ',') {
        cells.push(cell);
        cell = '';
        atCellStart = true;
        i += 1;
      } else if (ch === '\r' || ch === '\n') {
        cells.push(cell);
        newline();
        break;
      } else {
        cell += ch;
        atCellStart = false;
        i += 1;
      }
    }
    records.push({ line: start, cells });
  }
  return records;
}

/** A chosen import file, read for showing its rows beside the server's problems. */
export interface ImportFile {
  /** The header's cells as written. */
  header: string[];
  /** English column key -> cell position. */
  positions: Map<string, number>;
  /** Line -> the record starting on it. */
  byLine: Map<number, CsvRecord>;
  /** Data rows (records after the header that are not all blank). */
  dataRows: number;
}

export function readImportFile(text: string): ImportFile {
  const records = parseCsv(text);
  const header = records.find((r) => r.cells.some((c) => c.trim() !== ''));
  const positions = new Map<string, number>();
  header?.cells.forEach((cell, i) => {
    const key = columnOfHeader(cell);
    if (key && !positions.has(key)) positions.set(key, i);
  });
  return {
    header: header?.cells ?? [],
    positions,
    byLine: new Map(records.map((r) => [r.line, r])),
    dataRows: records.filter((r) => r !== header && r.cells.some((c) => c.trim() !== '')).length,
  };
}

/** One line of the error table. */
export interface ImportErrorRow {
  /** The workbook's sheet ("" for a CSV file). */
  sheet: string;
  /** Row in the sheet, or line in the CSV file (the header is 1). */
  line: number;
  /** The column's English key as the server named it ("" for the whole row). */
  column: string;
  /** What the user reads in the column cell: the header as the file writes it, else its name. */
  columnLabel: string;
  /** The offending cell as written; null when not known (ID numbers are never sent back). */
  value: string | null;
  /** What is wrong, in Chinese. */
  message: string;
}

/** Where a problem's column sits in its record, if the file says. */
function positionOf(file: ImportFile | null, line: number, column: string): number | null {
  if (!file || !column) return null;
  const cellN = /^cell (\d+)$/.exec(column);
  if (cellN) return Number(cellN[1]) - 1;
  if (line === 1 || file.byLine.get(line)?.cells === file.header) {
    const i = file.header.findIndex((h) => h.trim() === column || columnOfHeader(h) === column);
    return i >= 0 ? i : null;
  }
  return file.positions.get(column) ?? null;
}

function labelOf(column: string): string {
  if (!column) return '整行';
  const cellN = /^cell (\d+)$/.exec(column);
  if (cellN) return `第 ${cellN[1]} 格`;
  return columnLabel(column);
}

/** The server's problems as table rows, with the file's cell beside each. */
/**
 * The server's problems as table rows. With the CSV file read in the browser (`file`), each
 * shows the file's own cell; otherwise (a workbook) the cell the server sends back.
 */
export function mapRowProblems(problems: readonly RowProblem[], file: ImportFile | null): ImportErrorRow[] {
  return problems.map((p) => {
    const pos = positionOf(file, p.line, p.column);
    const fileCell = pos === null ? undefined : file?.byLine.get(p.line)?.cells[pos];
    return {
      sheet: p.sheet ?? '',
      line: p.line,
      column: p.column,
      columnLabel: p.header?.trim() || labelOf(p.column),
      value: fileCell ?? p.value ?? null,
      message: rowMessage(p),
    };
  });
}

/** The server's own message when it is Chinese (it is unless asked otherwise), else a translation of its reason. */
function rowMessage(p: RowProblem): string {
  const m = p.message?.trim() ?? '';
  return /[\u4e00-\u9fff]/.test(m) ? m : translateImportReason(p.reason);
}

/** One cell of a file row, for the panel that shows the whole row of a problem. */
export interface RowCell {
  header: string;
  value: string;
  /** A problem names this cell. */
  flagged: boolean;
}

/** The cells of the record on `line`, each under its header, flagging those with problems. */
export function rowCells(file: ImportFile, line: number, problems: readonly ImportErrorRow[]): RowCell[] {
  const record = file.byLine.get(line);
  if (!record) return [];
  const flagged = new Set<number>();
  for (const p of problems) {
    if (p.line !== line) continue;
    const pos = positionOf(file, line, p.column);
    if (pos !== null) flagged.add(pos);
  }
  const width = Math.max(record.cells.length, file.header.length);
  const cells: RowCell[] = [];
  for (let i = 0; i < width; i++) {
    const h = file.header[i]?.trim();
    cells.push({
      header: h ? (columnOfHeader(h) ? columnLabel(columnOfHeader(h) as string) : h) : `第 ${i + 1} 格`,
      value: record.cells[i] ?? '',
      flagged: flagged.has(i),
    });
  }
  return cells;
}

// The server's reasons (entity/src/people/csv_import and registry/import), most specific first.
type Rule = [RegExp, (m: RegExpExecArray) => string];

const zhColumn = (s: string | undefined): string => {
  const t = (s ?? '').trim();
  return BY_KEY.get(t)?.zh ?? t;
};

const REASON_RULES: readonly Rule[] = [
  [/^is required$/, () => '必填，不能为空'],
  [/^must be at most (\d+) characters$/, (m) => `最多 ${m[1]} 个字`],
  [/^each skill must be at most (\d+) characters$/, (m) => `每项技能最多 ${m[1]} 个字`],
  [/must not contain line breaks, tabs or other control characters$/, () => '不能包含换行、制表符等特殊字符'],
  [/^contains a control character/, () => '含有看不见的特殊字符，请重新输入这一格，或把文件重新另存为 CSV'],
  [/^"(.*)" is not one of 户主/s, (m) => `“${m[1]}”不对，应为 户主、配偶、子女、父母、其他 之一`],
  [/^"(.*)" is not 男, 女, male or female$/s, (m) => `“${m[1]}”不对，应为 男 或 女`],
  [/^"(.*)" is not a date written YYYY-MM-DD$/s, (m) => `“${m[1]}”不是日期，应写成 年-月-日，如 1980-05-01`],
  [/^is in the future$/, () => '日期晚于今天'],
  [/^does not match the birth date in the ID number/, () => '与身份证号中的出生日期（第 7–14 位）不一致'],
  [
    /^gender (male|female) \S+ does not match the ID number, whose 17th digit says (male|female)/,
    (m) => `性别“${m[1] === 'male' ? '男' : '女'}”与身份证号不一致（按身份证号应为“${m[2] === 'male' ? '男' : '女'}”）`,
  ],
  [/^phone number is empty$/, () => '手机号是空的'],
  [/^must be an 11-digit mainland mobile number/, () => '应为 11 位手机号，以 13–19 开头'],
  [/^must be 18 characters: 17 digits followed by a digit or X$/, () => '身份证号应为 18 位：17 位数字加 1 位数字或 X'],
  [/^check character does not match/, () => '身份证号校验位不对，可能有一位输错了'],
  [/^region code \(the first 6 digits\) must not start with 0$/, () => '身份证号前 6 位地区码不能以 0 开头'],
  [/^characters 7-14 must be a real birth date/, () => '身份证号第 7–14 位不是 1900 年以后的有效出生日期'],
  [/^"(.*)" is not 是\/否/s, (m) => `“${m[1]}”不对，应为 是 或 否`],
  [/^"(.*)" is not a level from 1 to 4$/s, (m) => `“${m[1]}”不对，残疾等级应为 1–4`],
  [/^a disability level needs disability/, () => '填了残疾等级，“残疾”一栏应为“是”'],
  [/^the same ID number is already on line (\d+)$/, (m) => `身份证号与第 ${m[1]} 行重复`],
  [
    /^building "(.*)" is under (.*) \/ (.*) on line (\d+), so it cannot also be under (.*) \/ (.*)$/s,
    (m) => `楼栋“${m[1]}”在第 ${m[4]} 行属于 ${m[2]} / ${m[3]}，不能再属于 ${m[5]} / ${m[6]}`,
  ],
  [
    /^building `(.*)` is registered under another group/s,
    (m) => `楼栋“${m[1]}”已登记在另一个居民组，请先在档案中调整`,
  ],
  [
    /^household (.*) in building (.*) already has a head \(户主\) on line (\d+)$/s,
    (m) => `${m[2]} ${m[1]} 户在第 ${m[3]} 行已有户主`,
  ],
  [/^row has (\d+) cells but the header has (\d+)$/, (m) => `这一行有 ${m[1]} 格，表头有 ${m[2]} 格，请检查是否多了或少了逗号`],
  [/^header cell (\d+) is empty/, (m) => `表头第 ${m[1]} 格是空的，请填写列名或删除这一列`],
  [/^unknown column "(.*)" \(header cell (\d+)\)/s, (m) => `表头第 ${m[2]} 格“${m[1]}”不是模板中的列名`],
  [
    /^column (\S+) \/ \S+ appears more than once \(header cells (\d+) and (\d+)\)$/,
    (m) => `“${zhColumn(m[1])}”列出现了两次（表头第 ${m[2]} 格和第 ${m[3]} 格）`,
  ],
  [/^required column (\S+) \/ \S+ is missing$/, (m) => `缺少必填的“${zhColumn(m[1])}”列`],
  [/^the file is neither UTF-8 nor GBK/, () => '文件编码无法识别，请在表格软件中另存为“CSV UTF-8”格式'],
  [/^the file is not valid CSV/, () => '文件不是有效的 CSV 格式（常见原因：引号不成对）'],
  [/^the file is empty/, () => '文件是空的，第一行应为表头'],
  [/^(\d+) more problem\(s\) omitted/, (m) => `还有 ${m[1]} 个问题没有列出，请先改正以上问题后重新导入`],
];

/** A server reason in Chinese; an unknown one gets a general sentence (English is never shown). */
export function translateImportReason(reason: string): string {
  for (const [re, zh] of REASON_RULES) {
    const m = re.exec(reason);
    if (m) return zh(m);
  }
  return '内容不符合要求，请对照模板检查';
}
