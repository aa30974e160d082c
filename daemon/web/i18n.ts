/**
 * The web interface's text in English and Russian. The language is the session's choice (the
 * switch), else a `lang` query parameter, else the best of Accept-Language, else English.
 */
export const languages = ['en', 'ru'] as const;
export type Lang = (typeof languages)[number];

const en = {
  title: 'smsproc statistics',
  adminTitle: 'smsproc operations',
  login: 'Log in',
  logout: 'Log out',
  username: 'Login',
  password: 'Password',
  loginFailed: 'Login or password not recognised, or not allowed from this address.',
  language: 'Language',
  live: 'Live figures, last 24 hours',
  accepted: 'Accepted',
  submitted: 'Submitted',
  delivered: 'Delivered',
  failed: 'Failed',
  expired: 'Expired',
  waiting: 'Waiting',
  rate: 'Current rate (segments/s)',
  reservation: 'Reservation (segments/s)',
  deliveryRatio: 'Delivery ratio',
  latency: 'Accept → delivery, mean',
  latencyMax: 'Accept → delivery, max',
  charts: 'Charts',
  lastHour: 'Last hour',
  lastDay: 'Last day',
  lastMonth: 'Last month',
  messagesLegend: 'accepted',
  deliveredLegend: 'delivered',
  failedLegend: 'failed',
  search: 'Search messages',
  number: 'Number',
  messageId: 'Message id',
  sender: 'Sender',
  status: 'Status',
  any: 'any',
  from: 'From',
  to: 'To',
  find: 'Find',
  results: 'Messages found',
  noResults: 'No message matches.',
  acceptedAt: 'Accepted at',
  doneAt: 'Final at',
  segments: 'Segments',
  route: 'Operator (route)',
  history: 'History',
  detail: 'Detail',
  time: 'Time',
  reports: 'Reports (CSV)',
  reportDay: 'Per day',
  reportSender: 'Per sender',
  reportRoute: 'Per operator',
  reportStatus: 'Per status',
  download: 'Download',
  back: 'Back',
  updated: 'Updated',
  node: 'Node',
  site: 'Site',
  health: 'Health',
  uptime: 'Uptime (s)',
  cluster: 'Cluster',
  clusterLocal: 'Current. Local coordinator: this node is the whole cluster and owns every bind.',
  clusterCurrent: 'Current, as etcd reports it.',
  clusterUnreachable: 'NOT CURRENT: the coordinator (etcd) does not answer and this node has fenced itself. Below: the last known view, as of {asOf}.',
  clusterStopped: 'NOT CURRENT: the coordinator is not running (the node is starting or stopping). Below: the last known view, as of {asOf}.',
  clusterReportLate: 'NOT CURRENT: the node\'s primary process has not sent the cluster view for a while. Below: the last known view, as of {asOf}.',
  clusterNoReport: 'No cluster view yet: the node\'s primary process has not sent one.',
  coordinator: 'Coordinator',
  scope: 'View',
  asOf: 'As of',
  weight: 'Weight',
  bindsOwned: 'Binds owned',
  bindOwners: 'Bind owners',
  ownerLive: 'Owner live',
  pinnedTo: 'Pinned to',
  pools: 'Dedicated pools',
  pool: 'Pool',
  poolNodes: 'Nodes (active / standby)',
  activeNode: 'Active node',
  fromNode: 'From node',
  toNode: 'To node',
  changeKind: 'Kind',
  binds: 'Binds',
  bind: 'Bind',
  owner: 'Owner',
  state: 'State',
  epoch: 'Epoch',
  window: 'Window used',
  tps: 'TPS now / allowed / configured',
  throttled: 'Throttled',
  errors: 'Errors (timeouts, malformed, unknown)',
  queues: 'Queues',
  messages: 'Messages',
  oldestAge: 'Oldest age (s)',
  callbackQueues: 'Callback outbox',
  client: 'Client',
  name: 'Name',
  clients: 'Clients',
  queued: 'Queued',
  callbackBacklog: 'Callback backlog',
  deadLetters: 'Dead letters',
  failovers: 'Recent failovers (takeover) and handovers',
  events: 'Events',
} as const;

export type TextKey = keyof typeof en;

