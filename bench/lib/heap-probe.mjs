// Preloaded into the server by bench/soak.ts (`--import`, with an IPC channel): answers
// `{ type: 'payrail-bench:heap', id }` with the process's V8 heap and memory figures. It reads numbers
// only, adds no route, and lets the process exit as if the channel were not there.
import { getHeapStatistics } from 'node:v8';

if (process.send && process.channel) {
  process.on('message', (message) => {
    if (message?.type !== 'payrail-bench:heap') return;
    const mem = process.memoryUsage();
    const heap = getHeapStatistics();
    process.send?.({
      type: 'payrail-bench:heap',
      id: message.id,
      rss: mem.rss,
      heap_used: mem.heapUsed,
      heap_total: mem.heapTotal,
      external: mem.external,
      array_buffers: mem.arrayBuffers,
      heap_size_limit: heap.heap_size_limit,
    });
  });
  // after adding the listener, which refs the channel
  process.channel.unref();
}
