// Reads jobs from CSV: `id,arrival,burst[,priority[,io]]`, with or without a header line
// (a header may list the columns in any order). Blank lines and `#` comments are skipped;
// double quotes allow commas inside a field. Every bad row is reported with its line number.
import { findDuplicates, JOB_COLUMNS, type JobColumn, jobFromFields, type ParsedJobs } from './job-row.js';

function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === '') {
      field = '';
      quoted = true;
    } else if (c === ',') {
      fields.push(field.trim());
      field = '';
    } else field += c;
  }
  if (quoted) throw new TypeError('a quoted field is not closed (missing ")');
  fields.push(field.trim());
  return fields;
}

export function parseJobsCsv(text: string): ParsedJobs {
  const parsed: ParsedJobs = { jobs: [], lines: [], problems: [] };
  let columns: JobColumn[] | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = index === 0 ? raw.replace(/^\uFEFF/, '') : raw;
    if (content.trim() === '' || content.trimStart().startsWith('#')) return;
    try {
      const fields = splitCsvLine(content);
      if (columns === undefined) {
        const names = fields.map((f) => f.toLowerCase());
        if (names.includes('id') && names.includes('burst')) {
          const unknown = names.find((name) => !(JOB_COLUMNS as readonly string[]).includes(name));
          if (unknown !== undefined) {
            throw new TypeError(`unknown column "${unknown}" in the header: use ${JOB_COLUMNS.join(', ')}`);
          }
          columns = names as JobColumn[];
          if (!columns.includes('arrival')) throw new TypeError('the header has no "arrival" column');
          return;
        }
        columns = [...JOB_COLUMNS];
      }
      if (fields.length > columns.length) {
        throw new TypeError(`${fields.length} fields, expected at most ${columns.length} (${columns.join(',')})`);
      }
      const row: Partial<Record<JobColumn, string>> = {};
      columns.forEach((column, i) => {
        if (fields[i] !== undefined) row[column] = fields[i];
      });
      parsed.jobs.push(jobFromFields(row));
      parsed.lines.push(line);
    } catch (error) {
      parsed.problems.push({ line, message: (error as Error).message });
    }
  });
  findDuplicates(parsed);
  return parsed;
}
