// The outbox in memory: for tests and for an embedder that needs no durability.
import type { AttemptRecord, OutboxDelivery, OutboxStore } from './outbox-store.js';

type Stored = OutboxDelivery & { leaseUntil: number };

/**
 * An {@link OutboxStore} in memory (gone with the process).
 *
 * @example
 * ```ts
 * const dispatcher = createWebhookDispatcher({ store: createMemoryOutbox(), endpoints });
 * ```
 */
export function createMemoryOutbox(): OutboxStore {
  const deliveries = new Map<string, Stored>();
  const secrets = new Map<string, string>();
  const keyOf = (messageId: string, endpoint: string) => JSON.stringify([messageId, endpoint]);
  const plain = ({ leaseUntil, ...delivery }: Stored): OutboxDelivery => ({ ...delivery, claimedUntil: leaseUntil });
  const mine = (endpoints: readonly string[] | undefined) => (delivery: Stored) => endpoints === undefined || endpoints.includes(delivery.endpoint);
  return {
    add(added) {
      for (const delivery of added) {
        const key = keyOf(delivery.messageId, delivery.endpoint);
        if (!deliveries.has(key)) {
          deliveries.set(key, { ...delivery, attempts: 0, nextAttemptAt: delivery.createdAt, status: 'pending', lastError: null, lastStatus: null, finishedAt: null, leaseUntil: 0 });
        }
      }
      return Promise.resolve();
    },
    claimDue(now, leaseMs, limit, endpoints) {
      const due = [...deliveries.values()].filter(mine(endpoints)).filter((delivery) => delivery.status === 'pending' && delivery.nextAttemptAt <= now && delivery.leaseUntil <= now);
      const claimed = due.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt).slice(0, limit);
      for (const delivery of claimed) delivery.leaseUntil = now + leaseMs;
      return Promise.resolve(claimed.map(plain));
    },
    nextDueAt(endpoints) {
      const due = [...deliveries.values()].filter(mine(endpoints)).filter((delivery) => delivery.status === 'pending').map((delivery) => Math.max(delivery.nextAttemptAt, delivery.leaseUntil));
      return Promise.resolve(due.length === 0 ? undefined : Math.min(...due));
    },
    recordAttempt(messageId, endpoint, attempt: AttemptRecord) {
      const key = keyOf(messageId, endpoint);
      const delivery = deliveries.get(key);
      // Only under the claim it was made under: a later claim's attempt is not overwritten.
      if (delivery?.status !== 'pending' || delivery.leaseUntil !== attempt.claimedUntil) return Promise.resolve();
      const status = attempt.error === undefined ? 'delivered' : attempt.nextAttemptAt === undefined ? 'dead' : 'pending';
      deliveries.set(key, {
        ...delivery,
        attempts: delivery.attempts + 1,
        status,
        lastError: attempt.error ?? null,
        lastStatus: attempt.status,
        nextAttemptAt: attempt.nextAttemptAt ?? delivery.nextAttemptAt,
        finishedAt: status === 'pending' ? null : attempt.at,
        leaseUntil: 0,
      });
      return Promise.resolve();
    },
    deadLetters(limit) {
      const dead = [...deliveries.values()].filter((delivery) => delivery.status === 'dead');
      return Promise.resolve(dead.sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0)).slice(0, limit).map(plain));
    },
    replay(now, messageId) {
      let count = 0;
      for (const [key, delivery] of deliveries) {
        if (delivery.status !== 'dead' || (messageId !== undefined && delivery.messageId !== messageId)) continue;
        deliveries.set(key, { ...delivery, status: 'pending', attempts: 0, nextAttemptAt: now, leaseUntil: 0, finishedAt: null });
        count += 1;
      }
      return Promise.resolve(count);
    },
    counts(endpoints) {
      const counts = { pending: 0, dead: 0, delivered: 0 };
      for (const delivery of [...deliveries.values()].filter(mine(endpoints))) counts[delivery.status] += 1;
      return Promise.resolve(counts);
    },
    prune(deliveredBefore, deadBefore) {
      let count = 0;
      for (const [key, delivery] of deliveries) {
        const before = delivery.status === 'delivered' ? deliveredBefore : delivery.status === 'dead' ? deadBefore : Number.NEGATIVE_INFINITY;
        if ((delivery.finishedAt ?? 0) < before) {
          deliveries.delete(key);
          count += 1;
        }
      }
      return Promise.resolve(count);
    },
    secretFor(endpoint, generate) {
      const existing = secrets.get(endpoint);
      if (existing !== undefined) return Promise.resolve({ secret: existing, created: false });
      const secret = generate();
      secrets.set(endpoint, secret);
      return Promise.resolve({ secret, created: true });
    },
    close: () => Promise.resolve(),
  };
}
