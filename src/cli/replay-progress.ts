import type { CommandContext } from './command';
import { duration } from './summarize-event';

/** How often the bar is redrawn at most: redrawing for each of thousands of events would cost more than the deliveries. */
const REDRAW_MS = 100;
/** How often a progress line is written where standard error is not a terminal (a pipe, a CI log). */
const LINE_EVERY_MS = 5000;
const BAR_WIDTH = 24;

/** Where a replay is: how many of how many are done, and how many of those failed. */
export interface ReplayCounts {
  readonly done: number;
  readonly total: number;
  readonly failed: number;
}

/**
 * `replay`'s progress on standard error. On a terminal, a bar redrawn in place:
 * `[██████████░░░░░░░░░░░░░░]  42% 84/200 · 38/s · ETA 3 s · 1 failed`. Elsewhere, a plain line every
 * five seconds (`replaying 84/200 (42%) · 38/s · ETA 3 s · 1 failed`), so that a CI log shows the
 * replay is alive without being flooded; a replay shorter than that prints nothing there.
 */
export function replayProgress(context: CommandContext) {
  const { io, clock, errColor } = context;
  const terminal = io.stderrIsTTY ?? io.isTTY;
  const started = clock.now();
  let lastDrawn = terminal ? Number.NEGATIVE_INFINITY : started;
  let drawn = false;

  const describe = ({ done, total, failed }: ReplayCounts) => {
    const elapsedS = (clock.now() - started) / 1000;
    const perSecond = elapsedS > 0 ? done / elapsedS : 0;
    const rate = perSecond >= 10 ? Math.round(perSecond).toString() : perSecond.toFixed(1);
    const eta = perSecond > 0 ? duration(((total - done) / perSecond) * 1000) : '?';
    const failures = failed === 0 ? '' : ` · ${errColor.red(`${failed} failed`)}`;
    return { percent: total === 0 ? 100 : Math.floor((done / total) * 100), tail: `${rate}/s · ETA ${eta}${failures}` };
  };

  return {
    update(counts: ReplayCounts) {
      const now = clock.now();
      const last = counts.done === counts.total;
      if (terminal) {
        if (now - lastDrawn < REDRAW_MS && !last) return;
        lastDrawn = now;
        drawn = true;
        const { percent, tail } = describe(counts);
        const filled = Math.round((percent / 100) * BAR_WIDTH);
        const bar = `[${'█'.repeat(filled)}${errColor.dim('░'.repeat(BAR_WIDTH - filled))}]`;
        io.stderr(`\r\u001b[2K${bar} ${String(percent).padStart(3)}% ${counts.done}/${counts.total} · ${tail}`);
        return;
      }
      if (now - lastDrawn < LINE_EVERY_MS || last) return;
      lastDrawn = now;
      const { percent, tail } = describe(counts);
      io.stderr(`replaying ${counts.done}/${counts.total} (${percent}%) · ${tail}\n`);
    },
    /** Removes the bar before the summary; the periodic lines stay, as a log. */
    clear() {
      if (drawn) io.stderr('\r\u001b[2K');
    },
  };
}
