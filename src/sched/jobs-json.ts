// Reads jobs from JSON: an array of Job objects, or { "jobs": [...] }. Syntax errors and bad
// jobs are reported with the line they are on (found by scanning the text for where each
// array element starts, since JSON.parse keeps no positions).
import { findDuplicates, type ParsedJobs } from './job-row.js';
import type { Job } from './types.js';
import { validateJobs } from './validate.js';

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/** Offsets where the elements of the first array at depth `depth` start. */
function elementOffsets(text: string, arrayDepth: number): number[] {
  const offsets: number[] = [];
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (expectElement && !/\s/.test(c) && c !== ']') {
      offsets.push(i);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (c === '[' && depth === arrayDepth) expectElement = true;
    } else if (c === ']' || c === '}') {
      if (depth === arrayDepth && offsets.length > 0) break;
      depth--;
    } else if (c === ',' && depth === arrayDepth) expectElement = true;
  }
  return offsets;
}

export function parseJobsJson(text: string): ParsedJobs {
  const parsed: ParsedJobs = { jobs: [], lines: [], problems: [] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const lineColumn = /line (\d+) column \d+/.exec(message);
    const position = /position (\d+)/.exec(message);
    const line = lineColumn ? Number(lineColumn[1]) : position ? lineAt(text, Number(position[1])) : 1;
    parsed.problems.push({ line, message: `invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}` });
    return parsed;
  }
  const wrapped = !Array.isArray(data) && typeof data === 'object' && data !== null && 'jobs' in data;
  const list = wrapped ? (data as { jobs: unknown }).jobs : data;
  if (!Array.isArray(list)) {
    parsed.problems.push({ line: 1, message: 'expected an array of jobs, or an object { "jobs": [...] }' });
    return parsed;
  }
  const offsets = elementOffsets(text, wrapped ? 2 : 1);
  list.forEach((element: unknown, index) => {
    const line = offsets[index] === undefined ? 1 : lineAt(text, offsets[index]);
    try {
      validateJobs([element]);
      parsed.jobs.push(element as Job);
      parsed.lines.push(line);
    } catch (error) {
      parsed.problems.push({
        line,
        message: `job ${index + 1}: ${(error as Error).message.replace(/^jobs\[0\]/, 'the job')}`,
      });
    }
  });
  findDuplicates(parsed);
  return parsed;
}
