import { defineStoreConformance } from './conformance.js';
import { oracleStoreFactory, parseOracleUrl } from './oracle-factory.js';

/**
 * The Store conformance suite on Oracle, when a server is given in SMSPROC_TEST_ORACLE_URL
 * (test/storage/oracle-factory.ts). No Oracle server can run on the project's CI machine, so
 * without it this file says so plainly and registers no tests.
 */
const url = process.env.SMSPROC_TEST_ORACLE_URL;
if (url === undefined || url === '') {
  console.log('Oracle conformance suite NOT run: SMSPROC_TEST_ORACLE_URL is not set (no Oracle server here)');
} else {
  defineStoreConformance('oracle', oracleStoreFactory(parseOracleUrl(url)));
}
