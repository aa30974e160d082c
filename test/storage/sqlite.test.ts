import { defineStoreConformance } from './conformance.js';
import { openTestSqliteStore } from './sqlite-factory.js';

defineStoreConformance('sqlite', openTestSqliteStore);
