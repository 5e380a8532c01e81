/** WebMoney's plugin accepts a plain-http form URL only on a loopback host; the simulators inherit that. */
export function simulatorsCanServe(publicUrl: string): boolean {
  const url = new URL(publicUrl);
  return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}
