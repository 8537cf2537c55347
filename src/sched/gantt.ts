// gantt(): draws a Schedule as a terminal chart (the default) or a standalone SVG document.
import { ganttSvg } from './gantt-svg.js';
import { ganttText } from './gantt-text.js';
import type { GanttOptions, Schedule } from './types.js';

export function gantt(schedule: Schedule, options?: GanttOptions): string {
  if (typeof schedule !== 'object' || schedule === null || !Array.isArray(schedule.slices)) {
    throw new TypeError('gantt() needs the Schedule returned by simulate()');
  }
  const format = options?.format ?? 'text';
  if (format === 'text') return ganttText(schedule);
  if (format === 'svg') return ganttSvg(schedule);
  throw new TypeError(`gantt format must be 'text' or 'svg', got ${JSON.stringify(format)}`);
}
