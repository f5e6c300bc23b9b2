import { Binary, Long, Timestamp } from 'bson';

/**
 * The cluster time a replica-set member reports (`$clusterTime`, `operationTime`). The driver
 * gossips it back and uses `operationTime` for causally consistent sessions; a monotonic
 * (seconds, counter) pair is all it needs. The signature is unsigned: there is no auth.
 */
/** There is no auth, so one unsigned signature serves every reply (not rebuilt per reply). */
const UNSIGNED = Object.freeze({ hash: new Binary(Buffer.alloc(20)), keyId: Long.fromInt(0) });

export class ClusterClock {
  private seconds = 0;
  private increment = 0;

  tick(): Timestamp {
    const now = Math.floor(Date.now() / 1000);
    if (now > this.seconds) {
      this.seconds = now;
      this.increment = 1;
    } else {
      this.increment++;
    }
    return this.current();
  }

  current(): Timestamp {
    return new Timestamp({ t: this.seconds, i: Math.max(this.increment, 1) });
  }

  gossip(): { clusterTime: Timestamp; signature: { hash: Binary; keyId: Long } } {
    return { clusterTime: this.current(), signature: UNSIGNED };
  }
}
