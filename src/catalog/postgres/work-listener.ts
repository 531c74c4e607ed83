// Wakes a stager when work is queued: LISTEN on the catalog's channel on a connection of its own, connected again
// (with a growing pause) whenever it is lost. A notification can be missed while it is down, so every (re)connect
// wakes the stager too: a wake means "look at the queue", never "there is exactly this much".
import pg from 'pg';
import { messageOf } from '../../errors.js';
import { sqlIdentifier } from '../../sql/quote.js';

export type WakeReason =
  /** LISTEN is in place (first time, or after a reconnect): work may have been queued meanwhile. */
  | 'listening'
  /** A discoverer queued versions. */
  | 'notified';

export interface WorkListenerOptions {
  readonly onWake: (reason: WakeReason) => void;
  /** Told when the connection is lost or cannot be made, with the pause before the next try. */
  readonly onTrouble?: (message: string, retryInMs: number) => void;
  /** The first pause before reconnecting; it doubles up to `maxRetryMs`. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

export interface WorkListener {
  /** Whether LISTEN is in place now. */
  readonly listening: () => boolean;
  close(): Promise<void>;
}

export function listenForWork(url: string, channel: string, options: WorkListenerOptions): WorkListener {
  const { onWake, onTrouble, retryMs = 100, maxRetryMs = 5_000 } = options;
  let client: pg.Client | undefined;
  let closed = false;
  let listening = false;
  let pause = retryMs;
  let timer: NodeJS.Timeout | undefined;

  const lost = (why: string) => {
    if (closed) return;
    listening = false;
    const dead = client;
    client = undefined;
    dead?.removeAllListeners();
    dead?.on('error', () => {});
    dead?.end().catch(() => {});
    if (timer !== undefined) return;
    onTrouble?.(why, pause);
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, pause);
    pause = Math.min(pause * 2, maxRetryMs);
  };

  const connect = async () => {
    if (closed) return;
    const fresh = new pg.Client({ connectionString: url, application_name: 'strata-catalog-listener', connectionTimeoutMillis: 10_000 });
    client = fresh;
    fresh.on('error', (error) => lost(`the catalog listener's connection failed: ${messageOf(error)}`));
    fresh.on('end', () => lost("the catalog listener's connection ended"));
    fresh.on('notification', (message) => {
      if (message.channel === channel) onWake('notified');
    });
    try {
      await fresh.connect();
      await fresh.query(`LISTEN ${sqlIdentifier(channel)}`);
    } catch (error) {
      if (client === fresh) lost(`the catalog listener cannot listen: ${messageOf(error)}`);
      return;
    }
    if (closed || client !== fresh) return;
    listening = true;
    pause = retryMs;
    onWake('listening');
  };

  void connect();
  return {
    listening: () => listening,
    async close() {
      closed = true;
      listening = false;
      if (timer !== undefined) clearTimeout(timer);
      const last = client;
      client = undefined;
      last?.removeAllListeners();
      last?.on('error', () => {});
      await last?.end().catch(() => {});
    },
  };
}
