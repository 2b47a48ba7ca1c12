// The `size` option type (e.g. --body-budget): bytes, or K/M/G and KiB/MiB/GiB as powers of 1024; bad
// values and values out of bounds are one config error naming the flag.
import t from 'tap';
import { parseValue } from '../../shared/config-values.js';

const spec = { type: 'size', min: 1024, max: 2 ** 40 } as const;

t.test('sizes', async (t) => {
  for (const [raw, bytes] of [['65536', 65536], ['64M', 64 * 2 ** 20], ['256MiB', 256 * 2 ** 20], ['1GiB', 2 ** 30],
    ['2k', 2048], ['1.5K', 1536], [4096, 4096]] as const) {
    t.equal(parseValue('--body-budget', raw, spec), bytes, String(raw));
  }
  for (const raw of ['', 'lots', '-1M', '10', '2T', '64 MB!']) {
    t.throws(() => parseValue('--body-budget', raw, spec), { code: 'SMP_ERR_CONFIG', message: /--body-budget.*a size from 1024/ }, raw);
  }
});
