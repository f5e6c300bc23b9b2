/**
 * Summary of a V8 `.cpuprofile` (`node --cpu-prof`): self time per function and per package, so
 * the bench can say where a gateway's CPU goes. `tsx bench/profile-summary.ts <file>` prints it.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** `@apollo/gateway`, `graphql`, `core-service`, `node:internal`, `(idle)`, `(gc)`… from a frame's URL. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  const workspace = /\/work\/[^/]+\/([^/]+)\/|\/(core-service|gateway|access-engine)\//.exec(url);
  return workspace?.[1] ?? workspace?.[2] ?? url;
}

export function summarizeCpuProfile(profile: CpuProfile, top = 40) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfMicros].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((sum, [, us]) => sum + us, 0);
  const busy = total - idle;
  const functions = new Map<string, { function: string; package: string; ms: number }>();
  const packages = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const pkg = packageOf(url, functionName);
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/\/work\/[^/]+\//, '')}:${lineNumber + 1}`;
    const entry = functions.get(key) ?? { function: key, package: pkg, ms: 0 };
    entry.ms += micros / 1000;
    functions.set(key, entry);
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros / 1000);
  }
  const share = (ms: number) => Number(((ms * 1000 * 100) / busy).toFixed(1));
  return {
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    byPackage: [...packages].sort((a, b) => b[1] - a[1]).map(([pkg, ms]) => ({ package: pkg, ms: Math.round(ms), percentOfBusy: share(ms) })),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((f) => ({ ...f, ms: Math.round(f.ms), percentOfBusy: share(f.ms) })),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const summary = summarizeCpuProfile(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as CpuProfile);
  console.log(JSON.stringify(summary, null, 2));
}
