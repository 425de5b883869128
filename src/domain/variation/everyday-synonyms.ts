/**
 * Hand-picked synonyms for the words ordinary business messages are made
 * of, in English and Spanish. WordNet alone leaves these alone: its
 * thesaurus keeps only words with one dominant sense in their base form, and
 * messages are full of inflected, many-sense words ("shipped", "questions",
 * "help").
 *
 * Each line is a group of words that can replace one another in any sentence
 * where one of them appears: same part of speech, same inflection, and in
 * Spanish the same gender and number. `a b > c d` makes a one-way group: a
 * and b may become c or d (or each other), never the reverse, for words with
 * a second use the others lack ("help" is also a noun, so "assist" may become
 * "help" but not the other way round).
 */
import type { Thesaurus } from './synonyms.js';

const ENGLISH = `
buy > purchase
bought > purchased
buying purchasing
assist > help
assists > helps
assisting helping
assisted helped
questions > queries
question > query
customers clients
customer client
agent > representative
agents > representatives
products items
product item
photo picture
photos pictures
delivery shipment
deliveries shipments
parcel > package
parcels > packages
choose select
chose > selected
choosing selecting
begins starts
ends finishes
quickly rapidly swiftly
immediately instantly
shortly > soon
fast > quick
glad > happy pleased
pleased > happy glad
delighted > pleased happy glad
great excellent fantastic wonderful terrific
amazing incredible awesome fantastic
beautiful lovely gorgeous
big large
huge enormous massive
receive > get
receives > gets
information > details
info > details
problem > issue
problems > issues
resolve > fix
resolved > fixed
inconvenience > trouble
discounts > deals
purchases > orders
modify > change
modified > changed
additional > extra further
currently > now
perhaps maybe
hello hi
invoice > bill
invoices > bills
`;

const SPANISH = `
comprar adquirir
compramos adquirimos
productos artículos
producto artículo
clientes > usuarios
cliente > usuario
ofertas promociones
oferta promoción
consultas > preguntas
dudas > preguntas
problema > inconveniente
problemas > inconvenientes
hermoso bonito lindo precioso
hermosa bonita linda preciosa
hermosos bonitos lindos preciosos
hermosas bonitas lindas preciosas
enviar mandar
enviaremos mandaremos
enviamos mandamos
enviará mandará
empezar comenzar iniciar
empieza comienza inicia
empiezan comienzan inician
terminar finalizar acabar
termina finaliza acaba
terminan finalizan acaban
elegir escoger seleccionar
elige escoge selecciona
usar utilizar
usa utiliza
rápidamente velozmente
inmediatamente enseguida
contento > feliz
contentos > felices
contenta > feliz
contentas > felices
fotos imágenes
foto imagen
estupendo fantástico > excelente increíble
estupendos fantásticos > excelentes increíbles
pedidos > órdenes
ayudarte asistirte
ayudarle asistirle
ayudarlo asistirlo
asistencia > ayuda
solucionar resolver
solucionado resuelto
recibirás obtendrás
actualmente > ahora
responder contestar
responde contesta
responderá contestará
respondemos contestamos
cambiar modificar
cambiarla modificarla
cambiarlo modificarlo
enviado mandado
enviada mandada
enviados mandados
`;

/** Parses the table above into word → replacements. */
export function parseSynonymTable(table: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (word: string, others: string[]) => {
    const list = out.get(word) ?? [];
    for (const o of others) if (o !== word && !list.includes(o)) list.push(o);
    if (list.length > 0) out.set(word, list);
  };
  for (const line of table.split('\n')) {
    const [left, right] = line.split('>').map((side) => side.trim().split(/\s+/).filter(Boolean));
    if (!left || left.length === 0) continue;
    const sources = left;
    const targets = right ? [...left, ...right] : left;
    for (const word of sources) add(word, targets);
  }
  return out;
}

export const EVERYDAY_ENGLISH: Thesaurus = parseSynonymTable(ENGLISH);
export const EVERYDAY_SPANISH: Thesaurus = parseSynonymTable(SPANISH);

/** `base` (WordNet) with the everyday words on top: for a word in both, the everyday list wins. */
export function withEverydayEnglish(base: Thesaurus): Thesaurus {
  const merged = new Map(base);
  for (const [word, synonyms] of EVERYDAY_ENGLISH) merged.set(word, synonyms);
  return merged;
}
