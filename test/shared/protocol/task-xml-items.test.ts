// Task lists with items (smp-lab 1.1): a task listed without its script carries items="1"; the
// decoder reads it back, and a bad items value is a typed BAD_XML error, never a crash.
import t from 'tap';
import { isSmpError } from '../../../shared/errors.js';
import { decodeTaskList, encodeTask, type TaskDoc } from '../../../shared/protocol/task-xml.js';

const task: TaskDoc = {
  id: '55555555-0000-4000-8000-000000000001', version: 7, type: 'script', name: 'big', script: 'echo x\n'.repeat(300),
  action: '', durationMs: 0, exitCode: 0, output: 'x', targets: null,
};
const list = (inner: string): string => `<tasks version="7">${inner}</tasks>`;

t.test('items round trip', async (t) => {
  const listed = decodeTaskList(list(encodeTask(task, false, true))).tasks[0]!;
  t.equal(listed.items, 1, 'listed with items="1"');
  t.equal(listed.script, '', 'without its script');
  const full = decodeTaskList(list(encodeTask(task, false))).tasks[0]!;
  t.equal(full.items, undefined, 'a whole task has no items attribute');
  t.equal(full.script, task.script);
});

t.test('bad items values are typed errors', async (t) => {
  for (const bad of ['-1', '65', 'x', '1.5']) {
    const xml = list(encodeTask(task, false, true).replace('items="1"', `items="${bad}"`));
    let caught: unknown;
    try {
      decodeTaskList(xml);
    } catch (err) {
      caught = err;
    }
    t.ok(isSmpError(caught, 'BAD_XML'), `items="${bad}" is SMP_ERR_BAD_XML`);
  }
});
