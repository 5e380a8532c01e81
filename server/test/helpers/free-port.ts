import { type AddressInfo, createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that is free now: the OS picks it for a probe listener, which is closed again.
 * For a process that must be told its port up front (a child `payrail start`, a server restarted on the
 * same port); anything that can listen on port 0 itself should do that instead.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
