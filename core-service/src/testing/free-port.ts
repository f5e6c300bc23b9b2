import { createServer } from 'node:net';

/**
 * Asks the kernel for a free TCP port on the loopback interface.
 * The port is released before it is returned, so a caller that cannot bind it (another
 * process won the race) should ask again; `startRedisServer` does.
 */
export async function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}
