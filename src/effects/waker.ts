// A sleep that can be cut short: the dispatcher's loops wait on it between polls and notify() ends the wait.
// A wake with nobody waiting is remembered, so a notify() that lands mid-pass is not lost. Timers are unref'd.
export interface Waker {
  wait(ms: number): Promise<void>;
  wake(): void;
}

export function createWaker(): Waker {
  let pending = false;
  let release: (() => void) | undefined;
  return {
    wait(ms) {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        timer.unref();
        function done() {
          clearTimeout(timer);
          release = undefined;
          resolve();
        }
        release = done;
      });
    },
    wake() {
      if (release) release();
      else pending = true;
    },
  };
}
