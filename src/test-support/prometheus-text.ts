/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for
 * tests: every line must be a comment, a # HELP / # TYPE line, or a sample
 * `name{label="value",…} value [timestamp]` of a declared family, or it
 * throws. Label values are unescaped (\\, \", \n).
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
    return f;
  };
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      if (!NAME.test(m[2])) throw new Error(`bad metric name, ${where}`);
      if (m[1] === 'HELP') family(m[2]).help = m[3];
      else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3])) throw new Error(`bad type, ${where}`);
        family(m[2]).type = m[3];
      }
      return;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample, ${where}`);
    const labels: Record<string, string> = {};
    if (m[3] !== undefined && m[3] !== '') {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < m[3].length) {
        const l = LABEL.exec(m[3]);
        if (!l) throw new Error(`bad labels, ${where}`);
        labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
    }
    const value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    if (Number.isNaN(value) && m[4] !== 'NaN') throw new Error(`bad value, ${where}`);
    const base = SUFFIXES.find((s) => m[1].endsWith(s) && families.has(m[1].slice(0, -s.length)))?.length;
    const owner = families.get(m[1]) ?? (base ? families.get(m[1].slice(0, -base)) : undefined);
    if (!owner) throw new Error(`sample of an undeclared family, ${where}`);
    owner.samples.push({ name: m[1], labels, value });
  });
  return families;
}
