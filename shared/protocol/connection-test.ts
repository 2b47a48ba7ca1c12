// ConnectionTest.asp (smp-lab 1): the HTTP speed test of agents 7.5-8.1. GET with no parameter is a
// ping (`OK`); GET `?size=N` downloads N bytes; POST uploads a body and gets back how many bytes
// arrived. Pure: paths, answers and the speed arithmetic; no timers here.
import { smpError } from '../errors.js';
import { attr, parseXml } from './xml.js';
import { intParam, type Query } from './query.js';

export const CONNECTION_TEST_PATH = '/Altiris/NS/Agent/ConnectionTest.asp';
export const PING_BODY = 'OK';

export type ConnectionTestRequest = { readonly kind: 'ping' } | { readonly kind: 'download'; readonly size: number };

export const connectionTestUrlPath = (size?: number): string =>
  size === undefined ? CONNECTION_TEST_PATH : `${CONNECTION_TEST_PATH}?size=${size}`;

export function decodeConnectionTestQuery(q: Query, maxBytes: number): ConnectionTestRequest {
  const size = intParam(q, 'size', 0, maxBytes);
  return size === undefined ? { kind: 'ping' } : { kind: 'download', size };
}

export const encodeUploadAnswer = (received: number): string => `<connectionTest received="${received}"/>`;

export function decodeUploadAnswer(xml: string): number {
  const root = parseXml(xml, { maxBytes: 1024, maxDepth: 2 }, 'ConnectionTest answer');
  const n = attr(root, 'received');
  if (root.name !== 'connectionTest' || n === undefined || !/^\d{1,15}$/.test(n)) {
    throw smpError('BAD_INPUT', 'ConnectionTest answer must be <connectionTest received="N"/>');
  }
  return Number(n);
}

/** Kilobits per second from bytes moved and milliseconds taken (at least 1 ms). */
export const speedKbps = (bytes: number, ms: number): number => Math.round((bytes * 8) / Math.max(1, ms));
