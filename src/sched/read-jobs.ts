// Loads a jobs file for the command line: picks CSV or JSON by extension (or by the first
// character when the extension says neither) and reports problems as `file:line: message`.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ParsedJobs } from './job-row.js';
import { parseJobsCsv } from './jobs-csv.js';
import { parseJobsJson } from './jobs-json.js';

export async function readJobsFile(path: string): Promise<ParsedJobs> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { jobs: [], lines: [], problems: [{ line: 0, message: `cannot read the jobs file: ${reason}` }] };
  }
  const extension = extname(path).toLowerCase();
  const json = extension === '.json' || (extension !== '.csv' && /^\s*[[{]/.test(text));
  return json ? parseJobsJson(text) : parseJobsCsv(text);
}
