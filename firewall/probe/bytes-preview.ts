// How the probe shows bytes it did not expect: printable ASCII kept, the rest as \xNN, cut short.
// Pure; used in mismatch reasons so a user sees what actually answered.
export function preview(buf: Buffer, max = 48): string {
  let out = '';
  for (const b of buf.subarray(0, max)) {
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 0x0d ? '\\r' : b === 0x0a ? '\\n' : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return buf.length > max ? `${out}...` : out;
}

/** One line of a reason: the error's code and message without a stack. */
export const errorText = (err: unknown): string => {
  const e = err as NodeJS.ErrnoException | undefined;
  return e?.code ? `${e.code}: ${e.message.replace(/^\S+ /, '')}` : e instanceof Error ? e.message : String(err);
};
