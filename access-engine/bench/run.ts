/**
 * `npm run bench -w access-engine`: compiled `can`/s and `check()`/s of access-engine against
 * CASL's `can` and casbin's `enforceSync`, same policy, same checks, same process.
 * Warm-up rounds first, then the median of several timed rounds per contender.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAccessEngine, buildCasbinEnforcer, buildCaslAbilities, caslObject, compileAll, subjectOf } from './encodings.js';
import { expandUserRules, generatePolicy } from './policy.js';

const WARMUP_ROUNDS = 3;
const ROUNDS = 9;

const policy = generatePolicy();
const engine = buildAccessEngine(policy);
const compiled = compileAll(engine, policy);
const abilities = buildCaslAbilities(policy);
const enforcer = await buildCasbinEnforcer(policy);

const checks = policy.checks;
const n = checks.length;
// Everything a call needs is prepared outside the timed loops, for every contender alike.
const compiledFor = checks.map((c) => compiled.get(c.user.id)!);
const subjects = new Map(policy.users.map((u) => [u.id, subjectOf(u)]));
const subjectFor = checks.map((c) => subjects.get(c.user.id)!);
const abilityFor = checks.map((c) => abilities.get(c.user.id)!);
const caslObjects = checks.map((c) => caslObject(c.resource, c.descriptor));
const casbinSubjects = new Map(policy.users.map((u) => [u.id, { id: u.id, tenantId: u.tenantId }]));
const casbinSubjectFor = checks.map((c) => casbinSubjects.get(c.user.id)!);
const casbinObjects = checks.map((c) => ({ type: c.resource, ownerId: c.descriptor.ownerId, tenantId: c.descriptor.tenantId }));

/* ---------- agreement: the three must decide alike before their speeds mean anything ---------- */

const CASBIN_SAMPLE = 2_000;
let caslAgree = 0;
let casbinAgree = 0;
let checkAgree = 0;
let allowedCount = 0;
for (let i = 0; i < n; i++) {
  const c = checks[i]!;
  const ours = compiledFor[i]!.can(c.urn, c.descriptor);
  if (ours) allowedCount++;
  if (engine.check(subjectFor[i]!, c.urn, c.descriptor).allowed === ours) checkAgree++;
  if (abilityFor[i]!.can(c.action, caslObjects[i] as never) === ours) caslAgree++;
  if (i < CASBIN_SAMPLE && enforcer.enforceSync(casbinSubjectFor[i], casbinObjects[i], c.action) === ours) casbinAgree++;
}

/* ---------- timing ---------- */

/*
 * Rounds are interleaved (every contender once per round, then the next round) rather than
 * run contender by contender: on a shared machine the load drifts, and interleaving makes the
 * drift hit every contender alike, so the ratios stay meaningful even when absolute rates move.
 */
interface Contender {
  readonly label: string;
  readonly callsPerRun: number;
  readonly run: () => number;
}

const CASBIN_BATCH = 100;
const contenders: Contender[] = [
  {
    label: 'access-engine compile(subject).can',
    callsPerRun: n * 50,
    run: () => {
      let allowed = 0;
      for (let k = 0; k < 50; k++) {
        for (let i = 0; i < n; i++) if (compiledFor[i]!.can(checks[i]!.urn, checks[i]!.descriptor)) allowed++;
      }
      return allowed;
    },
  },
  {
    label: 'access-engine engine.can(subject, …)',
    callsPerRun: n * 10,
    run: () => {
      let allowed = 0;
      for (let k = 0; k < 10; k++) {
        for (let i = 0; i < n; i++) if (engine.can(subjectFor[i]!, checks[i]!.urn, checks[i]!.descriptor)) allowed++;
      }
      return allowed;
    },
  },
  {
    label: 'access-engine engine.check(…) (explained)',
    callsPerRun: n,
    run: () => {
      let allowed = 0;
      for (let i = 0; i < n; i++) if (engine.check(subjectFor[i]!, checks[i]!.urn, checks[i]!.descriptor).allowed) allowed++;
      return allowed;
    },
  },
  {
    label: 'CASL 7.0.1 ability.can',
    callsPerRun: n * 3,
    run: () => {
      let allowed = 0;
      for (let k = 0; k < 3; k++) {
        for (let i = 0; i < n; i++) if (abilityFor[i]!.can(checks[i]!.action, caslObjects[i] as never)) allowed++;
      }
      return allowed;
    },
  },
  {
    label: 'casbin 5.51.1 enforceSync',
    callsPerRun: CASBIN_BATCH,
    run: () => {
      let allowed = 0;
      for (let i = 0; i < CASBIN_BATCH; i++) if (enforcer.enforceSync(casbinSubjectFor[i], casbinObjects[i], checks[i]!.action)) allowed++;
      return allowed;
    },
  },
];

