/**
 * The readable end of `npm start`: what the cycle stored, read back from the emulator's tables (not from the
 * handlers' memory), and what went to the dead-letter topic.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Kafka, logLevel } from 'kafkajs';
import { FitTable } from '../cli/table.ts';
import { consumerGroupId, type HortonConfig, tableNames } from '../model/config.ts';
import { HANDLERS, type HandlerName } from '../model/handlers.ts';
import type { EventSourceMapping } from './runner/event-source-mapping.ts';

interface SummaryInput {
  config: HortonConfig;
  doc: DynamoDBDocumentClient;
  brokers: string[];
  mappings: Map<HandlerName, EventSourceMapping>;
  /** Taken before the handlers started: the dead letters shown are this run's. */
  since: RunStart;
  /** AlphaVantage was the local simulator: the figures are made up, and the summary says so. */
  simulated: boolean;
  log: (message: string) => void;
}

/** Colours only on a terminal: logs and CI output stay plain text. */
const colour = process.stdout.isTTY === true;

const money = (value: unknown) => (typeof value === 'number' ? value.toFixed(2) : '-');

async function queryAll(doc: DynamoDBDocumentClient, table: string, symbol: string) {
  const result = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'symbol = :symbol',
      ExpressionAttributeValues: { ':symbol': symbol },
    }),
  );
  return (result.Items ?? []) as Array<Record<string, unknown>>;
}

/** Where the topics stood when a run began. */
export interface RunStart {
  /** Dead-letter topic end offset per partition (empty when the topic does not exist yet). */
  deadLetterEnd: Record<number, number>;
  /** Commands in the handlers' topics that their consumer groups have not committed yet. */
  pendingCommands: number;
}

function kafkaAdmin(brokers: string[]) {
  return new Kafka({ clientId: 'horton-summary', brokers, logLevel: logLevel.NOTHING }).admin();
}

/** End offset per partition of a topic; empty when the topic does not exist. */
async function topicEnds(admin: ReturnType<typeof kafkaAdmin>, topic: string) {
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) return [];
  return (await admin.fetchTopicOffsets(topic)).map((p) => ({
    partition: p.partition,
    low: Number(p.low),
    high: Number(p.high),
  }));
}

export async function runStart(brokers: string[], config: HortonConfig): Promise<RunStart> {
  const admin = kafkaAdmin(brokers);
  await admin.connect();
  try {
    const deadLetterEnd = Object.fromEntries(
      (await topicEnds(admin, config.topics.deadLetter.name)).map((p) => [p.partition, p.high]),
    );
    let pendingCommands = 0;
    for (const spec of Object.values(HANDLERS)) {
      if (spec.trigger.kind !== 'kafka') continue;
      const topic = config.topics[spec.trigger.topic].name;
      const ends = await topicEnds(admin, topic);
      if (ends.length === 0) continue;
      const [committed] = await admin.fetchOffsets({
        groupId: consumerGroupId(config, spec.trigger.topic),
        topics: [topic],
      });
      for (const end of ends) {
        const offset = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        pendingCommands += end.high - (offset >= 0 ? offset : end.low);
      }
    }
    return { deadLetterEnd, pendingCommands };
  } finally {
    await admin.disconnect();
  }
}

/** Records added to the dead-letter topic since `since`. */
async function deadLetterCount(brokers: string[], topic: string, since: RunStart): Promise<number> {
  const admin = kafkaAdmin(brokers);
  await admin.connect();
  try {
    return (await topicEnds(admin, topic)).reduce(
      (sum, p) => sum + p.high - Math.max(since.deadLetterEnd[p.partition] ?? p.low, p.low),
      0,
    );
  } finally {
    await admin.disconnect();
  }
}

type Item = Record<string, unknown>;

/** What the summary shows of one symbol, read back from the tables. */
async function readSymbol(
  doc: DynamoDBDocumentClient,
  tables: ReturnType<typeof tableNames>,
  symbol: string,
) {
  const [quote, fundamentals, years, indicators, history] = await Promise.all([
    doc.send(new GetCommand({ TableName: tables.quotes, Key: { symbol } })).then((r) => r.Item),
    doc
      .send(new GetCommand({ TableName: tables.fundamentals, Key: { symbol, kind: 'OVERVIEW' } }))
      .then((r) => r.Item),
    queryAll(doc, tables.yearlyExtremes, symbol),
    queryAll(doc, tables.indicators, symbol),
    doc
      .send(
        new QueryCommand({
          TableName: tables.dailyPrices,
          KeyConditionExpression: 'symbol = :symbol AND #date > :min',
          ExpressionAttributeNames: { '#date': 'date' },
          ExpressionAttributeValues: { ':symbol': symbol, ':min': '0' },
          Select: 'COUNT',
        }),
      )
      .then((r) => r.Count ?? 0),
  ]);
  const data = (fundamentals?.data ?? {}) as Item;
  const rsi = indicators.find((item) => item.function === 'RSI')?.latest as { value?: number } | undefined;
  const rolling = quote?.rolling as { average?: number; count?: number } | undefined;
  const latest = quote?.latest as { price?: number; latestTradingDay?: string } | undefined;
  const row = [
    symbol,
    String(data.name ?? '-'),
    String(data.sector ?? '-'),
    money(latest?.price),
    latest?.latestTradingDay ?? '-',
    rolling ? `${money(rolling.average)} (${rolling.count})` : '-',
    money(rsi?.value),
    String(years.length),
    String(history),
  ];
  // Oldest first, as `horton show` lists them.
  const extremes = years
    .sort((a, b) => Number(a.year) - Number(b.year))
    .slice(-3)
    .map((year) => [
      symbol,
      String(year.year),
      money(year.highClose),
      String(year.highDate),
      money(year.lowClose),
      String(year.lowDate),
    ]);
  return { row, extremes };
}

export async function printSummary({
  config,
  doc,
  brokers,
  mappings,
  since,
  simulated,
  log,
}: SummaryInput): Promise<void> {
  const tables = tableNames(config);
  const head = [
    'Symbol',
    'Name',
    'Sector',
    'Price',
    'Trading day',
    `Avg last ${config.quotes.rollingWindow}`,
  ];
  const overview = new FitTable([...head, 'RSI', 'Years', 'Days'], { colour });
  const extremes = new FitTable(['Symbol', 'Year', 'Highest close', 'on', 'Lowest close', 'on'], { colour });
  for (const symbol of [...config.universe.watchlist].sort()) {
    const read = await readSymbol(doc, tables, symbol);
    overview.push(read.row);
    extremes.push(...read.extremes);
  }
  const note = simulated ? ': SIMULATED data from the local AlphaVantage simulator, not market data' : '';
  log(`\nStored in DynamoDB (read back from the emulator)${note}:`);
  log(overview.toString());
  log('\nYearly close extremes (latest three trading years per symbol):');
  log(extremes.toString());

  const handled = [...mappings.entries()].map(
    ([name, mapping]) =>
      `${name} ${mapping.counters.records} records/${mapping.counters.invocations} invocations` +
      (mapping.counters.retries ? `, ${mapping.counters.retries} retries` : ''),
  );
  log(`\nHandlers: ${handled.join('; ')}`);
  const letters = await deadLetterCount(brokers, config.topics.deadLetter.name, since);
  log(`Dead-letter topic ${config.topics.deadLetter.name}: ${letters} records this run`);
}
