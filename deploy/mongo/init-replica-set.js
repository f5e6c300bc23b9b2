// One-shot (compose service `mongo-init`, mongosh): initiates the replica set `rs0` of the three
// members, waits for a primary, then creates the platform's application user. Safe to run again:
// an initiated set and an existing user are left as they are.
//
// Environment: MONGO_ROOT_USER / MONGO_ROOT_PASSWORD (the members' root user, created by the
// mongo image at first start), MONGO_APP_USER / MONGO_APP_PASSWORD (the user in MONGO_URI).

const members = [
  { _id: 0, host: 'mongo-1:27017', priority: 2 },
  { _id: 1, host: 'mongo-2:27017', priority: 1 },
  { _id: 2, host: 'mongo-3:27017', priority: 1 },
];

function isInitiated() {
  try {
    rs.status();
    return true;
  } catch (error) {
    // 94 NotYetInitialized: the only error that means "run rs.initiate".
    if (error.code === 94) return false;
    throw error;
  }
}

if (!isInitiated()) {
  rs.initiate({
    _id: 'rs0',
    members,
  });
  print('replica set rs0 initiated');
}

const deadline = Date.now() + 120_000;
while (!db.hello().isWritablePrimary) {
  if (Date.now() > deadline) throw new Error('no primary within 120 s');
  sleep(1000);
}

// Cluster-wide default: majority writes and reads, for any client that does not say otherwise.
db.adminCommand({
  setDefaultRWConcern: 1,
  defaultWriteConcern: { w: 'majority' },
  defaultReadConcern: { level: 'majority' },
});

const admin = db.getSiblingDB('admin');
const appUser = process.env.MONGO_APP_USER;
if (admin.getUser(appUser) === null) {
  // Database names depend on BRAND and DB_STRATEGY (core-service createServiceDatabaseAccess:
  // per-service, per-brand, per-tenant, per-shard), so the role is not limited to fixed names.
  // clusterMonitor lets the services' readiness and the driver see the replica set state.
  admin.createUser({
    user: appUser,
    pwd: process.env.MONGO_APP_PASSWORD,
    roles: [
      { role: 'readWriteAnyDatabase', db: 'admin' },
      { role: 'clusterMonitor', db: 'admin' },
    ],
  });
  print(`user ${appUser} created`);
}
