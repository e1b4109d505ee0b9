import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withDeadline } from './deadline.ts';

/** Work that ends only when its signal aborts, as a request to a peer that never answers does. */
const never = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

describe('withDeadline', () => {
  it('aborts work that outlives the deadline with a TimeoutError, as AbortSignal.timeout() does', async () => {
    await assert.rejects(withDeadline(5, never), { name: 'TimeoutError' });
  });

  it('answers what the work answered, and its signal was not aborted', async () => {
    let seen: AbortSignal | undefined;
    const answer = await withDeadline(60_000, async (signal) => {
      seen = signal;
      return 'answered';
    });
    assert.equal(answer, 'answered');
    assert.equal(seen?.aborted, false);
  });

  it('passes the work’s own failure through unchanged', async () => {
    const failure = new Error('connection refused');
    await assert.rejects(
      withDeadline(60_000, async () => {
        throw failure;
      }),
      (error) => error === failure,
    );
  });
});
