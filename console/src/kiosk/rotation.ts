// When the kiosk moves on by itself. A touch holds the screen where the visitor left it; after
// `idleMs` without one, it closes any job opened and goes back to rotating every `rotateMs`.

export type RotationStep =
  /** Nothing to do. */
  | 'none'
  /** Idle again after a visitor: close the job shown, back to the top of the list. */
  | 'resume'
  /** Time to show the next panel. */
  | 'next';

export interface Rotation {
  /** A visitor touched the screen (or a key, the wheel) at `now`. */
  touch(now: number): void;
  /** Called often (every second): what to do at `now`. */
  tick(now: number): RotationStep;
  /** Whether a visitor touched it less than `idleMs` ago. */
  busy(now: number): boolean;
}

export function createRotation(opts: { idleMs: number; rotateMs: number }, start: number): Rotation {
  let lastTouch = Number.NEGATIVE_INFINITY;
  let lastMove = start;
  let visited = false;

  const busy = (now: number) => now - lastTouch < opts.idleMs;

  return {
    touch(now) {
      lastTouch = now;
      visited = true;
    },
    tick(now) {
      if (busy(now)) return 'none';
      if (visited) {
        visited = false;
        lastMove = now;
        return 'resume';
      }
      if (now - lastMove >= opts.rotateMs) {
        lastMove = now;
        return 'next';
      }
      return 'none';
    },
    busy,
  };
}