const ru: Record<TextKey, string> = {
  title: 'Статистика smsproc',
  adminTitle: 'smsproc: эксплуатация',
  login: 'Войти',
  logout: 'Выйти',
  username: 'Логин',
  password: 'Пароль',
  loginFailed: 'Логин или пароль не подошли, или вход с этого адреса не разрешён.',
  language: 'Язык',
  live: 'Показатели в реальном времени, последние 24 часа',
  accepted: 'Принято',
  submitted: 'Передано оператору',
  delivered: 'Доставлено',
  failed: 'Не доставлено',
  expired: 'Истёк срок',
  waiting: 'Ожидают',
  rate: 'Текущая скорость (сегм./с)',
  reservation: 'Резерв (сегм./с)',
  deliveryRatio: 'Доля доставленных',
  latency: 'Приём → доставка, среднее',
  latencyMax: 'Приём → доставка, максимум',
  charts: 'Графики',
  lastHour: 'Последний час',
  lastDay: 'Последние сутки',
  lastMonth: 'Последний месяц',
  messagesLegend: 'принято',
  deliveredLegend: 'доставлено',
  failedLegend: 'ошибки',
  search: 'Поиск сообщений',
  number: 'Номер',
  messageId: 'Идентификатор',
  sender: 'Отправитель',
  status: 'Статус',
  any: 'любой',
  from: 'С',
  to: 'По',
  find: 'Найти',
  results: 'Найденные сообщения',
  noResults: 'Ничего не найдено.',
  acceptedAt: 'Принято',
  doneAt: 'Завершено',
  segments: 'Сегменты',
  route: 'Оператор (маршрут)',
  history: 'История',
  detail: 'Подробности',
  time: 'Время',
  reports: 'Отчёты (CSV)',
  reportDay: 'По дням',
  reportSender: 'По отправителям',
  reportRoute: 'По операторам',
  reportStatus: 'По статусам',
  download: 'Скачать',
  back: 'Назад',
  updated: 'Обновлено',
  node: 'Узел',
  site: 'Площадка',
  health: 'Состояние',
  uptime: 'Работает (с)',
  cluster: 'Кластер',
  clusterLocal: 'Актуально. Локальный координатор: этот узел и есть весь кластер, все соединения его.',
  clusterCurrent: 'Актуально, по данным etcd.',
  clusterUnreachable: 'НЕ АКТУАЛЬНО: координатор (etcd) не отвечает, узел остановил свои соединения. Ниже последнее известное состояние на {asOf}.',
  clusterStopped: 'НЕ АКТУАЛЬНО: координатор не работает (узел запускается или останавливается). Ниже последнее известное состояние на {asOf}.',
  clusterReportLate: 'НЕ АКТУАЛЬНО: главный процесс узла давно не присылал состояние кластера. Ниже последнее известное состояние на {asOf}.',
  clusterNoReport: 'Состояния кластера ещё нет: главный процесс узла его не присылал.',
  coordinator: 'Координатор',
  scope: 'Данные',
  asOf: 'На момент',
  weight: 'Вес',
  bindsOwned: 'Соединений',
  bindOwners: 'Владельцы соединений',
  ownerLive: 'Владелец жив',
  pinnedTo: 'Закреплено за',
  pools: 'Выделенные пулы',
  pool: 'Пул',
  poolNodes: 'Узлы (активный / резервный)',
  activeNode: 'Активный узел',
  fromNode: 'От узла',
  toNode: 'К узлу',
  changeKind: 'Вид',
  binds: 'Соединения (binds)',
  bind: 'Соединение',
  owner: 'Владелец',
  state: 'Состояние',
  epoch: 'Эпоха',
  window: 'Окно занято',
  tps: 'TPS сейчас / разрешено / настроено',
  throttled: 'Ограничено',
  errors: 'Ошибки (таймауты, битые PDU, неизвестные)',
  queues: 'Очереди',
  messages: 'Сообщения',
  oldestAge: 'Самое старое (с)',
  callbackQueues: 'Очередь обратных вызовов',
  client: 'Клиент',
  name: 'Название',
  clients: 'Клиенты',
  queued: 'В очереди',
  callbackBacklog: 'Обратные вызовы в очереди',
  deadLetters: 'Недоставленные вызовы',
  failovers: 'Последние переключения (takeover) и передачи (handover)',
  events: 'События',
};

const dictionaries: Readonly<Record<Lang, Readonly<Record<TextKey, string>>>> = { en, ru };

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

/** The language of Accept-Language with the highest q that we have; English when none. */
export function langOfAcceptLanguage(header: string | undefined): Lang {
  let best: { lang: Lang; q: number } | null = null;
  for (const item of (header ?? '').split(',')) {
    const [range = '', ...params] = item.trim().split(';');
    const primary = range.trim().toLowerCase().split('-')[0] ?? '';
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!isLang(primary) || !Number.isFinite(q) || q <= 0) continue;
    if (best === null || q > best.q) best = { lang: primary, q };
  }
  return best?.lang ?? 'en';
}

/** The chosen language: the session's, else the query's, else Accept-Language's. */
export function chooseLang(sessionLang: string | null | undefined, queryLang: unknown, acceptLanguage: string | undefined): Lang {
  if (isLang(sessionLang)) return sessionLang;
  if (isLang(queryLang)) return queryLang;
  return langOfAcceptLanguage(acceptLanguage);
}

export type Translate = (key: TextKey) => string;

export function translator(lang: Lang): Translate {
  const dictionary = dictionaries[lang];
  return (key) => dictionary[key];
}

/** Every key of every language, for the test that keeps the dictionaries complete. */
export function dictionaryOf(lang: Lang): Readonly<Record<TextKey, string>> {
  return dictionaries[lang];
}
