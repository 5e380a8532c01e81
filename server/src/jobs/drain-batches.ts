/**
 * Runs `batch` again while it comes back full (`done === size`), but only for `budgetMs` of wall time.
 *
 * A drain loop with no time limit never ends under steady load: new work arrives as fast as batches
 * are taken, and the scheduler cancels the run when its lock lifetime (60 s) runs out. That is logged as
 * an error, and a second run may start next to the first one. With a budget well inside the lock, the run
 * ends on its own and the next scheduled run carries on. Nothing is lost: each batch commits its own work.
 * Returns the number of items done.
 */
export async function drainBatches(
  batch: () => Promise<number>,
  size: number,
  budgetMs: number,
  now: () => number = () => performance.now(),
): Promise<number> {
  const deadline = now() + budgetMs;
  let total = 0;
  for (;;) {
    const done = await batch();
    total += done;
    if (done < size || now() >= deadline) return total;
  }
}

/** A third of the scheduler's 60 s lock lifetime: the run ends well before it is cancelled. */
export const DRAIN_BUDGET_MS = 20_000;
