/**
 * Matching a subscriber's answer against what a state expects (docs/scenarios.md, "Matching"). Pure.
 * Texts are compared folded: NFC, Unicode upper case (Cyrillic included: "да" = "ДА"), whitespace
 * collapsed, and by default Ё → Е.
 */
import type { ScenarioMatch } from './definition.js';

export interface FoldedText {
  /** The whole text folded. */
  readonly whole: string;
  /** The first word folded, without trailing punctuation ("1!" → "1"). */
  readonly first: string;
}

export function foldText(text: string, foldYo: boolean): string {
  const upper = text.normalize('NFC').toUpperCase().replace(/[ \t\r\n\u00A0]+/g, ' ').trim();
  return foldYo ? upper.replace(/Ё/g, 'Е') : upper;
}

export function foldAnswer(text: string, foldYo: boolean): FoldedText {
  const whole = foldText(text, foldYo);
  const first = (whole.split(' ')[0] ?? '').replace(/[.,!?;:]+$/u, '');
  return { whole, first };
}

export interface AnswerMatch {
  /** The canonical answer: the choice key, the number, the keyword as listed, the regex's `value` group or match. */
  readonly value: string;
  /** Named groups of a regex match. */
  readonly groups: Readonly<Record<string, string>>;
}

function keywordHits(keyword: string, answer: FoldedText, foldYo: boolean): boolean {
  const folded = foldText(keyword, foldYo);
  return folded.includes(' ') ? answer.whole === folded : answer.first === folded;
}

export function matchAnswer(match: ScenarioMatch, answer: FoldedText, foldYo: boolean): AnswerMatch | null {
  if ('any' in match) return { value: answer.whole, groups: {} };
  if ('keywords' in match) {
    const hit = match.keywords.find((keyword) => keywordHits(keyword, answer, foldYo));
    return hit === undefined ? null : { value: hit, groups: {} };
  }
  if ('choices' in match) {
    for (const [key, aliases] of Object.entries(match.choices)) {
      if ([key, ...aliases].some((keyword) => keywordHits(keyword, answer, foldYo))) return { value: key, groups: {} };
    }
    return null;
  }
  if ('number' in match) {
    if (!/^[+-]?\d{1,15}$/.test(answer.first)) return null;
    const value = Number(answer.first);
    if (match.number.min !== undefined && value < match.number.min) return null;
    if (match.number.max !== undefined && value > match.number.max) return null;
    return { value: String(value), groups: {} };
  }
  const found = new RegExp(match.regex, 'iu').exec(answer.whole);
  if (found === null) return null;
  const groups: Record<string, string> = {};
  for (const [name, value] of Object.entries(found.groups ?? {})) if (value !== undefined) groups[name] = value;
  return { value: groups.value ?? found[0], groups };
}
