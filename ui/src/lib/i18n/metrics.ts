// The metrics view's strings, English and Swedish, in a module of their own so they load with
// the view (a dynamic import) and not with the first paint. Swedish is typed against English
// like the main dictionaries; the definitions say what crates/inbox-core/src/metrics.rs says.

import { getIntlTag, getLocale } from './index.svelte';
import { translate } from './translate';
import type { Dictionary, MessageParams } from './types';

export const metricsEn = {
  'metrics.chartShows': 'Charts show',
  'metrics.title': 'Metrics',
  'metrics.range': 'Period',
  'metrics.range.today': 'Today',
  'metrics.range.7': 'Last 7 days',
  'metrics.range.30': 'Last 30 days',
  'metrics.range.90': 'Last 90 days',
  'metrics.range.custom': 'Custom',
  'metrics.from': 'From',
  'metrics.to': 'To',
  'metrics.period': '{first} – {last}',
  'metrics.previous': 'Previous period: {first} – {last}',
  'metrics.previousShort': 'Before',
  'metrics.currentShort': 'This period',
  'metrics.previousValue': 'previous: {value}',
  'metrics.loading': 'Counting…',
  'metrics.offline': 'Counted from the copy of the shop on this computer; works offline.',
  'metrics.figure.conversations': 'Conversations',
  'metrics.figure.replied': 'Replied conversations',
  'metrics.figure.median': 'Median first response time',
  'metrics.figure.p90': '90th percentile first response time',
  'metrics.figure.sales': 'Conversations with a sale within 7 days',
  'metrics.by.staff': 'By staff member',
  'metrics.by.topic': 'By topic',
  'metrics.by.platform': 'By platform',
  'metrics.row': 'Row',
  'metrics.unassigned': 'Unassigned',
  'metrics.noTopic': 'No topic',
  'metrics.unknownStaff': 'Staff member {id}',
  'metrics.empty': 'No conversations started in this period or the one before.',
  'metrics.chartLabel':
    '{title}: {figure}, this period and the one before. The table below has the numbers.',
  'metrics.definitions': 'How these are counted',
  'metrics.def.period':
    'Days start at midnight in the shop’s time zone ({zone}). The previous period is the same number of days just before.',
  'metrics.def.conversations': 'Conversations: those that started in the period.',
  'metrics.def.replied':
    'Replied: a staff member wrote after the customer’s first message (a reply still waiting to be sent does not count; the shop sends no automatic messages).',
  'metrics.def.response':
    'First response time: from the customer’s first message to the first staff reply, in clock time; business hours are not taken into account. Median and 90th percentile of the replied conversations.',
  'metrics.def.sale':
    'Sale within 7 days: the customer placed an order (not an unpaid open one) within 7 days after the conversation started.',
  'metrics.def.splits':
    'Staff member: who the conversation is assigned to now. Topic: its topic labels (a conversation with two counts in both). Platform: where the customer wrote from.',
} as const satisfies Dictionary;

export type MetricsKey = keyof typeof metricsEn;

export const metricsSv: Record<MetricsKey, string> = {
  'metrics.chartShows': 'Diagrammen visar',
  'metrics.title': 'Statistik',
  'metrics.range': 'Period',
  'metrics.range.today': 'I dag',
  'metrics.range.7': 'Senaste 7 dagarna',
  'metrics.range.30': 'Senaste 30 dagarna',
  'metrics.range.90': 'Senaste 90 dagarna',
  'metrics.range.custom': 'Anpassad',
  'metrics.from': 'Från',
  'metrics.to': 'Till',
  'metrics.period': '{first} – {last}',
  'metrics.previous': 'Föregående period: {first} – {last}',
  'metrics.previousShort': 'Före',
  'metrics.currentShort': 'Denna period',
  'metrics.previousValue': 'föregående: {value}',
  'metrics.loading': 'Räknar…',
  'metrics.offline': 'Räknat från kopian av butiken på den här datorn; fungerar offline.',
  'metrics.figure.conversations': 'Konversationer',
  'metrics.figure.replied': 'Besvarade konversationer',
  'metrics.figure.median': 'Median för första svarstid',
  'metrics.figure.p90': '90:e percentilen för första svarstid',
  'metrics.figure.sales': 'Konversationer med köp inom 7 dagar',
  'metrics.by.staff': 'Per medarbetare',
  'metrics.by.topic': 'Per ämne',
  'metrics.by.platform': 'Per plattform',
  'metrics.row': 'Rad',
  'metrics.unassigned': 'Ej tilldelade',
  'metrics.noTopic': 'Inget ämne',
  'metrics.unknownStaff': 'Medarbetare {id}',
  'metrics.empty': 'Inga konversationer startade under perioden eller perioden före.',
  'metrics.chartLabel':
    '{title}: {figure}, denna period och föregående. Tabellen nedanför har siffrorna.',
  'metrics.definitions': 'Så räknas siffrorna',
  'metrics.def.period':
    'Dagar börjar vid midnatt i butikens tidszon ({zone}). Föregående period är lika många dagar precis innan.',
  'metrics.def.conversations': 'Konversationer: de som startade under perioden.',
  'metrics.def.replied':
    'Besvarade: en medarbetare skrev efter kundens första meddelande (ett svar som ännu inte skickats räknas inte; butiken skickar inga automatiska meddelanden).',
  'metrics.def.response':
    'Första svarstid: från kundens första meddelande till första svaret från en medarbetare, i klocktid; öppettider räknas inte bort. Median och 90:e percentil av de besvarade konversationerna.',
  'metrics.def.sale':
    'Köp inom 7 dagar: kunden lade en order (inte en obetald öppen) inom 7 dagar efter att konversationen startade.',
  'metrics.def.splits':
    'Medarbetare: den som konversationen är tilldelad nu. Ämne: dess ämnesetiketter (en konversation med två räknas i båda). Plattform: var kunden skrev.',
};

type Args<K extends MetricsKey> =
  MessageParams<(typeof metricsEn)[K]> extends undefined
    ? []
    : [params: MessageParams<(typeof metricsEn)[K]>];

/** A metrics view message in the current locale. */
export function tm<K extends MetricsKey>(key: K, ...args: Args<K>): string {
  const dictionary = getLocale() === 'sv' ? metricsSv : metricsEn;
  return translate(dictionary, metricsEn, getIntlTag(), key, args[0]);
}