let sink = 0;
const rates = contenders.map(() => [] as number[]);
process.stderr.write(`timing: ${WARMUP_ROUNDS} warm-up + ${ROUNDS} timed rounds, contenders interleaved within each round\n`);
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  contenders.forEach((c, index) => {
    const start = process.hrtime.bigint();
    sink += c.run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (round >= WARMUP_ROUNDS) rates[index]!.push(c.callsPerRun / seconds);
  });
  process.stderr.write(`  round ${round + 1}/${WARMUP_ROUNDS + ROUNDS}${round < WARMUP_ROUNDS ? ' (warm-up)' : ''}\n`);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const [compiledRate, engineCanRate, checkRate, caslRate, casbinRate] = rates.map(median) as [number, number, number, number, number];

/* ---------- report ---------- */

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const rows = contenders.map((c, i) => ({
  contender: c.label,
  checksPerSecond: median(rates[i]!),
  min: Math.min(...rates[i]!),
  max: Math.max(...rates[i]!),
}));
void engineCanRate;
void checkRate;

const expandedRules = policy.users.map((u) => expandUserRules(policy, u).length);
const policySummary = {
  meanRulesPerUser: Math.round(expandedRules.reduce((a, b) => a + b, 0) / expandedRules.length),
  roles: policy.roles.length,
  rules: policy.ruleCount,
  users: policy.users.length,
  checks: n,
  allowedShare: allowedCount / n,
};
console.log(
  `\npolicy: ${policySummary.roles} roles, ${policySummary.rules} rules (own/tenant/* targets, inheritance, role and user denies), ` +
    `${policySummary.users} users (${policySummary.meanRulesPerUser} rules each on average after inheritance), ${n} checks (${(policySummary.allowedShare * 100).toFixed(1)}% allowed)`,
);
console.log(`agreement with compiled can: check() ${checkAgree}/${n}, CASL ${caslAgree}/${n}, casbin ${casbinAgree}/${CASBIN_SAMPLE}\n`);
console.log('| contender | checks/s | vs CASL | vs casbin |');
console.log('|---|---:|---:|---:|');
for (const row of rows) {
  console.log(`| ${row.contender} | ${fmt(row.checksPerSecond)} | ${(row.checksPerSecond / caslRate).toFixed(2)}× | ${fmt(row.checksPerSecond / casbinRate)}× |`);
}

const results = {
  command: 'npm run bench -w access-engine',
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  rounds: { warmup: WARMUP_ROUNDS, timed: ROUNDS, statistic: 'median' },
  policy: policySummary,
  agreement: {
    check: { agree: checkAgree, of: n },
    casl: { agree: caslAgree, of: n },
    casbin: { agree: casbinAgree, of: CASBIN_SAMPLE },
  },
  results: rows.map((r) => ({
    contender: r.contender,
    checksPerSecond: Math.round(r.checksPerSecond),
    roundRange: [Math.round(r.min), Math.round(r.max)],
  })),
  ratios: {
    compiledVsCasl: compiledRate / caslRate,
    compiledVsCasbin: compiledRate / casbinRate,
  },
};
const out = join(dirname(fileURLToPath(import.meta.url)), 'results.json');
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.log(`\nwritten ${out}`);
if (sink === -1) console.log('');
if (caslAgree !== n || casbinAgree !== CASBIN_SAMPLE || checkAgree !== n) {
  console.error('DISAGREEMENT: the contenders do not decide alike; the timings above are not comparable');
  process.exitCode = 1;
}
