// Preloaded into the server by bench/soak.ts (`--import`, with an IPC channel): answers
// `{ type: 'payrail-bench:heap', id }` with the process's V8 heap and memory figures. It adds no route,
// and lets the process exit as if the channel were not there.
//
// Before measuring it runs a full garbage collection, so `heap_used` is the **live** heap: what the
// server still holds, the figure that grows when something leaks. Sampled between collections instead,
// heap used moves by tens of MB with the collector's timing and says nothing about a leak. One full
// collection per soak window (a minute) costs a pause of some milliseconds.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** V8's gc(), reachable without starting the server with --expose-gc. */
const collectGarbage = runInNewContext('gc');

if (process.send && process.channel) {
  process.on('message', (message) => {
    if (message?.type !== 'payrail-bench:heap') return;
    collectGarbage();
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
