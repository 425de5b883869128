/**
 * Which language a text is in, for the synonym swap: English and Spanish
 * have thesauri, anything else is left alone. Function words decide; words
 * Spanish shares with Portuguese, French or Italian count for none of them,
 * so a Portuguese text is not mistaken for Spanish.
 */
import type { Token } from './tokens.js';

export type SwapLanguage = 'en' | 'es';

const words = (list: string) => new Set(list.split(' '));

const MARKERS: Record<string, Set<string>> = {
  en: words(
    'the a an and or but of to in on at for with from by is are was were be been am do does did have has had will would can could should may might must you your yours we our ours us i me my it its this that these those they them their he she his her there here what which who when where why how not no yes if then than so just very all any some more most only also now today tomorrow please thanks thank hello hi dear',
  ),
  es: words(
    'el los las un una unos unas del y que en con por para es son está están estás estamos su sus tu tus mi mis muy más pero como hola gracias buenos buenas buen les lo se al ya hoy mañana usted ustedes nos nuestro nuestra nuestros nuestras este esta estos estas tiene tienes tenemos puede puedes podemos hay cuando también aquí ahora nosotros ellos sí quieres',
  ),
  other: words(
    'o ou e da do dos das um uma com não você é obrigado obrigada olá muito seu sua nós são le des et est sont pour avec dans sur vous nous bonjour merci une il elle je ne pas ciao grazie sono della il gli che non',
  ),
};

/** The text's language when it is clearly English or Spanish, else null. */
export function swapLanguage(tokens: readonly Token[]): SwapLanguage | null {
  const score: Record<string, number> = { en: 0, es: 0, other: 0 };
  let total = 0;
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    total++;
    const w = t.text.toLowerCase();
    for (const lang in MARKERS) if (MARKERS[lang].has(w)) score[lang]++;
    // letters English never uses
    if (/[^\x00-\x7f]/.test(w)) score.en -= 1;
  }
  const best = (['en', 'es'] as const).reduce((a, b) => (score[b] > score[a] ? b : a));
  const runnerUp = Math.max(...Object.entries(score).filter(([lang]) => lang !== best).map(([, n]) => n));
  if (score[best] <= runnerUp) return null;
  return score[best] >= 2 || score[best] / Math.max(1, total) >= 0.2 ? best : null;
}
