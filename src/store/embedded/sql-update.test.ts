import Database from 'better-sqlite3';
import { expect } from 'chai';
import { applyUpdate } from '../documents.js';
import type { Filter, Update } from '../port.js';
import { compileSqlUpdate } from './sql-update.js';

describe('embedded store: updates inside SQLite', () => {
  const db = new Database(':memory:');
  const doc = {
    _id: 'a',
    status: 'queued',
    n: 3,
    attempts: 0,
    text: 'línea 1\n"quoted" \\ tab\t emoji 👍 \u2028 end',
    nested: { a: 1, b: [1, 'x', null] },
    flag: true,
    gone: 'soon',
  };

  const cases: [string, Update][] = [
    ['set strings and integers', { $set: { status: 'sending', dispatch_at: 1_763_700_000_000, claim_id: 'c-1' } }],
    ['set unicode and escapes', { $set: { text: 'otra "línea"\n\\ 👋', note: '\u2028\u2029' } }],
    ['set objects, arrays, booleans and null', { $set: { nested: { z: [1, { y: 'w' }] }, flag: false, error: null, list: [] } }],
    ['unset present and missing fields', { $unset: { gone: true, never: true } }],
    ['increment present and missing counters', { $inc: { attempts: 1, retries: 2 } }],
    ['everything at once', { $set: { status: 'sent', updated_at: 5 }, $unset: { gone: true }, $inc: { attempts: 1 } }],
    ['a no-op', { $set: { status: 'queued', n: 3 } }],
  ];

  for (const [label, update] of cases) {
    it(`${label}: same document as the JavaScript path, stored as JSONB or as older text`, () => {
      const sql = compileSqlUpdate(update);
      expect(sql, 'takes the SQL path').to.not.equal(null);
      for (const stored of ['jsonb(?)', '?']) {
        // the expression's placeholders come first in the statement text, the document's last
        const { out } = db.prepare(`SELECT json(${sql!.expr}) AS out FROM (SELECT ${stored} AS doc)`).get(...sql!.params, JSON.stringify(doc)) as { out: string };
        expect(out, stored).to.equal(JSON.stringify(applyUpdate(doc, update, false, true)));
      }
    });
  }

  it('leaves the stored bytes as they were when nothing changes, which is how modified is told from matched', () => {
    const noOps: Update[] = [{ $set: { status: 'queued', n: 3 } }, { $set: { text: doc.text, flag: true, nested: doc.nested } }, { $unset: { never: true } }, { $inc: { n: 0 } }];
    for (const update of noOps) {
      const sql = compileSqlUpdate(update)!;
      for (const stored of ['jsonb(?)', '?']) {
        // as the store's guard compares: a row still stored as text is converted first
        const { same } = db.prepare(`SELECT (${sql.expr}) = jsonb(doc) AS same FROM (SELECT ${stored} AS doc)`).get(...sql.params, JSON.stringify(doc)) as { same: number };
        expect(same, `${stored} ${JSON.stringify(update)}`).to.equal(1);
      }
    }
    const changed = compileSqlUpdate({ $set: { status: 'sent' } })!;
    const { same } = db.prepare(`SELECT (${changed.expr}) = jsonb(doc) AS same FROM (SELECT jsonb(?) AS doc)`).get(...changed.params, JSON.stringify(doc)) as { same: number };
    expect(same).to.equal(0);
  });

  it('knows when the filter makes every match change (no count or guard statement needed)', () => {
    const cases: [Update, Filter | undefined, boolean][] = [
      [{ $set: { status: 'sent', sent_at: 5 }, $unset: { dispatch_at: true } }, { _id: { $in: ['a'] }, claim_id: 'c', status: 'sending' }, true],
      [{ $unset: { claim_id: true } }, { claim_id: 'c' }, true],
      [{ $set: { status: 'sending' } }, { status: 'sending' }, false],
      [{ $set: { status: 'sent' } }, { status: { $in: ['queued', 'sending'] } }, false],
      [{ $set: { n: 2 } }, { n: { $gt: 1 } }, false],
      [{ $set: { error: null } }, { error: null }, false],
      [{ $unset: { gone: true }, $set: { gone: 'back' } }, { gone: 'soon' }, true],
      [{ $set: { status: 'sent' } }, undefined, false],
    ];
    for (const [update, filter, expected] of cases) {
      expect(compileSqlUpdate(update, filter)?.changesEveryMatch, JSON.stringify({ update, filter })).to.equal(expected);
    }
  });

  it('leaves the rest to the JavaScript path', () => {
    for (const update of [{ $set: { 'a.b': 1 } }, { $push: { list: 1 } }, { $set: { ratio: 0.1 } }, { $inc: { n: 0.5 } }, { $setOnInsert: { x: 1 } }, {}] as Update[]) {
      expect(compileSqlUpdate(update), JSON.stringify(update)).to.equal(null);
    }
  });
});
