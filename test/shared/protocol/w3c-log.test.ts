import t from 'tap';
import { encodeW3cLine, parseW3cLog, plainIp, w3cField, w3cFileName, w3cHeader, W3C_FIELDS } from '../../../shared/protocol/w3c-log.js';

t.test('a line in the IIS layout parses back with the declared #Fields', async (t) => {
  const at = new Date(Date.UTC(2026, 10, 5, 7, 8, 9, 500));
  const header = w3cHeader('smp-lab 0.1.0', at);
  t.equal(header, `#Software: smp-lab 0.1.0\r\n#Version: 1.0\r\n#Date: 2026-11-05 07:08:09\r\n#Fields: ${W3C_FIELDS.join(' ')}\r\n`);
  const line = encodeW3cLine({
    at, serverIp: '127.0.0.1', method: 'GET', uriStem: '/Altiris/NS/Agent/GetPackageInfo.aspx', uriQuery: 'xml=%3Crequest%3E',
    serverPort: 80, username: '', clientIp: '127.0.0.2', userAgent: 'Altiris Agent 7.6 (Windows NT)', status: 200, substatus: 0,
    win32Status: 0, bytesSent: 512, bytesReceived: 300, timeTaken: 15.4,
  });
  t.equal(line, '2026-11-05 07:08:09 127.0.0.1 GET /Altiris/NS/Agent/GetPackageInfo.aspx xml=%3Crequest%3E 80 - 127.0.0.2 Altiris+Agent+7.6+(Windows+NT) 200 0 0 512 300 15\r\n');
  const log = parseW3cLog(header + line);
  t.equal(log.directives['Version'], '1.0');
  t.equal(log.records.length, 1);
  t.same(log.records[0], {
    date: '2026-11-05', time: '07:08:09', 's-ip': '127.0.0.1', 'cs-method': 'GET', 'cs-uri-stem': '/Altiris/NS/Agent/GetPackageInfo.aspx',
    'cs-uri-query': 'xml=%3Crequest%3E', 's-port': '80', 'cs-username': '-', 'c-ip': '127.0.0.2', 'cs(User-Agent)': 'Altiris+Agent+7.6+(Windows+NT)',
    'sc-status': '200', 'sc-substatus': '0', 'sc-win32-status': '0', 'sc-bytes': '512', 'cs-bytes': '300', 'time-taken': '15',
  });
});

t.test('field encoding and helpers', async (t) => {
  t.equal(w3cField(''), '-');
  t.equal(w3cField('a b\tc\r\nd'), 'a+b+c++d');
  t.equal(plainIp('::ffff:127.0.0.1'), '127.0.0.1');
  t.equal(plainIp('::1'), '::1');
  t.equal(w3cFileName(new Date(Date.UTC(2026, 0, 2))), 'u_ex260102.log');
  t.throws(() => parseW3cLog('2026-01-01 x\r\n'), { code: 'SMP_ERR_BAD_INPUT' });
  t.throws(() => parseW3cLog('#Fields: a b\r\n1 2 3\r\n'), { code: 'SMP_ERR_BAD_INPUT' });
});
