// The demo's progress bar on stderr: redrawn in place on a terminal, a line per quarter otherwise (CI logs).
import type { CliIo } from '../io.js';

export interface ProgressBar {
  update(done: number, label: string): void;
  done(): void;
}

export function progressBar(stream: CliIo['stderr'], total: number, width = 30): ProgressBar {
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  let lastQuarter = -1;
  const draw = (done: number, label: string): string => {
    const frac = total === 0 ? 1 : Math.min(1, done / total);
    const full = Math.round(frac * width);
    return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${String(Math.round(frac * 100)).padStart(3)}%  ${done}/${total}  ${label}`;
  };
  return {
    update(done, label) {
      if (tty) {
        stream.write(`\r${draw(done, label)}`);
        return;
      }
      const quarter = total === 0 ? 4 : Math.floor((done / total) * 4);
      if (quarter > lastQuarter) {
        lastQuarter = quarter;
        stream.write(`${draw(done, label)}\n`);
      }
    },
    done() {
      if (tty) stream.write('\n');
    },
  };
}
