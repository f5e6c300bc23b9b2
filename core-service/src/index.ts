export * from './wallet/index.js';
export * from './database/index.js';
export * from './repository/index.js';
export * from './pagination/index.js';
