/**
 * Where a CPU profile's time went: self time by package (a dependency under node_modules, a
 * workspace of this repository, Node's own internals, GC, idle) and the top functions.
 *
 *   BENCH_ONLY=subgraph:spread:16 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/run.ts
 *   npx tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile
 *
 * Self time is what a function ran itself, not what it called: it points at the code that burns
 * the CPU. Idle is time waiting on I/O (the database, the network).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** `mongodb`, `graphql`, `@apollo/server`, `core-service`, `node`, `(garbage collector)`, ... */
export function packageOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first = '', second = ''] = url.slice(modules + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const workspace = url.match(/\/work\/[^/]+\/(?:scripts\/)?([^/]+)\//);
  return workspace?.[1] ?? url;
}

export interface ProfileSummary {
  totalMs: number;
  byPackage: Array<{ package: string; selfMs: number; share: number }>;
  topFunctions: Array<{ function: string; package: string; selfMs: number; share: number }>;
}

export function summarize(profile: CpuProfile, top = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const packages = new Map<string, number>();
  const functions = new Map<string, { package: string; us: number }>();
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    const pkg = packageOf(frame);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    const file = frame.url.split('/').slice(-1)[0] ?? '';
    const name = `${frame.functionName || '(anonymous)'}${file !== '' ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
    const entry = functions.get(name) ?? { package: pkg, us: 0 };
    entry.us += us;
    functions.set(name, entry);
  }
  const ms = (us: number): number => Math.round(us / 100) / 10;
  const share = (us: number): number => Math.round((us / total) * 1000) / 10;
  return {
    totalMs: ms(total),
    byPackage: [...packages]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([pkg, us]) => ({ package: pkg, selfMs: ms(us), share: share(us) })),
    topFunctions: [...functions]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([fn, { package: pkg, us }]) => ({ function: fn, package: pkg, selfMs: ms(us), share: share(us) })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of process.argv.slice(2)) {
    const summary = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    process.stdout.write(`\n${file}: ${summary.totalMs} ms sampled\n`);
    for (const row of summary.byPackage) process.stdout.write(`  ${String(row.share).padStart(5)}%  ${row.package}\n`);
    process.stdout.write('  top functions (self):\n');
    for (const row of summary.topFunctions) process.stdout.write(`  ${String(row.share).padStart(5)}%  ${row.function}  [${row.package}]\n`);
  }
}
